// Whether writing to a path of the project would land outside it. A cloned repository chooses its symlinks: a test file
// that is a link to ~/.bashrc, a dangling one to ~/.bash_aliases (creating the file follows it), a test folder linked
// to somewhere else. An action writes only where the path's real place is inside the project's folder.
import { lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { readOwnFile } from "../common/own-file";

/** Links followed in a row before giving up (as the system's ELOOP does). */
const MAX_LINKS = 40;

/**
 * The largest project file an action reads (a manifest, a build file): a hostile repository's package.json of hundreds
 * of megabytes (a few hundred KB in git) would be read whole and parsed on the extension host's thread.
 */
export const MAX_PROJECT_FILE_BYTES = 1024 * 1024;

/**
 * A project file's text; null when it is missing, not a regular file, or over MAX_PROJECT_FILE_BYTES. The size and kind
 * are those of the file opened (readOwnFile), not of a look before it: a file that grows, or is swapped for a named
 * pipe, between the two was read whole.
 */
export async function readProjectFile(file: string): Promise<string | null> {
  return readOwnFile(file, MAX_PROJECT_FILE_BYTES).catch(() => null);
}

/**
 * Whether a write to `relative` (a path inside `root`, as the project names it) would reach a file outside `root`,
 * its links followed: an existing file's real place, a dangling link's target, or for a path not there yet, where its
 * nearest existing folder really is. True as well for a path that climbs out with `..` or is absolute elsewhere.
 */
export async function leadsOutside(root: string, relative: string): Promise<boolean> {
  const lexicalRoot = path.resolve(root);
  const target = path.resolve(lexicalRoot, relative);
  if (!isWithin(lexicalRoot, target)) return true;
  const realRoot = await realpath(lexicalRoot).catch(() => lexicalRoot);
  const landing = await whereWriteLands(target, 0);
  return landing === null || !isWithin(realRoot, landing);
}

/** The real path a write to `file` would create or change; null when links go round too long. */
async function whereWriteLands(file: string, links: number): Promise<string | null> {
  if (links > MAX_LINKS) return null;
  const info = await lstat(file).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    const real = await realpath(file).catch(() => undefined);
    if (real) return real;
    // Dangling: the write creates whatever the link names.
    return whereWriteLands(path.resolve(path.dirname(file), await readlink(file)), links + 1);
  }
  if (info) return realpath(file);
  const parent = path.dirname(file);
  if (parent === file) return file;
  const landing = await whereWriteLands(parent, links);
  return landing === null ? null : path.join(landing, path.basename(file));
}

function isWithin(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
