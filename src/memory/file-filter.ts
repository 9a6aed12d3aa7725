import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import ignore from "ignore";
import type { Ignore } from "ignore";

/** Names of generated or minified files: indexing them fills the memory with code nobody asks about. */
const GENERATED_NAME = /(\.min\.[cm]?js|\.bundle\.[cm]?js|\.generated\.\w+|\.g\.(cs|dart)|_pb2(_grpc)?\.pyi?|\.pb\.(go|cc|h)|\.d\.ts)$|^(package-lock\.json|yarn\.lock|pnpm-lock\.yaml)$/i;
/**
 * Wildcards one pattern may hold: the ignore package turns each `*` into a backtracking `[^/]*` (and `**` into
 * `(?:.*\/)?`), so a hostile repository's `a*a*a*a*a*a*a*a*a*a*a*a*b` took hours to test one 60-character name (four
 * single `*` already take seconds on a long one). Real patterns hold one or two; a wilder one is left out.
 */
const MAX_SINGLE_WILDCARDS = 3;
const MAX_WILDCARDS = 5;

export function isTamePattern(pattern: string): boolean {
  const runs = pattern.match(/\*+/g) ?? [];
  return runs.length <= MAX_WILDCARDS && runs.filter((run) => run.length === 1).length <= MAX_SINGLE_WILDCARDS;
}

/** A `.gitignore` larger than this is read only this far. */
const MAX_GITIGNORE_BYTES = 256 * 1024;
/**
 * Patterns taken from one `.gitignore`, and from all of them together. Each pattern is a regular expression tested
 * against every file below its folder: a hostile repository that puts the same 25,000-line file in 200 folders (one
 * blob in git) cost 40 s and half of the memory worker's heap to compile, then 50 ms per file. Real ones hold tens of
 * lines; a large monorepo's together a few thousand. Past the total, further `.gitignore` files are not applied.
 */
const MAX_GITIGNORE_RULES = 1_000;
const MAX_TOTAL_GITIGNORE_RULES = 10_000;
/** `files.exclude` and `search.exclude` globs taken (after `{a,b}` expansion): they come from the workspace's settings. */
const MAX_EXCLUDE_PATTERNS = 1_000;

/**
 * Which files codebase memory leaves out: those a `.gitignore` between the file and its workspace folder ignores
 * (nested ones apply below their folder, as in git), those `files.exclude` patterns match, and generated files by
 * name. Each folder's `.gitignore` is read once.
 */
export class FileFilter {
  private readonly gitignores = new Map<string, Ignore | null>();
  private readonly exclude: Ignore;
  /** Patterns compiled from `.gitignore` files so far (MAX_TOTAL_GITIGNORE_RULES). */
  private gitignoreRules = 0;

  /** `excludeGlobs`: VS Code `files.exclude`-style globs (`**\/*.js`, `{a,b}`), relative to each root. */
  constructor(
    private readonly roots: readonly string[],
    excludeGlobs: readonly string[] = [],
  ) {
    const patterns: string[] = [];
    for (const glob of excludeGlobs) {
      if (patterns.length >= MAX_EXCLUDE_PATTERNS) break;
      patterns.push(...expandBraces(glob).filter(isTamePattern));
    }
    this.exclude = ignore().add(patterns.slice(0, MAX_EXCLUDE_PATTERNS));
  }

  /** Whether a file under one of the roots is left out; a file outside them is always left out. */
  ignores(path: string): boolean {
    const root = this.roots.find((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
    if (!root) return true;
    if (GENERATED_NAME.test(basename(path))) return true;
    const rel = relative(root, path).split(sep).join("/");
    if (this.exclude.ignores(rel)) return true;
    // From the root down: a folder's .gitignore speaks of paths relative to that folder.
    const parts = rel.split("/");
    let dir = root;
    for (let i = 0; i < parts.length; i++) {
      const rules = this.gitignoreOf(dir);
      const below = parts.slice(i).join("/");
      if (rules?.ignores(below)) return true;
      if (i < parts.length - 1) {
        dir = join(dir, parts[i]);
        // A folder ignored as a folder (`build/`) hides everything under it.
        if (rules?.ignores(`${parts[i]}/`)) return true;
      }
    }
    return false;
  }

  private gitignoreOf(dir: string): Ignore | null {
    if (this.gitignores.has(dir)) return this.gitignores.get(dir) ?? null;
    let rules: Ignore | null = null;
    try {
      const text = readHead(join(dir, ".gitignore"));
      const room = Math.min(MAX_GITIGNORE_RULES, MAX_TOTAL_GITIGNORE_RULES - this.gitignoreRules);
      const patterns = text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== "" && !line.startsWith("#") && isTamePattern(line))
        .slice(0, Math.max(0, room));
      this.gitignoreRules += patterns.length;
      if (patterns.length) rules = ignore().add(patterns);
    } catch {
      // No .gitignore here (the usual case), or one we may not read: nothing is ignored by it.
    }
    this.gitignores.set(dir, rules);
    return rules;
  }

  /** Forgets a folder's rules after its .gitignore changed. */
  forget(gitignorePath: string): void {
    this.gitignores.delete(dirname(gitignorePath));
  }
}

/**
 * A `.gitignore`'s first MAX_GITIGNORE_BYTES, whole lines only; "" for an empty file or anything but a regular file. A
 * hostile repository's file of hundreds of megabytes (a few hundred KB in git) is not read whole: that was more than
 * a string holds (every rule lost), or, below that, hundreds of megabytes the filter kept alive in the worker.
 */
function readHead(file: string): string {
  if (!statSync(file).isFile()) return "";
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(MAX_GITIGNORE_BYTES + 1);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    if (read <= MAX_GITIGNORE_BYTES) return buffer.toString("utf8", 0, read);
    // Cut: the last line is only part of a pattern.
    const text = buffer.toString("utf8", 0, MAX_GITIGNORE_BYTES);
    return text.slice(0, text.lastIndexOf("\n") + 1);
  } finally {
    closeSync(fd);
  }
}

/** `{a,b}` alternatives as separate patterns (gitignore syntax has none); bounded. */
export function expandBraces(glob: string): string[] {
  const m = /\{([^{}]*)\}/.exec(glob);
  if (!m) return [glob];
  const out: string[] = [];
  for (const alt of m[1].split(",")) {
    out.push(...expandBraces(glob.slice(0, m.index) + alt + glob.slice(m.index + m[0].length)));
    if (out.length > 64) break;
  }
  return out;
}
