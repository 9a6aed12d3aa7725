// What `npm start` opens: a copy of scripts/start-sample/ (a small shop's order code) in .hearth-run/, with the file
// to show first and where to put the cursor, and the workbench URL that opens them in code-server.
import { copyFileSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../test/harness/paths";

export const SAMPLE_SOURCE = join(repoRoot, "scripts", "start-sample");

/** The file the workbench shows first: the line after its last function, where a new one would go. */
export const SAMPLE_FILE = { path: join("src", "orders.ts"), line: 47, column: 1 };

/**
 * Copies each sample file that is not in `folder` yet, never one that is: a person's edits to the sample survive the
 * next start, and a deleted file comes back. Returns the files it wrote, relative to `folder`.
 */
export function prepareSampleWorkspace(folder: string, source = SAMPLE_SOURCE): string[] {
  const written: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const from = join(dir, entry.name);
      const to = join(folder, relative(source, from));
      if (entry.isDirectory()) walk(from);
      // lstat, not exists: a dangling link there is the person's too, and copying would write through it, out of the folder.
      else if (entry.isFile() && !lexists(to)) {
        mkdirSync(join(to, ".."), { recursive: true });
        copyFileSync(from, to);
        written.push(relative(folder, to));
      }
    }
  };
  mkdirSync(folder, { recursive: true });
  walk(source);
  return written.sort();
}

function lexists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * The code-server workbench URL that opens `folder` with Hearth under development and `file` (if any) at `line:column`
 * (the web workbench's openFile and gotoLineMode payload entries). `remoteUri` maps a path to the server's URI.
 */
export function startUrl(serverUrl: string, remoteUri: (path: string) => string, folder: string, extensionPath: string, file: { path: string; line: number; column: number } | null): string {
  const payload = [["extensionDevelopmentPath", remoteUri(extensionPath)]];
  if (file) payload.push(["openFile", remoteUri(`${join(folder, file.path)}:${file.line}:${file.column}`)], ["gotoLineMode", "true"]);
  return `${serverUrl}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
