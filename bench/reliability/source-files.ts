// Hostile source files (test/fixtures/hostile-sources.ts: minified 1 and 5 MB lines, 50 MB of lines, binary,
// lone surrogates, 100,000 nested brackets, a 10 MB string literal; in JavaScript, TypeScript and Python) through the
// extension host's side of a completion, as the extension runs it: the document opened as document-sync opens it
// (kept or, over the store's limit, followed by version only), its background parse, then keystrokes typed at the
// cursor, each one applied as document-sync applies it and asked for a completion as the inline provider asks
// (takeSnapshot, then the real RequestManager, ContextEngine with its index worker, and post-processing). Only the
// model is scripted: it runs in another process, and what reaches the host is its streamed answer.
//
// Measured per case, over the whole of it (the open, the background parse slices, every keystroke, every background
// turn): the longest synchronous stall of the host thread, as the thread's own CPU time between two ticks of a 1 ms
// timer (Linux's per-thread clock, /proc/thread-self/schedstat: a machine busy with other work does not inflate it),
// and as wall-clock time (perf_hooks' event-loop delay, which a busy machine does inflate); and the longest
// keystroke's synchronous part (the edit, the snapshot, the request up to its first await). Target: no stall over
// 50 ms.
//
// For the reliability bench: SOURCE_CORPUS and openCases() follow case-pool.ts's corpus protocol; runSourceFiles()
// runs the corpus in this thread. Standalone: `node --expose-gc out/bench/reliability/source-files.js [kind ...]`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { silentLogger } from "../../src/common/logger";
import type { CompletionEngine, ContextAssembler } from "../../src/completion/completion-types";
import { takeSnapshot, type DocumentSource } from "../../src/completion/document-snapshot";
import { RequestManager } from "../../src/completion/request-manager";
import { ContextEngine } from "../../src/context/context-engine";
import type { AssembleRequest, AssembledContext } from "../../src/context/context-types";
import { DEFAULT_DOCUMENT_LIMITS } from "../../src/context/document-store";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import { HOSTILE_KINDS, HOSTILE_LANGUAGES, hostileSource, type HostileLanguage } from "../../test/fixtures/hostile-sources";
import type { CaseVerdict } from "./case-pool";
import { describeError } from "./outcomes";

export const STALL_TARGET_MS = 50;
const BUDGET_TOKENS = 1536;
/** What the typist types at the cursor, a key at a time. */
const TYPED = "next(x1)";
const RESOLUTION_MS = 1;

const CASES = HOSTILE_KINDS.flatMap((kind) => HOSTILE_LANGUAGES.map((languageId) => ({ kind, languageId })));

export const SOURCE_CORPUS = CASES.map((c, index) => ({ index, name: `${c.kind.name} (${c.languageId}): ${c.kind.description}` }));

export interface SourceCaseReport {
  kind: string;
  languageId: HostileLanguage;
  chars: number;
  keystrokes: number;
  /**
   * Longest synchronous stretch of the host thread during the case, in the thread's CPU time (where the system has a
   * per-thread clock; else equal to stallWallMaxMs).
   */
  stallMaxMs: number;
  stallP99Ms: number;
  /** The same in wall-clock time (event-loop delay less its 1 ms resolution): includes waiting for a busy CPU. */
  stallWallMaxMs: number;
  stallWallP99Ms: number;
  /** The open as document-sync does it, synchronously. */
  openMs: number;
  /** The longest keystroke's synchronous part: the edit, the snapshot, the request up to its first await. */
  keystrokeMaxMs: number;
  /** The same in the thread's CPU time. */
  keystrokeCpuMaxMs: number;
  /** Whether a syntax tree informed the last context. */
  parsed: boolean;
  /** Characters of the last context (prefix, suffix and items) and its token count. */
  contextChars: number;
  contextTokens: number;
  suggestions: number;
  wallMs: number;
  /** Empty when every context was sane: meets at the cursor, taken from the text, within the budget. */
  problems: string[];
}

/** The corpus protocol of case-pool.ts: `init` may name the folder with the grammars (default: the repository's). */
export async function openCases(init?: unknown): Promise<(index: number) => Promise<CaseVerdict>> {
  const grammarsDir = (init as { grammarsDir?: string } | undefined)?.grammarsDir ?? defaultGrammarsDir();
  return async (index) => {
    const c = CASES[index];
    if (!c) return { outcome: "crashed", detail: `no source case ${index}` };
    const report = await runSourceCase(c.kind.name, c.languageId, grammarsDir);
    return { outcome: report.problems.length ? "crashed" : "accepted", detail: describeReport(report), stallMs: report.stallMaxMs };
  };
}

/** The corpus in this thread, case after case (each kind's text is built only for its own cases). */
export async function runSourceFiles(options: { grammarsDir?: string; kinds?: readonly string[]; languages?: readonly HostileLanguage[]; log?: (line: string) => void } = {}): Promise<SourceCaseReport[]> {
  const grammarsDir = options.grammarsDir ?? defaultGrammarsDir();
  const reports: SourceCaseReport[] = [];
  for (const { kind, languageId } of CASES) {
    if (options.kinds && !options.kinds.includes(kind.name)) continue;
    if (options.languages && !options.languages.includes(languageId)) continue;
    const report = await runSourceCase(kind.name, languageId, grammarsDir);
    reports.push(report);
    options.log?.(`${report.kind} (${report.languageId}): ${describeReport(report)}`);
  }
  return reports;
}

export function describeReport(r: SourceCaseReport): string {
  const mb = (r.chars / (1024 * 1024)).toFixed(r.chars < 1024 * 1024 ? 2 : 0);
  return (
    `${mb} MB, ${r.keystrokes} keys: longest stall ${r.stallMaxMs.toFixed(1)} ms CPU (p99 ${r.stallP99Ms.toFixed(1)}), ${r.stallWallMaxMs.toFixed(1)} ms wall (p99 ${r.stallWallP99Ms.toFixed(1)}), open ${r.openMs.toFixed(1)} ms, ` +
    `longest keystroke ${r.keystrokeMaxMs.toFixed(1)} ms (CPU ${r.keystrokeCpuMaxMs.toFixed(1)}); context ${r.contextChars} chars / ${r.contextTokens} tokens, ${r.parsed ? "parsed" : "no tree"}, ` +
    `${r.suggestions} suggestions in ${(r.wallMs / 1000).toFixed(1)} s${r.problems.length ? `; PROBLEMS: ${r.problems.join("; ")}` : ""}`
  );
}

/** One case: open, parse in the background, type TYPED at the cursor with a completion after each key. */
export async function runSourceCase(kindName: string, languageId: HostileLanguage, grammarsDir: string): Promise<SourceCaseReport> {
  const kind = HOSTILE_KINDS.find((k) => k.name === kindName);
  if (!kind) throw new Error(`no hostile source kind ${kindName}`);
  const source = hostileSource(kind, languageId);
  const doc = new EditorDocument(`file:///hostile/${kind.name}.${extensionOf(languageId)}`, languageId, source.text, source.offset);
  collectGarbage();
  const problems: string[] = [];
  const contexts = new ContextProbe();
  const engine = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: async () => null });
  contexts.inner = engine;
  const manager = new RequestManager(
    { engine: new ScriptedModel(), context: contexts, logger: silentLogger },
    { debounce: { minMs: 20, maxMs: 20, factor: 1, pauseMs: 1000 }, generation: { budgetTokens: BUDGET_TOKENS } },
  );
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const stalls = new StallMeter();
  const started = performance.now();
  let suggestions = 0;
  let keystrokeMaxMs = 0;
  let keystrokeCpuMaxMs = 0;
  let openMs = 0;
  delay.enable();
  stalls.start();
  try {
    let t = performance.now();
    const length = doc.length();
    engine.openDocument(doc.uri, languageId, length <= DEFAULT_DOCUMENT_LIMITS.maxStoredChars ? doc.text(0, length) : null, doc.version);
    engine.noteVisited(doc.uri);
    openMs = performance.now() - t;
    // The parse goes on in slices between turns; the index worker reads the file meanwhile.
    await engine.whenParsed(doc.uri, 60_000);
    for (const key of TYPED) {
      t = performance.now();
      const cpu = threadCpuMs();
      const at = doc.cursor;
      doc.type(key);
      engine.applyEdit(doc.uri, [{ startOffset: at, endOffset: at, text: key }], doc.version);
      engine.noteEdited(doc.uri, at);
      const snapshot = takeSnapshot(doc, doc.cursor);
      const answer = manager.provide({ snapshot, triggerKind: "automatic", signal: new AbortController().signal });
      keystrokeMaxMs = Math.max(keystrokeMaxMs, performance.now() - t);
      keystrokeCpuMaxMs = Math.max(keystrokeCpuMaxMs, (threadCpuMs() ?? Number.NaN) - (cpu ?? Number.NaN) || performance.now() - t);
      if (await answer) suggestions++;
      const last = contexts.last;
      if (last) problems.push(...checkContext(last.req, last.ctx));
      contexts.last = undefined;
    }
  } finally {
    stalls.stop();
    delay.disable();
    manager.dispose();
    engine.dispose();
  }
  const last = contexts.lastSeen;
  const ms = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  return {
    kind: kind.name,
    languageId,
    chars: source.text.length,
    keystrokes: TYPED.length,
    stallMaxMs: stalls.maxMs ?? Math.max(ms(delay.max), keystrokeMaxMs, openMs),
    stallP99Ms: stalls.p99Ms ?? ms(delay.percentile(99)),
    stallWallMaxMs: Math.max(ms(delay.max), keystrokeMaxMs, openMs),
    stallWallP99Ms: ms(delay.percentile(99)),
    openMs,
    keystrokeMaxMs,
    keystrokeCpuMaxMs,
    parsed: last?.ctx.parsed ?? false,
    contextChars: last ? last.ctx.prefix.length + last.ctx.suffix.length + last.ctx.items.reduce((n, i) => n + i.text.length, 0) : 0,
    contextTokens: last ? last.ctx.tokens.prefix + last.ctx.tokens.suffix + last.ctx.tokens.items : 0,
    suggestions,
    wallMs: performance.now() - started,
    problems: [...new Set(problems)],
  };
}

/** The windows meet at the cursor and come from the text; the whole fits the budget. */
function checkContext(req: AssembleRequest, ctx: AssembledContext): string[] {
  const problems: string[] = [];
  if (req.text.slice(req.offset - ctx.prefix.length, req.offset) !== ctx.prefix) problems.push("the prefix does not end at the cursor");
  if (req.text.slice(req.offset, req.offset + ctx.suffix.length) !== ctx.suffix) problems.push("the suffix does not start at the cursor");
  const tokens = ctx.tokens.prefix + ctx.tokens.suffix + ctx.tokens.items;
  if (tokens > req.budgetTokens) problems.push(`${tokens} tokens for a budget of ${req.budgetTokens}`);
  const chars = ctx.prefix.length + ctx.suffix.length + ctx.items.reduce((n, i) => n + i.text.length, 0);
  if (chars > req.budgetTokens * 16) problems.push(`${chars} characters for a budget of ${req.budgetTokens} tokens`);
  return problems;
}

/** The calling thread's CPU time in milliseconds (Linux's per-thread scheduler clock); null where there is none. */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

/**
 * The thread's longest synchronous stretches, in its own CPU time: a 1 ms timer reads the thread's clock at each tick;
 * what the thread spent between two ticks is work that kept the timer (and everything else) waiting.
 */
class StallMeter {
  private timer: NodeJS.Timeout | undefined;
  private last: number | null = null;
  private readonly gaps: number[] = [];

  start(): void {
    this.last = threadCpuMs();
    if (this.last === null) return;
    const tick = (): void => {
      const now = threadCpuMs() ?? 0;
      this.gaps.push(now - (this.last ?? now));
      this.last = now;
      this.timer = setTimeout(tick, RESOLUTION_MS);
    };
    this.timer = setTimeout(tick, RESOLUTION_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  get maxMs(): number | null {
    return this.gaps.length ? this.gaps.reduce((m, g) => Math.max(m, g), 0) : null;
  }

  get p99Ms(): number | null {
    if (!this.gaps.length) return null;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  }
}

/** Passes requests to the context engine, keeping the last one and its context for the checks. */
class ContextProbe implements ContextAssembler {
  inner: ContextAssembler | undefined;
  last: { req: AssembleRequest; ctx: AssembledContext } | undefined;
  lastSeen: { req: AssembleRequest; ctx: AssembledContext } | undefined;

  prepare(req: AssembleRequest): void {
    this.inner?.prepare?.(req);
  }

  async assemble(req: AssembleRequest): Promise<AssembledContext> {
    if (!this.inner) throw new Error("no context engine");
    const ctx = await this.inner.assemble(req);
    this.last = this.lastSeen = { req, ctx };
    return ctx;
  }
}

/** The model's side, scripted: a short answer streamed in three chunks, a few milliseconds apart, honouring aborts. */
class ScriptedModel implements CompletionEngine {
  infill(_params: InfillParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult> {
    const chunks = ["value", " + 1", ";\n"];
    return new Promise((resolve, reject) => {
      let i = 0;
      const timer = setInterval(() => {
        if (i < chunks.length) {
          options.onChunk?.(chunks[i++]);
          return;
        }
        clearInterval(timer);
        resolve({ text: chunks.join(""), stopReason: "end-token", promptTokens: 100, generatedTokens: chunks.length, timings: { queuedMs: 0, firstChunkMs: 2, totalMs: 6 } });
      }, 2);
      options.signal?.addEventListener("abort", () => {
        clearInterval(timer);
        reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
      });
    });
  }
}

/**
 * The editor's side of the document: what VS Code's extension host keeps (a table of lines) rather than one string,
 * so that a keystroke costs the bench nothing in proportion to the document's size: the text before the cursor as
 * opened, what was typed, the text after. Ranges and line numbers are read as TextDocument reads them.
 */
class EditorDocument implements DocumentSource {
  version = 1;
  private typed = "";
  private readonly before: string;
  private readonly after: string;
  private readonly beforeLines: Int32Array;
  private readonly afterLines: Int32Array;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    text: string,
    private readonly at: number,
  ) {
    this.before = text.slice(0, at);
    this.after = text.slice(at);
    this.beforeLines = lineBreaks(this.before);
    this.afterLines = lineBreaks(this.after);
  }

  get cursor(): number {
    return this.at + this.typed.length;
  }

  type(key: string): void {
    this.typed += key;
    this.version++;
  }

  length(): number {
    return this.before.length + this.typed.length + this.after.length;
  }

  text(start: number, end: number): string {
    const parts: string[] = [];
    let base = 0;
    for (const part of [this.before, this.typed, this.after]) {
      const from = Math.max(start, base);
      const to = Math.min(end, base + part.length);
      if (from < to) parts.push(part.slice(from - base, to - base));
      base += part.length;
    }
    return parts.join("");
  }

  lineAt(offset: number): number {
    if (offset <= this.before.length) return countBelow(this.beforeLines, offset);
    const typedBreaks = this.typed.split("\n").length - 1;
    const inTyped = offset - this.before.length;
    if (inTyped <= this.typed.length) return this.beforeLines.length + this.typed.slice(0, inTyped).split("\n").length - 1;
    return this.beforeLines.length + typedBreaks + countBelow(this.afterLines, inTyped - this.typed.length);
  }
}

/** Offsets of the line breaks of a text. */
function lineBreaks(text: string): Int32Array {
  const out: number[] = [];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) out.push(i);
  return Int32Array.from(out);
}

/** How many of the ascending offsets are below `offset`. */
function countBelow(sorted: Int32Array, offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function extensionOf(languageId: HostileLanguage): string {
  return languageId === "python" ? "py" : languageId === "typescript" ? "ts" : "js";
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function defaultGrammarsDir(): string {
  // out/bench/reliability/ → the repository's grammars/.
  return join(__dirname, "..", "..", "..", "grammars");
}

if (require.main === module) {
  const kinds = process.argv.slice(2);
  runSourceFiles({ ...(kinds.length ? { kinds } : {}), log: (line) => console.log(line) })
    .then((reports) => {
      const worst = reports.reduce((m, r) => Math.max(m, r.stallMaxMs), 0);
      const over = reports.filter((r) => r.stallMaxMs > STALL_TARGET_MS);
      console.log(`source files: ${reports.length} cases, longest stall ${worst.toFixed(1)} ms, ${over.length} over ${STALL_TARGET_MS} ms, ${reports.filter((r) => r.problems.length).length} with problems`);
    })
    .catch((error: unknown) => {
      console.error(describeError(error));
      process.exitCode = 1;
    });
}
