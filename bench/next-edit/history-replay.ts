// Real edit sequences for the next-edit bench: this repository's own commits, each file's changes as hunks applied top
// to bottom, the way a typist makes them (the old lines deleted, the new ones typed character by character).
import { execFileSync } from "node:child_process";

export interface Hunk {
  /** 0-based first line of the old text it replaces (in the file as earlier hunks left it). */
  line: number;
  removed: string[];
  added: string[];
}

export interface FileChange {
  commit: string;
  path: string;
  before: string;
  hunks: Hunk[];
}

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });

/** The TypeScript files changed (not added or deleted) by the last `commits` commits, with their hunks. */
export function recentFileChanges(repo: string, commits: number, maxFileChars = 60_000): FileChange[] {
  const ids = git(repo, "log", `-${commits}`, "--no-merges", "--format=%H").trim().split("\n").filter(Boolean);
  const changes: FileChange[] = [];
  for (const commit of ids) {
    const names = git(repo, "diff-tree", "--no-commit-id", "-r", "--diff-filter=M", "--name-only", commit).trim().split("\n");
    for (const path of names.filter((p) => /^src\/.*\.ts$/.test(p))) {
      const before = git(repo, "show", `${commit}^:${path}`);
      if (before.length > maxFileChars) continue;
      const diff = git(repo, "diff", "--unified=0", `${commit}^`, commit, "--", path);
      const hunks = parseHunks(diff);
      if (hunks.length > 0) changes.push({ commit: commit.slice(0, 7), path, before, hunks });
    }
  }
  return changes;
}

/**
 * Hunks of a `--unified=0` diff. Applied top to bottom, the lines above a hunk are already the new file's, so its
 * position is the new file's line number from its header (`+c,d`: line c-1, 0-based; after line c for a deletion).
 */
export function parseHunks(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  for (const line of diff.split("\n")) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (header) {
      const newCount = header[2] === undefined ? 1 : Number(header[2]);
      current = { line: newCount === 0 ? Number(header[1]) : Number(header[1]) - 1, removed: [], added: [] };
      hunks.push(current);
      continue;
    }
    if (!current || line.startsWith("---") || line.startsWith("+++")) continue;
    if (line.startsWith("-")) current.removed.push(line.slice(1));
    else if (line.startsWith("+")) current.added.push(line.slice(1));
  }
  return hunks;
}

/** One change a typist makes, offsets in the text before it. */
export interface TypedChange {
  offset: number;
  removedLength: number;
  text: string;
}

/** A hunk as keystrokes: one deletion of the old lines (select and delete), then the new text a character at a time. */
export function typeHunk(text: string, hunk: Hunk): { changes: TypedChange[]; after: string } {
  const lines = text.split("\n");
  const start = lines.slice(0, hunk.line).reduce((sum, l) => sum + l.length + 1, 0);
  const oldText = hunk.removed.map((l) => `${l}\n`).join("");
  const newText = hunk.added.map((l) => `${l}\n`).join("");
  const changes: TypedChange[] = [];
  let current = text;
  if (oldText !== "") {
    if (current.slice(start, start + oldText.length) !== oldText) throw new Error(`hunk at line ${hunk.line + 1} does not match the file`);
    changes.push({ offset: start, removedLength: oldText.length, text: "" });
    current = current.slice(0, start) + current.slice(start + oldText.length);
  }
  for (let i = 0; i < newText.length; i++) {
    changes.push({ offset: start + i, removedLength: 0, text: newText[i]! });
  }
  current = current.slice(0, start) + newText + current.slice(start);
  return { changes, after: current };
}
