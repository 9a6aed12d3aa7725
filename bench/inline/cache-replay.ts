// A typing replay that measures what the engine's KV cache keeps: each model call's prompt tokens evaluated (the
// engine's own count, `GenerationResult.promptTokens`), against what the user's change could not avoid (the prompt
// from the changed text on). It runs the product's path (ContextEngine.assemble → generateSuggestion → EngineClient →
// the engine process's FIM prompt) in a workspace whose files are indexed and a few of which were visited, so other
// files' definitions and snippets go with every call. Each request is also rendered suffix first with the same tokens
// and measured (cache-measure.ts), for the families that take that order.
//
// Time is simulated, so the replay is the same on a loaded machine: keys come at the typist's gaps (typist.ts, typos
// included, no accepts), and a model call starts after any key followed by a gap longer than the debounce, and runs to
// its end before the next key (a real call may be cancelled half-way; that leaves the cache as it was and changes no
// count here). The context engine's clock is the simulated one (its pause rule reads it).
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { basename, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { silentLogger } from "../../src/common/logger";
import type { CompletionEngine, ContextAssembler, DocumentSnapshot } from "../../src/completion/completion-types";
import { generateSuggestion } from "../../src/completion/generate-suggestion";
import { ContextEngine } from "../../src/context/context-engine";
import type { HoldChoice } from "../../src/context/context-types";
import { ModelTokenCounter } from "../../src/context/model-token-counter";
import type { EngineClient } from "../../src/engine/client";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import { genericFormat, QWEN_TOKENS, qwenFormat } from "../../src/fim/formats";
import { blockEnd, renderFimPrompt, type FimPrompt } from "../../src/fim/layout";
import type { FimFormat } from "../../src/fim/types";
import { countTexts, lineCount, measurePrompt, type PromptCost } from "./cache-measure";
import { HUMAN_PACE, makeSegment, nextKey, typoAt, type Key } from "./typist";

export interface CacheReplayFile {
  key: string;
  origin: string;
  languageId: string;
  /** The workspace folder: indexed, and what paths are relative to. */
  workspace: string;
  absolutePath: string;
  /** 1-based, inclusive: the lines typed back. */
  lines: [number, number];
  /** Other files of the workspace the user visited before (open tabs): the snippet retriever's windows. */
  visited: string[];
}

export interface CacheReplayOptions {
  client: EngineClient;
  grammarsDir: string;
  label: string;
  /** The context engine's hold on other files' context (off: a fresh selection on every call, as before issue 16). */
  stableContext: boolean;
  budgetTokens: number;
  maxTokens: number;
  /** Cut the suffix the engine gets to the rest of the cursor's line and this many lines (the per-line cost). */
  suffixLines?: number;
  debounceMs: number;
  /** Stop after this many calls. */
  maxCalls?: number;
  /** Also count, at each call, the tokens of the text after the cursor cut to the rest of its line and N lines. */
  suffixProbeLines?: readonly number[];
}

/** One call as one layout would render it: its cost (cache-measure.ts) and the tokens it evaluated. */
export interface LayoutCall extends PromptCost {
  /** The engine's own count where it rendered this layout; the measured one otherwise. */
  evaluated: number;
}

export interface CacheCall {
  keyIndex: number;
  /** What the context hold did (absent with the hold off). */
  hold?: HoldChoice;
  /** The workspace index answered the definitions lookup in time (60 ms, real time: fewer do on a loaded machine). */
  indexAnswered: boolean;
  /** The prompt the engine evaluated: prefix first, as Qwen2.5-Coder (the replay's tokenizer) was trained. */
  psm: LayoutCall;
  /** The same request rendered suffix first with the same tokens (`[SUF]suffix[PRE]prefix`, 64 suffix lines). */
  spm: LayoutCall;
  /** The prefix window begins on another line than in the previous call. */
  prefixMoved: boolean;
  snippets: number;
  /** Wall time of the model call (engine round trip), ms. */
  ms: number;
  /** Tokens of the text after the cursor cut to the rest of its line and N lines, per N of `suffixProbeLines`. */
  suffixTokensAt: Record<number, number>;
  /** Lines after the cursor to the end of its enclosing block (by layout.ts blockEnd), and whether the sent suffix shows it. */
  blockLines: number;
  blockShown: boolean;
}

/** Token boundaries may merge across the line start the unavoidable count begins at: that much is not a fault. */
export const SLACK_TOKENS = 2;

/** Types the file's lines back and makes the model calls the typist's pauses allow; returns one record per call. */
export async function runCacheReplay(file: CacheReplayFile, opts: CacheReplayOptions): Promise<CacheCall[]> {
  const text = readFileSync(file.absolutePath, "utf8");
  const toRelative = (path: string) => relative(file.workspace, path).split("\\").join("/");
  const relativePath = toRelative(file.absolutePath);
  const repoName = basename(file.workspace);
  const segment = makeSegment({ origin: file.origin, absolutePath: file.absolutePath, relativePath, repoName, languageId: file.languageId, text }, ...file.lines);
  const uri = pathToFileURL(file.absolutePath).toString();
  const state = { clock: 0, version: 1, doc: segment.head + segment.tail, cursor: segment.head.length };
  const counter = new ModelTokenCounter(opts.client, silentLogger);
  const context = new ContextEngine({
    grammarsDir: opts.grammarsDir,
    logger: silentLogger,
    readFile: (path) => readFile(path, "utf8").catch(() => null),
    countTokens: counter.count,
    stableContext: opts.stableContext,
    now: () => state.clock,
  });
  const q = QWEN_TOKENS;
  const formats = { psm: qwenFormat(), spm: genericFormat({ pre: q.pre, suf: q.suf, rep: q.repoName, sep: q.fileSep }, "Qwen's tokens, suffix first") };

  interface Called {
    prompts: { psm: FimPrompt; spm: FimPrompt };
    params: InfillParams;
    result: GenerationResult;
    ms: number;
    hold: HoldChoice | undefined;
    indexAnswered: boolean;
  }
  const callOnce = async (): Promise<Called> => {
    let sent: InfillParams | null = null;
    let answer: GenerationResult | null = null;
    let hold: HoldChoice | undefined;
    let indexAnswered = false;
    let ms = 0;
    // The model call runs to its end (the post-processor's early stop would only shorten the generation).
    const engine: CompletionEngine = {
      infill: async (params, options) => {
        const call = opts.suffixLines !== undefined ? { ...params, suffix: firstLines(params.suffix, opts.suffixLines) } : params;
        sent = call;
        const started = performance.now();
        const result = await opts.client.infill(call, options.onChunk ? { onChunk: options.onChunk } : {});
        answer = result;
        ms = performance.now() - started;
        return result;
      },
    };
    const assembler: ContextAssembler = {
      assemble: async (request) => {
        const assembled = await context.assemble(request);
        hold = assembled.hold;
        indexAnswered = assembled.indexAnswered;
        return assembled;
      },
    };
    const snapshot: DocumentSnapshot = { uri, languageId: file.languageId, text: state.doc, offset: state.cursor, relativePath, repoName, version: state.version };
    const generation = { budgetTokens: opts.budgetTokens, maxTokensSingleLine: opts.maxTokens, maxTokensMultiLine: opts.maxTokens, relativePath: toRelative };
    await generateSuggestion({ engine, context: assembler }, snapshot, generation, new AbortController().signal);
    if (sent === null || answer === null) throw new Error("the replay's model call did not reach the engine");
    const params: InfillParams = sent;
    const render = (format: FimFormat): FimPrompt =>
      renderFimPrompt({
        format,
        prefix: params.prefix,
        suffix: params.suffix,
        snippets: params.snippets ?? [],
        ...(params.prefixStartLine !== undefined ? { prefixStartLine: params.prefixStartLine } : {}),
        ...(params.filePath !== undefined ? { filePath: params.filePath } : {}),
        ...(params.repoName !== undefined ? { repoName: params.repoName } : {}),
        ...(params.languageId !== undefined ? { languageId: params.languageId } : {}),
      });
    return { prompts: { psm: render(formats.psm), spm: render(formats.spm) }, params, result: answer, ms, hold, indexAnswered };
  };

  const calls: CacheCall[] = [];
  try {
    for (const other of file.visited) context.noteVisited(pathToFileURL(other).toString());
    context.openDocument(uri, file.languageId, state.doc, state.version);
    context.noteVisited(uri);
    await context.indexWorkspace([file.workspace]);
    await context.whenParsed(uri, 20_000);
    await context.whenRecentFilesReady(20_000);
    // Calls before typing fill the cache with the file and the token counter with its lines (as the user's first
    // suggestions there would): not counted.
    await callOnce();
    await new Promise((resolve) => setTimeout(resolve, 200));
    let previous = (await callOnce()).prompts;
    let earliestEdit = state.cursor;
    const keys = schedule(segment.typed);
    for (let i = 0; i < keys.length && calls.length < (opts.maxCalls ?? Infinity); i++) {
      const key = keys[i]!;
      state.clock += key.gapMs;
      const at = state.cursor;
      const edit = key.kind === "backspace" ? { startOffset: at - 1, endOffset: at, text: "" } : { startOffset: at, endOffset: at, text: key.insert };
      state.doc = state.doc.slice(0, edit.startOffset) + edit.text + state.doc.slice(edit.endOffset);
      state.cursor = edit.startOffset + edit.text.length;
      earliestEdit = Math.min(earliestEdit, edit.startOffset);
      context.applyEdit(uri, [edit], ++state.version);
      context.noteEdited(uri, edit.startOffset);
      const next = keys[i + 1];
      if (next && next.gapMs <= opts.debounceMs) continue;
      state.clock += opts.debounceMs;
      const { prompts, params, result, ms, hold, indexAnswered } = await callOnce();
      const change = { earliestEdit, cursor: state.cursor, contextMayChange: hold !== undefined && hold !== "kept" };
      const psm = await measurePrompt(opts.client, previous.psm, prompts.psm, change);
      const spm = await measurePrompt(opts.client, previous.spm, prompts.spm, change);
      const probes = opts.suffixProbeLines ?? [];
      const after = state.doc.slice(state.cursor);
      const probeCounts = probes.length > 0 ? await countTexts(opts.client, probes.map((n) => firstLines(after, n))) : [];
      const block = blockEnd(state.doc.slice(0, state.cursor), after, 0);
      calls.push({
        keyIndex: i,
        ...(hold !== undefined ? { hold } : {}),
        indexAnswered,
        psm: { ...psm, evaluated: result.promptTokens },
        spm: { ...spm, evaluated: spm.simulated },
        prefixMoved: prompts.psm.prefixStartLine !== previous.psm.prefixStartLine,
        snippets: params.snippets?.length ?? 0,
        ms,
        suffixTokensAt: Object.fromEntries(probes.map((n, k) => [n, probeCounts[k]!])),
        blockLines: lineCount(after.slice(0, block)),
        blockShown: prompts.psm.suffix.length >= block,
      });
      previous = prompts;
      earliestEdit = state.cursor;
    }
  } finally {
    context.dispose();
    counter.dispose();
  }
  return calls;
}

/** The typist's keys over `typed`, typos and their corrections included; no accepts (the model's text is noise). */
function schedule(typed: string): Key[] {
  const keys: Key[] = [];
  let at = 0;
  let previous: Key | null = null;
  let typoDoneAt = -1;
  while (at < typed.length) {
    let key = nextKey(typed, at, previous, HUMAN_PACE);
    const typo = key.kind === "char" && typoDoneAt !== at ? typoAt(typed, at, HUMAN_PACE) : null;
    if (typo) {
      typoDoneAt = at;
      keys.push({ kind: "typo", insert: typo, advance: 0, gapMs: key.gapMs });
      keys.push({ kind: "backspace", insert: "", advance: 0, gapMs: HUMAN_PACE.typoNoticeMs });
      key = { ...key, gapMs: HUMAN_PACE.keyMs };
    }
    keys.push(key);
    at += key.advance;
    previous = key;
  }
  return keys;
}

/** The rest of the cursor's line and `lines` more lines. */
function firstLines(suffix: string, lines: number): string {
  let end = -1;
  for (let i = 0; i <= lines; i++) {
    end = suffix.indexOf("\n", end + 1);
    if (end < 0) return suffix;
  }
  return suffix.slice(0, end + 1);
}
