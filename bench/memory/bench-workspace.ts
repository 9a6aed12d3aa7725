// The workspace the codebase memory benches index: exactly N files that Hearth's own walk lists and its filter keeps,
// copied from real code on this machine: Python's standard library (/usr/lib/python3.11), Debian's Python packages
// (/usr/lib/python3/dist-packages) and the JavaScript/TypeScript sources of this repository's npm packages
// (node_modules/<package>/...). npm packages ship much of their code under dist/, build/ or lib/ folders, and the
// walk skips dist/ and build/ (as it does in a user's workspace): those folder names are copied as `_dist`, `_build`,
// so the files are real code in a layout the walk indexes. Built once under bench/.work/ and kept (it is checked,
// not trusted: a copy that no longer lists N files is rebuilt).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { DEFAULT_EXCLUDED_FOLDERS, walkSourceFiles } from "../../src/context/index/workspace-files";
import { isIndexableLanguage, languageIdForPath } from "../../src/context/languages";
import { FileFilter } from "../../src/memory/file-filter";
import { MAX_FILE_BYTES } from "../../src/memory/file-source";

const ROOT = join(__dirname, "..", "..", "..");

export interface BenchWorkspace {
  dir: string;
  files: number;
  /** Files per source, for the report. */
  bySource: Record<string, number>;
  description: string;
}

const SOURCES: { name: string; dir: string; share: number }[] = [
  { name: "python3.11 stdlib", dir: "/usr/lib/python3.11", share: 0.4 },
  { name: "Debian Python packages", dir: "/usr/lib/python3/dist-packages", share: 0.1 },
  { name: "npm packages (this repository's node_modules)", dir: join(ROOT, "node_modules"), share: 0.5 },
];

/** Files that Hearth's walk and filter keep under `dir`, in the walk's order. */
export async function listedFiles(dir: string, limit = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  const filter = new FileFilter([dir], []);
  const out: string[] = [];
  for await (const path of walkSourceFiles([dir], { maxFiles: Number.MAX_SAFE_INTEGER })) {
    if (filter.ignores(path)) continue;
    out.push(path);
    if (out.length >= limit) break;
  }
  return out;
}

function* candidates(dir: string): Generator<string> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    let s;
    try {
      s = statSync(p);
    } catch {
      continue;
    }
    if (s.isDirectory()) {
      if (name !== "__pycache__" && name !== "test" && name !== "tests" && !name.startsWith(".")) yield* candidates(p);
    } else if (s.size > 200 && s.size < MAX_FILE_BYTES && /\.(py|js|mjs|cjs|ts)$/.test(name) && !/\.(min|bundle)\.[cm]?js$|\.d\.[cm]?ts$/.test(name)) {
      const languageId = languageIdForPath(p);
      if (languageId && isIndexableLanguage(languageId)) yield p;
    }
  }
}

/** The copy's path: folders the walk skips (dist, build, node_modules, hidden ones) renamed with a leading `_`. */
function copyPath(into: string, source: string, sourceDir: string, from: string): string {
  const rel = relative(sourceDir, from)
    .split("/")
    .map((segment, i, all) => (i < all.length - 1 && (DEFAULT_EXCLUDED_FOLDERS.has(segment) || segment.startsWith(".")) ? `_${segment.replace(/^\./, "")}` : segment))
    .join("/");
  return join(into, source, rel);
}

/** Builds (or finds) a workspace of exactly `files` listed files under bench/.work/memory-workspace-<files>. */
export async function benchWorkspace(files: number): Promise<BenchWorkspace> {
  const dir = join(ROOT, "bench", ".work", `memory-workspace-${files}`);
  const manifest = join(dir, ".bench-workspace.json");
  if (existsSync(manifest)) {
    const saved = JSON.parse(readFileSync(manifest, "utf8")) as BenchWorkspace;
    if ((await listedFiles(dir)).length === files) return saved;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bySource: Record<string, number> = {};
  // A few more than asked, as the filter may leave some out (a .gitignore shipped inside a package); trimmed below.
  const spare = Math.ceil(files * 1.05);
  SOURCES.forEach((source, s) => {
    const want = s === SOURCES.length - 1 ? spare - Object.values(bySource).reduce((a, b) => a + b, 0) : Math.round(spare * source.share);
    let n = 0;
    for (const from of candidates(source.dir)) {
      if (n >= want) break;
      const to = copyPath(dir, `s${s}`, source.dir, from);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      n++;
    }
    bySource[source.name] = n;
  });
  const listed = await listedFiles(dir);
  if (listed.length < files) throw new Error(`the bench workspace lists ${listed.length} files, fewer than ${files}: add sources`);
  const keep = new Set(listed.slice(0, files));
  for (const path of listed.slice(files)) rmSync(path);
  for (const source of SOURCES.keys()) bySource[SOURCES[source].name] = [...keep].filter((p) => p.startsWith(join(dir, `s${source}`) + "/")).length;
  const description = `${files} files copied from ${Object.entries(bySource)
    .map(([name, n]) => `${name} (${n})`)
    .join(", ")}; folders the walk skips (dist/, build/, node_modules/) copied as _dist/, _build/, _node_modules/`;
  const workspace: BenchWorkspace = { dir, files, bySource, description };
  writeFileSync(manifest, JSON.stringify(workspace, null, 2));
  if ((await listedFiles(dir)).length !== files) throw new Error(`the bench workspace under ${dir} does not list ${files} files`);
  return workspace;
}
