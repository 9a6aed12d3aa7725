// One typing replay in real time through the real pipeline: each key is applied to the ContextEngine (as the
// extension's document sync does) and then RequestManager.provide() is called as VS Code calls the inline provider
// (automatic trigger; the previous request's signal aborted on each new key). A suggestion the typist sees that is the
// next real text for at least 8 characters is accepted with Tab: the text jumps forward, then forgetShown() and
// prefetch() run as the extension's accept command does.
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { silentLogger } from "../../src/common/logger";
import type { DocumentSnapshot, Suggestion, SuggestionSource } from "../../src/completion/completion-types";
import type { GenerationOptions } from "../../src/completion/generate-suggestion";
import { RequestManager, type RequestManagerFeatures } from "../../src/completion/request-manager";
import { ContextEngine } from "../../src/context/context-engine";
import { ModelTokenCounter } from "../../src/context/model-token-counter";
import type { EngineClient } from "../../src/engine/client";
import { AssemblerProbe, CollectingLogger, EngineProbe, listenToEngineReplies, type EngineReply } from "./probes";
import { HUMAN_PACE, chance, nextKey, typoAt, type Key, type KeyKind, type Pace, type TypingSegment } from "./typist";

export interface ReplayConfig {
  label: string;
  segment: TypingSegment;
  features: RequestManagerFeatures;
  /** Replace the model's (random-weight) text by the true continuation, token for token. */
  oracle: boolean;
  generation: Partial<GenerationOptions>;
  pace?: Pace;
  /** Stop after this many keys (smoke tests). */
  maxKeys?: number;
  /** Called after each key's request is made (the reliability soak samples memory there). */
  onKey?: (keyIndex: number) => void;
}

export interface ProvideRecord {
  keyIndex: number;
  keyKind: KeyKind;
  keyAt: number;
  calledAt: number;
  /** provide() ran synchronously until its first await. */
  syncMs: number;
  endedAt: number | null;
  text: string | null;
  source: SuggestionSource | null;
  /** Answered before the next key (what VS Code would show). */
  shown: boolean;
  /** Provider's own time, model and debounce wait excluded (filled in by analyse()). */
  ownMs: number | null;
  /** Whether this request assembled a context for a model call of its own. */
  assembled: boolean;
  /** Part of ownMs spent waiting for the workspace index worker (not the host thread's time). */
  indexWaitMs: number;
  /** The context engine's phase timings for this request's assembly. */
  phases?: Record<string, number>;
}

export interface ReplayResult {
  config: Omit<ReplayConfig, "segment"> & { segment: string };
  keys: number;
  keyKinds: Record<KeyKind, number>;
  charsTyped: number;
  charsAccepted: number;
  accepts: number;
  typedThroughKeys: number;
  durationMs: number;
  provides: ProvideRecord[];
  applyEditMs: number[];
  /** Keys after whose edit the context engine's copy of the document differed from the editor's. */
  outOfStep: number[];
  /** How late keys were pressed against the schedule (the bench's own timing fidelity). */
  keyLatenessMs: number[];
  modelCalls: number;
  prefetchCalls: number;
  modelCallOutcomes: Record<string, number>;
  engineReplies: EngineReply[];
  generations: CollectingLogger["generations"];
  problems: string[];
}

/** The ghost text on screen. */
interface Visible {
  text: string;
  visibleSince: number;
}

const ACCEPT_MIN_CHARS = 8;
/** A suggestion must have been on screen this long before the typist acts on it (reading it). */
const REACTION_MS = 200;

export async function runReplay(config: ReplayConfig, deps: { client: EngineClient; grammarsDir: string }): Promise<ReplayResult> {
  const { segment } = config;
  const pace = config.pace ?? HUMAN_PACE;
  const uri = pathToFileURL(segment.absolutePath).toString();
  const logger = new CollectingLogger();
  // As the extension does: context weighed with the model's tokenizer.
  const tokenCounter = new ModelTokenCounter(deps.client, silentLogger);
  const context = new ContextEngine({
    grammarsDir: deps.grammarsDir,
    logger: silentLogger,
    readFile: (path) => readFile(path, "utf8").catch(() => null),
    countTokens: tokenCounter.count,
  });
  let version = 1;
  let typedSoFar = 0;
  let wrong: string | null = null;
  const docText = () => segment.head + segment.typed.slice(0, typedSoFar) + (wrong ?? "") + segment.tail;
  const cursor = () => segment.head.length + typedSoFar + (wrong?.length ?? 0);
  const snapshot = (): DocumentSnapshot => ({
    uri,
    languageId: segment.languageId,
    text: docText(),
    offset: cursor(),
    relativePath: segment.relativePath,
    repoName: segment.repoName,
  });
  context.openDocument(uri, segment.languageId, docText(), version);
  context.noteVisited(uri);
  await context.indexWorkspace([dirname(segment.absolutePath)]);
  await context.whenParsed(uri, 10_000);

  // Warm the engine's KV cache on this document (another replay may have left another file in it); not measured.
  const warm = new RequestManager({ engine: deps.client, context, logger: silentLogger }, { generation: config.generation });
  await warm.provide({ snapshot: snapshot(), triggerKind: "invoked", signal: new AbortController().signal });
  warm.dispose();

  const assemblies = new AssemblerProbe(context, config.oracle);
  const oracle = config.oracle ? (text: string, offset: number) => truthAt(segment, text, offset) : null;
  const engine = new EngineProbe(deps.client, assemblies, oracle);
  const manager = new RequestManager({ engine, context: assemblies, logger }, { generation: config.generation, features: config.features });
  const replies: EngineReply[] = [];
  const stopListening = listenToEngineReplies(deps.client, replies);

  const provides: ProvideRecord[] = [];
  const applyEditMs: number[] = [];
  const keyLatenessMs: number[] = [];
  const outOfStep: number[] = [];
  const keyKinds: Record<KeyKind, number> = { char: 0, enter: 0, indent: 0, typo: 0, backspace: 0, accept: 0 };
  let charsTyped = 0;
  let charsAccepted = 0;
  let typedThroughKeys = 0;
  let prefetchCalls = 0;
  let typoDoneAt = -1;
  let previous: Key | null = null;
  let current: { controller: AbortController; done: Promise<void> } | null = null;
  let shown = null as Visible | null;
  let lastKeyAt = performance.now();
  const started = lastKeyAt;

  for (let keyIndex = 0; typedSoFar < segment.typed.length && keyIndex < (config.maxKeys ?? Infinity); keyIndex++) {
    // The key the typist means to press next, and when.
    let key: Key;
    if (wrong !== null) key = { kind: "backspace", insert: "", advance: 0, gapMs: pace.typoNoticeMs * (1 + pace.jitter * (2 * chance(typedSoFar, 9) - 1)) };
    else key = nextKey(segment.typed, typedSoFar, previous, pace);
    const scheduled = lastKeyAt + key.gapMs;
    await sleepUntil(scheduled);
    const keyAt = performance.now();
    keyLatenessMs.push(keyAt - scheduled);

    // What the typist does at that moment: accept a right suggestion they have had time to read, or mistype.
    const visible: Visible | null = shown;
    if (wrong === null && visible && visible.text.length >= ACCEPT_MIN_CHARS && keyAt - visible.visibleSince >= REACTION_MS && segment.typed.startsWith(visible.text, typedSoFar)) {
      key = { kind: "accept", insert: visible.text, advance: visible.text.length, gapMs: key.gapMs };
    } else if (wrong === null && key.kind === "char" && typoDoneAt !== typedSoFar) {
      const typo = typoAt(segment.typed, typedSoFar, pace);
      if (typo) {
        key = { kind: "typo", insert: typo, advance: 0, gapMs: key.gapMs };
        typoDoneAt = typedSoFar;
      }
    }
    if (visible && (key.kind === "char" || key.kind === "enter") && visible.text.startsWith(key.insert)) typedThroughKeys++;

    // VS Code cancels the pending request as soon as the document changes.
    current?.controller.abort();
    shown = null;
    const at = cursor();
    const edit = key.kind === "backspace" ? { startOffset: at - 1, endOffset: at, text: "" } : { startOffset: at, endOffset: at, text: key.insert };
    if (key.kind === "typo") wrong = key.insert;
    else if (key.kind === "backspace") wrong = null;
    else typedSoFar += key.advance;
    keyKinds[key.kind]++;
    if (key.kind === "accept") charsAccepted += key.advance;
    else charsTyped += key.advance;
    const editStarted = performance.now();
    context.applyEdit(uri, [edit], ++version);
    context.noteEdited(uri, edit.startOffset);
    applyEditMs.push(performance.now() - editStarted);
    const snap = snapshot();
    // The context engine's copy of the document must be the editor's after each edit (checked outside the timings).
    if (!inStep(context, uri, snap.text)) outOfStep.push(keyIndex);
    if (key.kind === "accept") {
      // The accepted item's command: hearth.completionAccepted -> forgetShown() + prefetch() at the new cursor.
      manager.forgetShown();
      const before = assemblies.records.length;
      manager.prefetch(snap);
      if (assemblies.records.length > before) prefetchCalls++;
    }

    const controller = new AbortController();
    const record: ProvideRecord = {
      keyIndex,
      keyKind: key.kind,
      keyAt,
      calledAt: performance.now(),
      syncMs: 0,
      endedAt: null,
      text: null,
      source: null,
      shown: false,
      ownMs: null,
      assembled: false,
      indexWaitMs: 0,
    };
    const pending = manager.provide({ snapshot: snap, triggerKind: "automatic", signal: controller.signal });
    record.syncMs = performance.now() - record.calledAt;
    provides.push(record);
    const previouslyVisible = visible;
    const done = pending.then(
      (suggestion: Suggestion | null) => {
        record.endedAt = performance.now();
        if (!suggestion || controller.signal.aborted) return;
        record.text = suggestion.text;
        record.source = suggestion.source;
        record.shown = true;
        // Typing through keeps the same ghost text on screen: it stays "seen" since it first appeared.
        const since = suggestion.source === "typed-through" && previouslyVisible ? previouslyVisible.visibleSince : record.endedAt;
        shown = { text: suggestion.text, visibleSince: since };
      },
      () => {
        record.endedAt = performance.now();
      },
    );
    current = { controller, done };
    previous = key;
    lastKeyAt = keyAt;
    config.onKey?.(keyIndex);
  }
  // The last request may still be answered; then the typist stops.
  if (current) await Promise.race([current.done, new Promise((resolve) => setTimeout(resolve, 3000))]);
  current?.controller.abort();
  const durationMs = performance.now() - started;
  manager.dispose();
  // Cancelled calls' replies come late (the engine stops within a token): wait for them, a few seconds at most.
  for (let waited = 0; replies.length < engine.calls.length && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  stopListening();
  context.dispose();
  tokenCounter.dispose();

  analyse(provides, assemblies, engine);
  const outcomes: Record<string, number> = {};
  for (const call of engine.calls) outcomes[call.outcome] = (outcomes[call.outcome] ?? 0) + 1;
  const { segment: _segment, ...rest } = config;
  return {
    config: { ...rest, segment: `${segment.relativePath}:${segment.firstLine}-${segment.lastLine}` },
    keys: provides.length,
    keyKinds,
    charsTyped,
    charsAccepted,
    accepts: keyKinds.accept,
    typedThroughKeys,
    durationMs,
    provides,
    applyEditMs,
    keyLatenessMs,
    outOfStep,
    modelCalls: engine.calls.length,
    prefetchCalls,
    modelCallOutcomes: outcomes,
    engineReplies: replies,
    generations: logger.generations,
    problems: logger.problems,
  };
}

/**
 * The provider's own time per request: everything provide() did on the host except waiting (the debounce pause and
 * the model). Its synchronous part, then for a request that started a model call the context assembly and prompt
 * building up to the engine call, and for any request the work after the model answered until provide() resolved.
 */
function analyse(provides: ProvideRecord[], assemblies: AssemblerProbe, engine: EngineProbe): void {
  for (const record of provides) {
    const end = record.endedAt ?? record.calledAt;
    if (record.source === "typed-through" || record.source === "cache") {
      record.ownMs = end - record.calledAt;
      continue;
    }
    let own = record.syncMs;
    // Only this request's model call can start an assembly between its call and its end (a prefetch starts its own
    // synchronously in prefetch(), before the request).
    const assembly = assemblies.records.find((a) => a.startedAt >= record.calledAt && a.startedAt <= end);
    if (assembly) {
      record.assembled = true;
      const call = engine.calls.find((c) => c.assembly === assembly);
      own += (call ? call.startedAt : assembly.endedAt) - assembly.startedAt;
      record.indexWaitMs = assembly.indexMs;
      record.phases = Object.fromEntries(Object.entries(assembly.phases).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    }
    if (record.shown) {
      // The generation this answer came from: the last model call to end before it.
      let lastEnd = -Infinity;
      for (const call of engine.calls) if (call.endedAt !== null && call.endedAt <= end && call.endedAt > lastEnd) lastEnd = call.endedAt;
      if (lastEnd >= record.calledAt) own += end - lastEnd;
    }
    record.ownMs = own;
  }
}

/** The true continuation at a cursor, when the document is the file's text typed up to there (no typo pending). */
export function truthAt(segment: TypingSegment, text: string, offset: number): string | null {
  const k = offset - segment.head.length;
  if (k < 0 || k > segment.typed.length || text.length !== segment.head.length + k + segment.tail.length) return null;
  const expected = segment.typed.slice(Math.max(0, k - 64), k);
  if (text.slice(offset - expected.length, offset) !== expected) return null;
  return segment.typed.slice(k) + segment.tail.slice(0, 600);
}

function inStep(context: ContextEngine, uri: string, text: string): boolean {
  return (context as unknown as { documents: { getText(uri: string): string | null } }).documents.getText(uri) === text;
}

function sleepUntil(at: number): Promise<void> {
  const ms = at - performance.now();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
