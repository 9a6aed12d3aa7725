// Prompt files: reusable prompts a team keeps in the repository, run as `/NAME` in the chat and from
// "Hearth: Run Prompt…". Hearth's own `.hearth/prompts/NAME.md`, and `.github/prompts/NAME.prompt.md` as other tools
// write them; both may start with front matter whose `description:` is shown beside the name.
import { lstat, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { isInside, readWorkspaceTextFile } from "./workspace-text-file";

export interface PromptFile {
  /** What the user types after `/` and picks in the palette: the file name without `.md` / `.prompt.md`. */
  name: string;
  /** From the front matter's `description:`, one line; "" when there is none. */
  description: string;
  /** The prompt itself: the file without its front matter, trimmed. */
  body: string;
  /** Absolute path of the file. */
  path: string;
}

/** A file that looks like a prompt file but is not offered, and why (for the log and the quick pick's notes). */
export interface SkippedPromptFile {
  path: string;
  reason: string;
}

export interface PromptFileListing {
  /** Sorted by name; names are unique. */
  prompts: PromptFile[];
  skipped: SkippedPromptFile[];
}

export interface ListPromptFilesOptions {
  /**
   * Whether the workspace is trusted. In Restricted Mode nothing of the workspace is read: a prompt file is
   * instructions to the model that an untrusted repository must not be able to slip in.
   */
  trusted: boolean;
}

/** The folders prompt files live in, relative to a workspace folder, and the ending that marks one; the first wins a name. */
export const PROMPT_FOLDERS: readonly { dir: string; suffix: string }[] = [
  { dir: ".hearth/prompts", suffix: ".md" },
  { dir: ".github/prompts", suffix: ".prompt.md" },
];

/** A prompt file larger than this is refused rather than cut: half a prompt asks for something else. */
export const MAX_PROMPT_FILE_BYTES = 64 * 1024;
/** Files looked at per folder, and prompt files offered per workspace folder, at most (thousands are not a set of commands). */
export const MAX_PROMPT_FILES = 200;
const MAX_DESCRIPTION_CHARS = 200;
/** A name a user can type after `/`: letters, digits, `-`, `_`, `.` inside; no path, no spaces, no control characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Whether `name` is acceptable as a prompt's name (`/NAME`): refuses `..`, separators, spaces and odd characters. */
export function isPromptName(name: string): boolean {
  return NAME.test(name) && !name.includes("..") && !name.endsWith(".");
}

/**
 * The prompt files of one workspace folder (`root`). Every candidate that is not offered is in `skipped` with its
 * reason: a hostile name (`../x`, spaces, control characters), a link leaving the workspace, a binary or too-large file,
 * an empty one, or a name an earlier folder already gave.
 */
export async function listPromptFiles(root: string, options: ListPromptFilesOptions): Promise<PromptFileListing> {
  const listing: PromptFileListing = { prompts: [], skipped: [] };
  if (!options.trusted) return listing;
  const realRoot = await realpath(root).catch(() => undefined);
  if (!realRoot) return listing;
  const byName = new Map<string, PromptFile>();
  for (const folder of PROMPT_FOLDERS) {
    const dir = path.join(root, folder.dir);
    const entries = await promptDirEntries(realRoot, dir, listing.skipped);
    for (const entry of entries.slice(0, MAX_PROMPT_FILES)) {
      if (!entry.endsWith(folder.suffix)) continue;
      const file = path.join(dir, entry);
      const name = entry.slice(0, -folder.suffix.length);
      if (!isPromptName(name)) {
        listing.skipped.push({ path: file, reason: `its name ${JSON.stringify(name)} is not a command name (letters, digits, "-", "_" and "." only)` });
        continue;
      }
      const key = name.toLowerCase();
      // Every folder's files together: the chat's `/` menu lists a bounded number of commands, built-ins first.
      if (byName.size >= MAX_PROMPT_FILES) {
        listing.skipped.push({ path: file, reason: `only the first ${MAX_PROMPT_FILES} prompt files are offered` });
        continue;
      }
      if (byName.has(key)) {
        listing.skipped.push({ path: file, reason: `/${name} is already ${byName.get(key)!.path}` });
        continue;
      }
      const prompt = await readPromptFile(root, file, name);
      if ("reason" in prompt) listing.skipped.push(prompt);
      else byName.set(key, prompt);
    }
    if (entries.length > MAX_PROMPT_FILES) listing.skipped.push({ path: dir, reason: `only the first ${MAX_PROMPT_FILES} files are read` });
  }
  listing.prompts = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return listing;
}

/** One prompt file by its name (as the user typed it after `/`, any case), or undefined. */
export function findPrompt(listing: PromptFileListing, name: string): PromptFile | undefined {
  const key = name.toLowerCase();
  return listing.prompts.find((p) => p.name.toLowerCase() === key);
}

/** Reads one prompt file; `name` must already be checked with isPromptName. */
export async function readPromptFile(root: string, file: string, name: string): Promise<PromptFile | SkippedPromptFile> {
  const read = await readWorkspaceTextFile(root, file, MAX_PROMPT_FILE_BYTES);
  if (!read.ok) return { path: file, reason: read.reason };
  if (read.truncated) return { path: file, reason: `it is larger than ${MAX_PROMPT_FILE_BYTES / 1024} KB` };
  const { description, body } = splitFrontMatter(read.text);
  if (!body) return { path: file, reason: "it holds no prompt" };
  return { name, description, body, path: file };
}

/** A prompt file's `description:` (front matter between `---` lines) and the body after it. */
export function splitFrontMatter(text: string): { description: string; body: string } {
  const match = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!match) return { description: "", body: text.trim() };
  let description = "";
  for (const line of match[1]!.split("\n")) {
    const field = /^description[ \t]*:[ \t]*(.*)$/.exec(line);
    if (field) description = unquote(field[1]!.trim());
  }
  // One line of plain text: a description is shown in a list, never interpreted.
  description = [...description].map((c) => (c < " " || c === "\u007f" ? " " : c)).join("").replace(/ {2,}/g, " ").trim();
  // Cut between characters: half an emoji is a lone surrogate the view shows as a box.
  let cut = "";
  for (const c of description) {
    if (cut.length + c.length > MAX_DESCRIPTION_CHARS) break;
    cut += c;
  }
  description = cut;
  return { description, body: text.slice(match[0].length).trim() };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
}

/** The names in a prompt folder, sorted; none when the folder is missing, not a folder, or a link out of the workspace. */
async function promptDirEntries(realRoot: string, dir: string, skipped: SkippedPromptFile[]): Promise<string[]> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info) return [];
  const real = await realpath(dir).catch(() => undefined);
  if (!real) return [];
  if (!isInside(realRoot, real)) {
    skipped.push({ path: dir, reason: "it is a link to a folder outside the workspace" });
    return [];
  }
  const entries = await readdir(real).catch(() => undefined);
  return entries ? entries.sort() : [];
}
