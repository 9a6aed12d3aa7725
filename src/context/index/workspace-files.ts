import { opendir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { isIndexableLanguage, languageIdForPath } from "../languages";

/** Folders that hold generated or third-party code: indexing them costs time and memory and adds noise. */
export const DEFAULT_EXCLUDED_FOLDERS: ReadonlySet<string> = new Set([
  "node_modules", ".git", ".hg", ".svn", "dist", "out", "build", "target", "vendor", "__pycache__", ".venv", "venv",
  ".tox", ".mypy_cache", ".pytest_cache", "coverage", ".next", ".nuxt", ".gradle", ".idea", ".vscode-test", "bin", "obj",
]);

export interface WalkOptions {
  maxFiles: number;
  maxDepth?: number;
  excluded?: ReadonlySet<string>;
  signal?: AbortSignal;
}

/**
 * Source files under the roots, breadth-first (files near the top first), at most `maxFiles`. Symlinks are followed
 * once, and only where they lead into one of the roots: a cloned repository's link to the user's home folder or to
 * `/` would otherwise put the user's own files into the index (and from there into prompts), or walk the whole disk.
 * A folder already seen under its real path is skipped, so a symlink loop ends. Unreadable folders are skipped.
 */
export async function* walkSourceFiles(roots: readonly string[], options: WalkOptions): AsyncGenerator<string> {
  const excluded = options.excluded ?? DEFAULT_EXCLUDED_FOLDERS;
  const maxDepth = options.maxDepth ?? 24;
  const realRoots = await realRootsOf(roots);
  const seen = new Set<string>();
  let queue: { dir: string; depth: number }[] = [];
  for (const root of roots) queue.push({ dir: root, depth: 0 });
  let count = 0;
  while (queue.length) {
    const next: typeof queue = [];
    for (const { dir, depth } of queue) {
      if (options.signal?.aborted) return;
      let real: string;
      try {
        real = await realpath(dir);
      } catch {
        continue;
      }
      if (seen.has(real) || !isWithin(real, realRoots)) continue;
      seen.add(real);
      let handle;
      try {
        handle = await opendir(dir);
      } catch {
        continue;
      }
      try {
        for await (const entry of handle) {
          const path = join(dir, entry.name);
          let isDir = entry.isDirectory();
          let isFile = entry.isFile();
          if (entry.isSymbolicLink()) {
            try {
              const s = await stat(path);
              isDir = s.isDirectory();
              isFile = s.isFile();
              // A folder's link is checked when its turn comes (its real path, above); a file's here.
              if (isFile && !isWithin(await realpath(path), realRoots)) continue;
            } catch {
              continue; // dangling link
            }
          }
          if (isDir) {
            if (!excluded.has(entry.name) && !entry.name.startsWith(".") && depth < maxDepth) next.push({ dir: path, depth: depth + 1 });
          } else if (isFile) {
            const languageId = languageIdForPath(path);
            if (!languageId || !isIndexableLanguage(languageId)) continue;
            yield path;
            if (++count >= options.maxFiles) return;
          }
        }
      } catch {
        // A folder deleted while being read: skip the rest of it.
      }
    }
    queue = next;
  }
}

/**
 * Whether the file, its symlinks followed, lies under one of the roots (also resolved). A cloned repository's symlink
 * to ~/.aws/credentials or a folder of the user's must not put that file into an index, a prompt or a server's
 * embeddings. False for a file that is gone.
 */
export async function resolvesWithin(path: string, roots: readonly string[]): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return false;
  }
  return isWithin(real, await realRootsOf(roots));
}

async function realRootsOf(roots: readonly string[]): Promise<string[]> {
  return Promise.all(roots.map((root) => realpath(root).catch(() => root)));
}

function isWithin(real: string, realRoots: readonly string[]): boolean {
  return realRoots.some((root) => {
    const rel = relative(root, real);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  });
}

/** Whether a file lies in a folder the index never walks (node_modules, build output, a hidden folder). */
export function isInExcludedFolder(path: string): boolean {
  return path.split(/[\\/]/).slice(0, -1).some((segment) => DEFAULT_EXCLUDED_FOLDERS.has(segment) || segment.startsWith("."));
}
