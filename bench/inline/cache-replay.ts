// A typing replay that measures what the engine's KV cache keeps: each model call's prompt tokens evaluated (the
// engine's own count, `GenerationResult.promptTokens`), against what the user's change could not avoid (the prompt
// from the changed text on). It runs the product's path (ContextEngine.assemble → generateSuggestion → EngineClient →
// the engine process's FIM prompt) in a workspace whose files are indexed and a few of which were visited, so other
// files' definitions and snippets go with every call.
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
import type { CompletionEngine, DocumentSnapshot } from "../../src/completion/completion-types";
import { generateSuggestion } from "../../src/completion/generate-suggestion";
import { ContextEngine } from "../../src/context/context-engine";
import { ModelTokenCounter } from "../../src/context/model-token-counter";
import type { EngineClient } from "../../src/engine/client";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import { qwenFormat } from "../../src/fim/formats";
import { renderFimPrompt, type FimPrompt } from "../../src/fim/layout";
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

export interface CacheCall {
  keyIndex: number;
  /** The engine's count of prompt tokens it evaluated for this call. */
  evaluated: number;
  /** Tokens from the user's change to the end of the prompt: what no layout can keep (plus 1 for the middle token). */
  unavoidable: number;
  /** Where this prompt first differs from the previous one. */
  firstDifference: "context" | "prefix" | "suffix" | "none";
  /** The prefix window begins on another line than in the previous call. */
  prefixMoved: boolean;
  snippets: number;
  suffixLines: number;
  suffixTokens: number;
  /** Wall time of the model call (engine round trip), ms. */
  ms: number;
  /** Tokens of the text after the cursor cut to the rest of its line and N lines, per N of `suffixProbeLines`. */
  suffixTokensAt: Record<number, number>;
}

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
  const format = qwenFormat();

  const callOnce = async (): Promise<{ rendered: FimPrompt; params: InfillParams; result: GenerationResult; ms: number }> => {
    let sent: InfillParams | null = null;
    let answer: GenerationResult | null = null;
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
    const snapshot: DocumentSnapshot = { uri, languageId: file.languageId, text: state.doc, offset: state.cursor, relativePath, repoName, version: state.version };
    const generation = { budgetTokens: opts.budgetTokens, maxTokensSingleLine: opts.maxTokens, maxTokensMultiLine: opts.maxTokens, relativePath: toRelative };
    await generateSuggestion({ engine, context }, snapshot, generation, new AbortController().signal);
    if (sent === null || answer === null) throw new Error("the replay's model call did not reach the engine");
    const params: InfillParams = sent;
    const rendered = renderFimPrompt({
      format,
      prefix: params.prefix,
      suffix: params.suffix,
      snippets: params.snippets ?? [],
      ...(params.prefixStartLine !== undefined ? { prefixStartLine: params.prefixStartLine } : {}),
      ...(params.filePath !== undefined ? { filePath: params.filePath } : {}),
      ...(params.repoName !== undefined ? { repoName: params.repoName } : {}),
      ...(params.languageId !== undefined ? { languageId: params.languageId } : {}),
    });
    return { rendered, params, result: answer, ms };
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
    let previous = (await callOnce()).rendered;
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
      const { rendered, params, result, ms } = await callOnce();
      const pieceTokens = await countTexts(opts.client, rendered.pieces.map((p) => (p.kind === "text" ? p.text : "")));
      const tokensOf = (i: number) => (rendered.pieces[i]!.kind === "special" ? 1 : pieceTokens[i]!);
      const prefixIndex = rendered.pieces.findIndex((p) => p.kind === "text" && p.text === rendered.prefix);
      const suffixIndex = rendered.pieces.findIndex((p) => p.kind === "text" && p.text === rendered.suffix);
      const diff = firstDifference(previous, rendered);
      const prefixDocStart = state.cursor - rendered.prefix.length;
      let unavoidable = 0;
      if (prefixIndex < 0 || earliestEdit < prefixDocStart) unavoidable = rendered.pieces.reduce((n, _p, j) => n + tokensOf(j), 0);
      else {
        const within = rendered.prefix.slice(rendered.prefix.lastIndexOf("\n", earliestEdit - prefixDocStart - 1) + 1);
        unavoidable = (await countTexts(opts.client, [within]))[0]!;
        for (let j = prefixIndex + 1; j < rendered.pieces.length; j++) unavoidable += tokensOf(j);
      }
      const probes = opts.suffixProbeLines ?? [];
      const after = state.doc.slice(state.cursor);
      const probeCounts = probes.length > 0 ? await countTexts(opts.client, probes.map((n) => firstLines(after, n))) : [];
      calls.push({
        suffixTokensAt: Object.fromEntries(probes.map((n, k) => [n, probeCounts[k]!])),
        keyIndex: i,
        evaluated: result.promptTokens,
        unavoidable,
        firstDifference: diff < 0 ? "none" : prefixIndex < 0 || diff < prefixIndex ? "context" : diff === prefixIndex ? "prefix" : "suffix",
        prefixMoved: rendered.prefixStartLine !== previous.prefixStartLine,
        snippets: params.snippets?.length ?? 0,
        suffixLines: rendered.suffix === "" ? 0 : rendered.suffix.split("\n").length - (rendered.suffix.endsWith("\n") ? 1 : 0),
        suffixTokens: suffixIndex >= 0 ? pieceTokens[suffixIndex]! : 0,
        ms,
      });
      previous = rendered;
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

/** Index of the first piece in which two prompts differ; -1 when they are the same. */
function firstDifference(a: FimPrompt, b: FimPrompt): number {
  const n = Math.max(a.pieces.length, b.pieces.length);
  for (let i = 0; i < n; i++) {
    const x = a.pieces[i];
    const y = b.pieces[i];
    if (!x || !y || x.kind !== y.kind || (x.kind === "text" ? x.text !== (y as { text: string }).text : x.token !== (y as { token: string }).token)) return i;
  }
  return -1;
}

async function countTexts(client: EngineClient, texts: string[]): Promise<number[]> {
  const result = await client.tokenCounts(texts);
  if (!result) throw new Error("the engine did not count tokens");
  return result.counts;
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
