import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { silentLogger } from "../../src/common/logger";
import { ContextEngine } from "../../src/context/context-engine";
import { WorkerSymbolIndex } from "../../src/context/index/symbol-index";
import type { IndexStats } from "../../src/context/symbol-types";
import { DEFAULT_EXCLUDED_FOLDERS } from "../../src/context/index/workspace-files";

export interface AssemblySpeed {
  file: string;
  lines: number;
  iterations: number;
  /** Edit + incremental reparse + assembly, with the workspace index answering from its worker. */
  withIndex: { p50: number; p95: number; max: number };
  /** With the index, its lookup started by prepare() at the keystroke and the assembly after the typing pause. */
  prepared: { p50: number; p95: number; max: number };
  /** The same without the index: what the extension host's thread itself spends. */
  withoutIndex: { p50: number; p95: number; max: number };
}

export interface IndexSpeed {
  files: number;
  buildMs: number;
  stats: IndexStats | null;
  /** The same workspace indexed with a cap of 1,000 files: memory stays bounded, old files are evicted. */
  capped: IndexStats | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summarize(times: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n * 1000) / 1000;
  return { p50: r(percentile(sorted, 0.5)), p95: r(percentile(sorted, 0.95)), max: r(sorted[sorted.length - 1]) };
}

/** A real 3,000-line TypeScript file: msal-browser's StandardController.ts, topped up with lines of its cache manager. */
export function buildLargeFile(repoRoot: string): { path: string; text: string } | null {
  const base = join(repoRoot, "node_modules/@azure/msal-browser/src/controllers/StandardController.ts");
  const more = join(repoRoot, "node_modules/@azure/msal-browser/src/cache/BrowserCacheManager.ts");
  if (!existsSync(base) || !existsSync(more)) return null;
  const lines = readFileSync(base, "utf8").split("\n");
  const extra = readFileSync(more, "utf8").split("\n");
  const text = [...lines, ...extra.slice(0, Math.max(0, 3000 - lines.length))].join("\n");
  return { path: base, text };
}

/**
 * Host time per keystroke: the edit, then the assembly. With `prepare`, as the request manager does it: the edit and
 * `prepare()` at the keystroke, the assembly after the typing pause (50 ms here), both timed, the pause not.
 */
async function timeAssembly(engine: ContextEngine, path: string, text: string, iterations: number, prepare = false): Promise<number[]> {
  engine.openDocument(path, "typescript", text, 1);
  await engine.whenParsed(path, 10_000);
  const times: number[] = [];
  let current = text;
  // Type a line of code inside a method, a character at a time, assembling after each keystroke.
  const anchor = current.indexOf("\n", current.indexOf("acquireTokenSilent(", 40_000)) + 1;
  const typed = "        const result = await this.browserStorage.getAccount(request.account);\n";
  let at = anchor;
  for (let i = 0; i < iterations; i++) {
    const ch = typed[i % typed.length];
    const t0 = performance.now();
    engine.applyEdit(path, [{ startOffset: at, endOffset: at, text: ch }], i + 2);
    current = current.slice(0, at) + ch + current.slice(at);
    at++;
    const req = { uri: path, languageId: "typescript", text: current, offset: at, budgetTokens: 1536, otherFilesOnly: true };
    let paused = 0;
    if (prepare) {
      engine.prepare(req);
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 50));
      paused = performance.now() - t1;
    }
    await engine.assemble(req);
    times.push(performance.now() - t0 - paused);
    // A fast typist: a keystroke every 50 ms (about 240 characters a minute); background work runs in between.
    if (!prepare) await new Promise((r) => setTimeout(r, 50));
  }
  return times;
}

export async function measureAssemblySpeed(repoRoot: string, iterations = 300): Promise<AssemblySpeed | null> {
  const file = buildLargeFile(repoRoot);
  if (!file) return null;
  const grammarsDir = join(repoRoot, "grammars");
  const readFile = async (p: string): Promise<string | null> => (existsSync(p) ? readFileSync(p, "utf8") : null);
  const withIndex = new ContextEngine({ grammarsDir, logger: silentLogger, readFile });
  await withIndex.indexWorkspace([dirname(dirname(file.path))]);
  const a = await timeAssembly(withIndex, file.path, file.text, iterations);
  withIndex.dispose();
  const prepared = new ContextEngine({ grammarsDir, logger: silentLogger, readFile });
  await prepared.indexWorkspace([dirname(dirname(file.path))]);
  const c = await timeAssembly(prepared, file.path, file.text, iterations, true);
  prepared.dispose();
  const withoutIndex = new ContextEngine({ grammarsDir, logger: silentLogger, readFile, sources: { definitions: false } });
  const b = await timeAssembly(withoutIndex, file.path, file.text, iterations);
  withoutIndex.dispose();
  return { file: relative(repoRoot, file.path), lines: file.text.split("\n").length, iterations, withIndex: summarize(a.slice(5)), prepared: summarize(c.slice(5)), withoutIndex: summarize(b.slice(5)) };
}

/**
 * A 5,000-file workspace of real code: source files copied from the installed packages (sorted, deterministic) into
 * bench/.work/ (git-ignored), so that the walk sees them outside node_modules.
 */
export function buildWorkspace(repoRoot: string, files: number): string | null {
  const dir = join(repoRoot, "bench", ".work", `workspace-${files}`);
  const marker = join(dir, ".complete");
  if (existsSync(marker)) return dir;
  const sources: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (sources.length >= files * 3 || depth > 12) return;
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(d, name);
      let s;
      try {
        s = statSync(p);
      } catch {
        continue;
      }
      if (s.isDirectory()) walk(p, depth + 1);
      else if (/\.(ts|js|py)$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".min.js") && s.size < 512 * 1024) sources.push(p);
    }
  };
  walk(join(repoRoot, "node_modules"), 0);
  if (sources.length < files) return null;
  for (const src of sources.slice(0, files)) {
    // Keep the packages' layout, renaming folders the walk would skip (node_modules, dist, build …).
    const rel = relative(join(repoRoot, "node_modules"), src)
      .split("/")
      .map((seg, i, all) => (i < all.length - 1 && (DEFAULT_EXCLUDED_FOLDERS.has(seg) || seg.startsWith(".")) ? `_${seg.replace(/^\./, "")}` : seg))
      .join("/");
    const to = join(dir, rel);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(src, to);
  }
  mkdirSync(dir, { recursive: true });
  cpSync(__filename, marker);
  return dir;
}

export async function measureIndexSpeed(repoRoot: string, files = 5000): Promise<IndexSpeed | null> {
  const dir = buildWorkspace(repoRoot, files);
  if (!dir) return null;
  const grammarsDir = join(repoRoot, "grammars");
  const index = new WorkerSymbolIndex({ grammarsDir, logger: silentLogger });
  const t0 = performance.now();
  const stats = await index.indexFolders([dir]);
  const buildMs = performance.now() - t0;
  index.dispose();
  const capped = new WorkerSymbolIndex({ grammarsDir, logger: silentLogger, limits: { maxFiles: 1000 } });
  const cappedStats = await capped.indexFolders([dir]);
  capped.dispose();
  return { files, buildMs: Math.round(buildMs), stats, capped: cappedStats };
}
