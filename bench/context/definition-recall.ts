import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { silentLogger } from "../../src/common/logger";
import { ContextEngine } from "../../src/context/context-engine";
import type { AssembledContext } from "../../src/context/context-types";
import { extractImports } from "../../src/context/imports";
import { ImportResolver } from "../../src/context/index/import-resolver";
import { languageIdForPath } from "../../src/context/languages";
import { IDENTIFIER_STOPWORDS } from "../../src/context/stopwords";
import { InThreadSymbolIndex } from "../../src/context/index/symbol-index";
import type { SymbolIndex } from "../../src/context/index/symbol-index";
import type { SymbolDefinition } from "../../src/context/symbol-types";
import { walkSourceFiles } from "../../src/context/index/workspace-files";

/** A repository of real code that nobody on this project wrote. */
export interface Corpus {
  name: string;
  root: string;
  languageId: string;
}

export interface RecallSample {
  file: string;
  line: number;
  symbol: string;
  definitions: { path: string; startLine: number }[];
}

export interface RecallResult {
  corpus: string;
  languageId: string;
  files: number;
  samples: number;
  /** budget → fraction of samples whose symbol's definition was in the context. */
  hearth: Record<number, number>;
  baseline: Record<number, number>;
}

/** The corpora the bench measures: real repositories (installed packages, Python's standard library). */
export function recallCorpora(repoRoot: string): Corpus[] {
  return [
    { name: "msal-browser (TS)", root: join(repoRoot, "node_modules/@azure/msal-browser/src"), languageId: "typescript" },
    { name: "msal-common (TS)", root: join(repoRoot, "node_modules/@azure/msal-common/src"), languageId: "typescript" },
    { name: "msal-node (TS)", root: join(repoRoot, "node_modules/@azure/msal-node/src"), languageId: "typescript" },
    { name: "ajv (TS)", root: join(repoRoot, "node_modules/ajv/lib"), languageId: "typescript" },
    { name: "asyncio (Python stdlib)", root: "/usr/lib/python3.11/asyncio", languageId: "python" },
    { name: "email (Python stdlib)", root: "/usr/lib/python3.11/email", languageId: "python" },
  ];
}

export const BUDGETS = [512, 1024, 2048] as const;

/** Deterministic pseudo-random numbers (mulberry32), so every run samples the same lines. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Lines that use a symbol defined in another file of the corpus (and not in their own file), chosen at random.
 * Import lines and lines that define something are left out: the question is whether the retriever brings the
 * definition of something the line uses.
 */
export function pickSamples(
  files: readonly string[],
  lookup: (name: string) => readonly SymbolDefinition[],
  definedIn: (path: string) => readonly SymbolDefinition[],
  resolver: ImportResolver,
  count: number,
  seed: number,
): RecallSample[] {
  const random = seededRandom(seed);
  const candidates: RecallSample[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const languageId = languageIdForPath(file) ?? "";
    const lines = text.split("\n");
    const skip = new Set<number>();
    // What each imported name refers to: a file of the corpus (a module, or the file that exports the name).
    const importedFrom = new Map<string, string>();
    for (const imp of extractImports(text, languageId, null, null)) {
      const first = text.slice(0, imp.startIndex).split("\n").length - 1;
      const last = first + imp.text.split("\n").length - 1;
      for (let l = first; l <= last; l++) skip.add(l);
      for (const name of imp.names) {
        const asModule = languageId === "python" ? resolver.resolve(file, imp.specifier.endsWith(".") ? imp.specifier + name : `${imp.specifier}.${name}`, languageId) : null;
        const target = asModule ?? resolver.resolve(file, imp.specifier, languageId);
        if (target) importedFrom.set(name, target);
      }
    }
    for (const def of definedIn(file)) skip.add(def.startLine);
    const perFile: RecallSample[] = [];
    let inDocstring = false;
    lines.forEach((line, i) => {
      const trimmed = line.trim();
      const quotes = (trimmed.match(/"""|'''/g) ?? []).length;
      const wasDocstring = inDocstring;
      if (quotes % 2 === 1) inDocstring = !inDocstring;
      if (wasDocstring || quotes > 0) return;
      if (skip.has(i) || trimmed === "" || /^(import|from|export \{|export \*|#|\/\/|\*|\/\*|@|\})/.test(trimmed) || /\brequire\(/.test(trimmed)) return;
      const code = trimmed.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
      // A use that resolves to another file: an imported name, or a member of an imported module/namespace.
      for (const m of code.matchAll(/(?:([A-Za-z_$][\w$]*)\.)?([A-Za-z_$][\w$]*)/g)) {
        const [, qualifier, name] = m;
        if (name.length < 3 || IDENTIFIER_STOPWORDS.has(name)) continue;
        const target = qualifier ? importedFrom.get(qualifier) : importedFrom.get(name);
        if (!target || target === file) continue;
        const defs = lookup(name).filter((d) => d.path === target);
        if (defs.length === 0) continue;
        perFile.push({ file, line: i, symbol: name, definitions: defs.map((d) => ({ path: d.path, startLine: d.startLine })) });
        break;
      }
    });
    // A few lines per file, so that big files do not dominate.
    for (let k = 0; k < 3 && perFile.length; k++) candidates.push(perFile.splice(Math.floor(random() * perFile.length), 1)[0]);
  }
  const out: RecallSample[] = [];
  while (out.length < count && candidates.length) out.push(candidates.splice(Math.floor(random() * candidates.length), 1)[0]);
  return out;
}

/**
 * The definition's lines are in an item, and so is the symbol's name: an item that only spans the definition (a
 * module's outline that left the member out) is no hit.
 */
function isHit(sample: RecallSample, items: { path: string; startLine: number; endLine: number; text: string }[]): boolean {
  const named = new RegExp(`(?<![\\w$])${sample.symbol.replace(/\$/g, "\\$")}(?![\\w$])`);
  return sample.definitions.some((d) => items.some((i) => i.path === d.path && i.startLine <= d.startLine && d.startLine <= i.endLine && named.test(i.text)));
}

/** Files the user would plausibly have open: what the edited file imports, plus a few others from the repository. */
function openTabsFor(sample: RecallSample, text: string, files: readonly string[], resolver: ImportResolver, random: () => number): string[] {
  const languageId = languageIdForPath(sample.file) ?? "";
  const tabs: string[] = [];
  for (const imp of extractImports(text, languageId, null, null)) {
    const resolved = resolver.resolve(sample.file, imp.specifier, languageId);
    if (resolved && !tabs.includes(resolved) && tabs.length < 3) tabs.push(resolved);
  }
  while (tabs.length < 6 && files.length > tabs.length + 1) {
    const f = files[Math.floor(random() * files.length)];
    if (f !== sample.file && !tabs.includes(f)) tabs.push(f);
  }
  return tabs;
}

/** What one assembly gave for one sample (diagnose-recall.ts prints the misses). */
export interface SampleOutcome {
  sample: RecallSample;
  engine: "hearth" | "baseline";
  budget: number;
  hit: boolean;
  items: AssembledContext["items"];
  /** The line that was removed. */
  removed: string;
  index: InThreadSymbolIndex;
}

export async function measureDefinitionRecall(
  corpus: Corpus,
  grammarsDir: string,
  samplesWanted: number,
  seed = 7,
  onSample?: (outcome: SampleOutcome) => void,
): Promise<RecallResult | null> {
  if (!existsSync(corpus.root)) return null;
  const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
  await index.indexFolders([corpus.root]);
  const files: string[] = [];
  for await (const f of walkSourceFiles([corpus.root], { maxFiles: 20_000 })) if (languageIdForPath(f) === corpus.languageId || corpus.languageId === "typescript" && /\.tsx?$/.test(f)) files.push(f);
  files.sort();
  const resolver = new ImportResolver(() => [corpus.root]);
  const samples = pickSamples(files, (n) => index.core.lookupName(n), (p) => index.core.definitionsIn(p), resolver, samplesWanted, seed);
  if (samples.length === 0) {
    index.dispose();
    return null;
  }
  const readFile = async (p: string): Promise<string | null> => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return null;
    }
  };
  const hearthHits: Record<number, number> = { 512: 0, 1024: 0, 2048: 0 };
  const baselineHits: Record<number, number> = { 512: 0, 1024: 0, 2048: 0 };
  const random = seededRandom(seed + 1);
  for (const sample of samples) {
    const original = readFileSync(sample.file, "utf8");
    const lines = original.split("\n");
    const indent = /^[ \t]*/.exec(lines[sample.line])?.[0] ?? "";
    lines[sample.line] = indent;
    const text = lines.join("\n");
    const offset = lines.slice(0, sample.line).join("\n").length + 1 + indent.length;
    const tabs = openTabsFor(sample, text, files, resolver, random);
    for (const [engineKind, hits] of [["hearth", hearthHits], ["baseline", baselineHits]] as const) {
      const engine = new ContextEngine({
        grammarsDir,
        logger: silentLogger,
        readFile,
        symbolIndex: sharedIndex(index),
        indexTimeoutMs: 10_000,
        sources: engineKind === "baseline" ? { definitions: false, scopes: false, imports: false, snippets: true } : {},
      });
      for (const tab of tabs) engine.noteVisited(tab);
      await new Promise((r) => setImmediate(r));
      engine.openDocument(sample.file, corpus.languageId, text, 1);
      await engine.whenParsed(sample.file);
      // The tabs' snippet windows are cut between requests, a bounded amount at a time: as for a user, they are ready.
      await engine.whenRecentFilesReady();
      for (const budget of BUDGETS) {
        const ctx = await engine.assemble({ uri: sample.file, languageId: corpus.languageId, text, offset, budgetTokens: budget, otherFilesOnly: true });
        const hit = isHit(sample, ctx.items);
        if (hit) hits[budget]++;
        onSample?.({ sample, engine: engineKind, budget, hit, items: ctx.items, removed: original.split("\n")[sample.line], index });
      }
      engine.dispose();
    }
  }
  index.dispose();
  const n = Math.max(1, samples.length);
  const ratio = (h: Record<number, number>): Record<number, number> => Object.fromEntries(BUDGETS.map((b) => [b, h[b] / n]));
  return { corpus: corpus.name, languageId: corpus.languageId, files: files.length, samples: samples.length, hearth: ratio(hearthHits), baseline: ratio(baselineHits) };
}

/** The shared index outlives each per-sample engine, so the engine must not dispose it. */
function sharedIndex(index: InThreadSymbolIndex): SymbolIndex {
  return {
    indexFolders: (roots, signal) => index.indexFolders(roots, signal),
    updateFile: (path, text, languageId) => index.updateFile(path, text, languageId),
    removeFile: (path) => index.removeFile(path),
    query: (q) => index.query(q),
    stats: () => index.stats(),
    dispose: () => {},
  };
}

export function describeCorpus(c: Corpus, repoRoot: string): string {
  return relative(repoRoot, c.root) || c.root;
}
