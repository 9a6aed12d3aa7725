import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const TS_EXTENSIONS = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs"];

interface PathMapping {
  baseDir: string;
  paths: [pattern: string, targets: string[]][];
}

/**
 * Resolves an import specifier to a file of the workspace: relative imports, tsconfig/jsconfig `paths` and `baseUrl`,
 * Python modules and packages (relative and absolute, from the importing file's folder and its parents). Packages
 * outside the workspace resolve to null: their definitions are not indexed.
 */
export class ImportResolver {
  private readonly configs = new Map<string, PathMapping | null>();
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly roots: () => readonly string[]) {}

  resolve(fromPath: string, specifier: string, languageId: string): string | null {
    const key = `${languageId}\0${dirname(fromPath)}\0${specifier}`;
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    let resolved: string | null = null;
    try {
      if (languageId === "python") resolved = this.resolvePython(fromPath, specifier);
      else if (/^(typescript|javascript)(react)?$/.test(languageId)) resolved = this.resolveTs(fromPath, specifier);
    } catch {
      resolved = null;
    }
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(key, resolved);
    return resolved;
  }

  /** Forget cached answers (a file was created or deleted). */
  invalidate(): void {
    this.cache.clear();
    this.configs.clear();
  }

  private resolveTs(fromPath: string, specifier: string): string | null {
    if (specifier.startsWith(".")) return probeTs(resolve(dirname(fromPath), specifier));
    const mapping = this.findTsConfig(dirname(fromPath));
    if (!mapping) return null;
    for (const [pattern, targets] of mapping.paths) {
      const star = pattern.indexOf("*");
      const matches = star < 0 ? specifier === pattern : specifier.startsWith(pattern.slice(0, star)) && specifier.endsWith(pattern.slice(star + 1));
      if (!matches) continue;
      const captured = star < 0 ? "" : specifier.slice(star, specifier.length - (pattern.length - star - 1));
      for (const target of targets) {
        const hit = probeTs(resolve(mapping.baseDir, target.replace("*", captured)));
        if (hit) return hit;
      }
    }
    return probeTs(resolve(mapping.baseDir, specifier));
  }

  /** The nearest tsconfig.json/jsconfig.json above a folder, with its `paths`. */
  private findTsConfig(dir: string): PathMapping | null {
    const chain: string[] = [];
    let current = dir;
    let mapping: PathMapping | null | undefined;
    for (let i = 0; i < 30; i++) {
      if (this.configs.has(current)) {
        mapping = this.configs.get(current);
        break;
      }
      chain.push(current);
      for (const name of ["tsconfig.json", "jsconfig.json"]) {
        const file = join(current, name);
        if (!existsSync(file)) continue;
        mapping = readPathMapping(file);
        break;
      }
      if (mapping !== undefined) break;
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
    for (const d of chain) this.configs.set(d, mapping ?? null);
    return mapping ?? null;
  }

  private resolvePython(fromPath: string, specifier: string): string | null {
    const dots = /^\.*/.exec(specifier)?.[0].length ?? 0;
    const parts = specifier.slice(dots).split(".").filter(Boolean);
    const bases: string[] = [];
    if (dots > 0) {
      let base = dirname(fromPath);
      for (let i = 1; i < dots; i++) base = dirname(base);
      bases.push(base);
    } else {
      // Absolute imports: from the importing file's folder up to the workspace root (src layouts included).
      const roots = this.roots();
      let dir = dirname(fromPath);
      for (let i = 0; i < 12; i++) {
        bases.push(dir);
        if (roots.includes(dir)) {
          // A workspace that is itself a package imports itself by name (`from email import utils` inside email/);
          // anything else above the workspace (the standard library, site-packages) is not the workspace's code.
          bases.push(join(dir, "src"));
          if (parts[0] === basename(dir)) bases.push(dirname(dir));
          break;
        }
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    for (const base of bases) {
      const target = join(base, ...parts);
      for (const candidate of parts.length ? [`${target}.py`, join(target, "__init__.py"), `${target}.pyi`] : [join(target, "__init__.py")]) {
        if (isFile(candidate)) return candidate;
      }
    }
    return null;
  }
}

function probeTs(base: string): string | null {
  if (isFile(base) && /\.(m|c)?[jt]sx?$/.test(base)) {
    // `./x.js` in TypeScript sources means `./x.ts`.
    const ts = base.replace(/\.(m|c)?js(x?)$/, ".$1ts$2");
    return ts !== base && isFile(ts) ? ts : base;
  }
  const withoutJs = base.replace(/\.(m|c)?jsx?$/, "");
  for (const stem of withoutJs === base ? [base] : [withoutJs, base]) {
    for (const ext of TS_EXTENSIONS) if (isFile(stem + ext)) return stem + ext;
  }
  for (const ext of TS_EXTENSIONS) {
    const index = join(base, "index" + ext);
    if (isFile(index)) return index;
  }
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A tsconfig larger than this is not a configuration anyone wrote: its paths are not read. */
const MAX_TSCONFIG_BYTES = 1024 * 1024;
/**
 * `paths` patterns, and targets per pattern, taken from a tsconfig. Each target of a matching pattern is probed with
 * about twenty stat calls: a repository's tsconfig mapping "*" to 60,000 folders held the index worker 14 s for every
 * package a file imports. Real ones map a few patterns to one or two targets each.
 */
const MAX_PATH_PATTERNS = 100;
const MAX_PATH_TARGETS = 8;

function readPathMapping(file: string): PathMapping | null {
  try {
    if (statSync(file).size > MAX_TSCONFIG_BYTES) return { baseDir: dirname(file), paths: [] };
    const raw = readFileSync(file, "utf8");
    // tsconfig allows comments and trailing commas.
    const json = JSON.parse(stripJsonComments(raw).replace(/,(\s*[}\]])/g, "$1")) as {
      compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> };
    };
    const options = json.compilerOptions ?? {};
    const baseDir = resolve(dirname(file), options.baseUrl ?? ".");
    const paths = Object.entries(options.paths ?? {})
      .slice(0, MAX_PATH_PATTERNS)
      .map(([pattern, targets]): [string, string[]] => [pattern, Array.isArray(targets) ? targets.filter((t) => typeof t === "string").slice(0, MAX_PATH_TARGETS) : []]);
    return { baseDir, paths };
  } catch {
    return { baseDir: dirname(file), paths: [] };
  }
}

// JSON with comments to JSON: line and block comments outside strings become spaces, in one pass (a regex with a lazy
// [\s\S]*? retried every unclosed block comment against the rest of the file: quadratic in a hostile tsconfig).
export function stripJsonComments(raw: string): string {
  let out = "";
  let from = 0;
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === '"') {
      for (i++; i < raw.length && raw[i] !== '"'; i++) if (raw[i] === "\\") i++;
      i++;
    } else if (c === "/" && (raw[i + 1] === "/" || raw[i + 1] === "*")) {
      const end = raw[i + 1] === "/" ? raw.indexOf("\n", i) : raw.indexOf("*/", i + 2);
      const stop = end < 0 ? raw.length : raw[i + 1] === "/" ? end : end + 2;
      out += raw.slice(from, i) + " ";
      from = i = stop;
    } else i++;
  }
  return out + raw.slice(from);
}
