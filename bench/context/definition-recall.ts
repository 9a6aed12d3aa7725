import { readFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../src/common/logger";
import { ContextEngine } from "../../src/context/context-engine";
import type { AssembledContext } from "../../src/context/context-types";
import { ImportResolver } from "../../src/context/index/import-resolver";
import { extractImports } from "../../src/context/imports";
import { languageIdForPath } from "../../src/context/languages";
import { IDENTIFIER_STOPWORDS } from "../../src/context/stopwords";
import { InThreadSymbolIndex } from "../../src/context/index/symbol-index";
import type { SymbolIndex } from "../../src/context/index/symbol-index";
import { walkSourceFiles } from "../../src/context/index/workspace-files";
import type { Corpus } from "./recall/corpora";
import { isHit, missCause } from "./recall/miss-causes";
import type { MissCause } from "./recall/miss-causes";
import { ModuleReader } from "./recall/module-facts";
import { ModuleGraph } from "./recall/module-graph";
import { REPORT_BUDGETS, type CorpusOutcome, type SampleResult } from "./recall/recall-report";
import { pickSamples } from "./recall/samples";
import type { RecallSample } from "./recall/samples";

export const BUDGETS = REPORT_BUDGETS;
/** A budget with room for everything the retrievers found: a miss that is a hit here was crowded out. */
export const ROOMY_BUDGET = 16_384;

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

export type RecallResult = CorpusOutcome;

/** What one assembly gave for one sample (diagnose-recall.ts prints the misses). */
export interface SampleOutcome {
  sample: RecallSample;
  engine: "hearth" | "baseline";
  budget: number;
  hit: boolean;
  /** Why Hearth missed (Hearth's misses only). */
  cause?: MissCause;
  items: AssembledContext["items"];
  /** The line that was removed. */
  removed: string;
  index: InThreadSymbolIndex;
}

/** Names worth a sample: what the product would look up (three characters or more, not a keyword). */
export function acceptsSymbol(name: string): boolean {
  return name.length >= 3 && !IDENTIFIER_STOPWORDS.has(name);
}

/** The corpus's files of its language, sorted (the order samples are drawn in). */
export async function corpusFiles(corpus: Corpus): Promise<string[]> {
  const files: string[] = [];
  for await (const f of walkSourceFiles([corpus.root], { maxFiles: 20_000 })) {
    const languageId = languageIdForPath(f);
    if (languageId === corpus.languageId || (languageId?.startsWith(corpus.languageId) && /react$/.test(languageId))) files.push(f);
  }
  return files.sort();
}

/** The bench's own reading of the corpus: which lines use which definitions, through imports and re-exports. */
export function corpusGraph(corpus: Corpus, reader: ModuleReader, resolver: ImportResolver): ModuleGraph {
  return new ModuleGraph(corpus.root, (p) => reader.readFile(p), (from, specifier, python) => resolver.resolve(from, specifier, python ? "python" : "typescript"));
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

export interface RecallOptions {
  grammarsDir: string;
  /** The repository's node_modules: the bench reads the corpus with the grammar packages' own WASM. */
  nodeModules: string;
  samples: number;
  seed?: number;
  onSample?: (outcome: SampleOutcome) => void;
}

/**
 * Definition recall on one corpus: each sampled line is removed, the context is assembled at the cursor left there,
 * by Hearth and by the baseline (similar snippets alone, same open tabs), at each budget. Hearth's misses are given a
 * cause; one more assembly with room for everything tells a crowded-out definition from one never found.
 */
export async function measureDefinitionRecall(corpus: Corpus, options: RecallOptions): Promise<RecallResult | null> {
  const seed = options.seed ?? 7;
  const index = new InThreadSymbolIndex({ grammarsDir: options.grammarsDir, logger: silentLogger });
  const reader = await ModuleReader.create(options.nodeModules);
  try {
    await index.indexFolders([corpus.root]);
    const files = await corpusFiles(corpus);
    const resolver = new ImportResolver(() => [corpus.root]);
    const samples = pickSamples(files, corpusGraph(corpus, reader, resolver), acceptsSymbol, options.samples, seededRandom(seed));
    if (samples.length === 0) return null;
    const random = seededRandom(seed + 1);
    const perSample: SampleResult[] = [];
    for (const sample of samples) perSample.push(await measureSample(sample, corpus, files, resolver, index, options, random));
    const ratio = (k: "hearth" | "baseline"): Record<number, number> => Object.fromEntries(BUDGETS.map((b) => [b, perSample.filter((r) => r[k][b]).length / perSample.length]));
    return { corpus: corpus.name, origin: corpus.origin, languageId: corpus.languageId, files: files.length, samples: samples.length, hearth: ratio("hearth"), baseline: ratio("baseline"), perSample };
  } finally {
    reader.dispose();
    index.dispose();
  }
}

async function measureSample(
  sample: RecallSample,
  corpus: Corpus,
  files: readonly string[],
  resolver: ImportResolver,
  index: InThreadSymbolIndex,
  options: RecallOptions,
  random: () => number,
): Promise<SampleResult> {
  const original = readFileSync(sample.file, "utf8");
  const lines = original.split("\n");
  const removed = lines[sample.line];
  const indent = /^[ \t]*/.exec(removed)?.[0] ?? "";
  lines[sample.line] = indent;
  const text = lines.join("\n");
  const offset = lines.slice(0, sample.line).join("\n").length + 1 + indent.length;
  const tabs = openTabsFor(sample, text, files, resolver, random);
  const result: SampleResult = { sample, hearth: {}, baseline: {}, causes: {} };
  for (const engineKind of ["hearth", "baseline"] as const) {
    const engine = new ContextEngine({
      grammarsDir: options.grammarsDir,
      logger: silentLogger,
      readFile: async (p: string) => {
        try {
          return readFileSync(p, "utf8");
        } catch {
          return null;
        }
      },
      symbolIndex: sharedIndex(index),
      indexTimeoutMs: 10_000,
      sources: engineKind === "baseline" ? { definitions: false, scopes: false, imports: false, snippets: true } : {},
    });
    try {
      for (const tab of tabs) engine.noteVisited(tab);
      await new Promise((r) => setImmediate(r));
      engine.openDocument(sample.file, corpus.languageId, text, 1);
      await engine.whenParsed(sample.file);
      // The tabs' snippet windows are cut between requests, a bounded amount at a time: as for a user, they are ready.
      await engine.whenRecentFilesReady();
      const assemble = (budget: number): Promise<AssembledContext> =>
        engine.assemble({ uri: sample.file, languageId: corpus.languageId, text, offset, budgetTokens: budget, otherFilesOnly: true });
      const contexts = new Map<number, AssembledContext>();
      for (const budget of BUDGETS) {
        const ctx = await assemble(budget);
        contexts.set(budget, ctx);
        result[engineKind][budget] = isHit(sample, ctx.items);
      }
      if (engineKind === "hearth") {
        const missed = BUDGETS.filter((b) => !result.hearth[b]);
        const foundWithRoom = missed.length > 0 && isHit(sample, (await assemble(ROOMY_BUDGET)).items);
        for (const b of BUDGETS) result.causes[b] = result.hearth[b] ? null : missCause(sample, contexts.get(b)!.items, foundWithRoom);
      }
      for (const budget of BUDGETS) {
        const hit = result[engineKind][budget];
        const cause = engineKind === "hearth" ? result.causes[budget] ?? undefined : undefined;
        options.onSample?.({ sample, engine: engineKind, budget, hit, ...(cause ? { cause } : {}), items: contexts.get(budget)!.items, removed, index });
      }
    } finally {
      engine.dispose();
    }
  }
  // The engine gave the shared index the edited text; the next samples must see the file as it is on disk (a removed
  // line can take a definition out of the index, and every later sample would miss it).
  await index.core.indexFile(sample.file, original, languageIdForPath(sample.file) ?? corpus.languageId);
  return result;
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

/** The repository's node_modules, where the grammar packages are. */
export function nodeModulesOf(repoRoot: string): string {
  return join(repoRoot, "node_modules");
}
