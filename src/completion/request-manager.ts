import { isAbortError } from "../common/abort";
import { Emitter, type Event } from "../common/event";
import type { Logger } from "../common/logger";
import { AdaptiveDebounce, DEFAULT_DEBOUNCE, sleep, type DebounceOptions } from "./adaptive-debounce";
import type { CompletionEngine, CompletionRequest, ContextAssembler, DocumentSnapshot, Suggestion, SuggestionSource } from "./completion-types";
import { DEFAULT_GENERATION, completionContextRequest, generateSuggestion, type GenerationOptions } from "./generate-suggestion";
import { detachedString } from "../common/detached-string";
import { LruCache } from "../common/lru-cache";
import { errorMessage } from "../common/errors";

export interface RequestManagerOptions {
  debounce?: DebounceOptions;
  generation?: Partial<GenerationOptions>;
  cacheSize?: number;
  /** How long a generation nobody waits for any more is kept alive, in case the next keystroke can use it. */
  orphanGraceMs?: number;
  /** The savings, each of which can be switched off (benches measure what each saves); all on by default. */
  features?: Partial<RequestManagerFeatures>;
}

export interface RequestManagerFeatures {
  /** Show the rest of a suggestion the user is typing through, without a model call. */
  typedThrough: boolean;
  /** Answer a cursor position seen before from the LRU cache. */
  cache: boolean;
  /** Keep a model call streaming when the new text continues what it has written (a prefetch is always awaited). */
  inFlightReuse: boolean;
  /** After an accept, compute the next suggestion in the background. */
  prefetch: boolean;
}

export const ALL_FEATURES: RequestManagerFeatures = { typedThrough: true, cache: true, inFlightReuse: true, prefetch: true };

interface InFlight {
  cursor: CursorView;
  /** Raw model output streamed so far. */
  streamed: string;
  /** Called after each streamed chunk (requests waiting on the generation check it still continues their text). */
  onStream: Set<() => void>;
  controller: AbortController;
  done: Promise<string | null>;
  waiters: number;
  orphanTimer: NodeJS.Timeout | undefined;
  source: "model" | "prefetch";
}

interface Shown {
  cursor: CursorView;
  text: string;
}

/**
 * A cursor position as the continuity checks see it: where it is in the document and the text right around it. The
 * checks compare these, never whole prefixes and suffixes, so that they cost the same in a 50 MB file as in a small one.
 */
interface CursorView {
  uri: string;
  languageId: string;
  /** Characters of the document before and after the cursor. */
  before: number;
  after: number;
  /** The last CURSOR_CONTEXT_CHARS before the cursor and the first ones after it. */
  prefixTail: string;
  suffixHead: string;
}

/** What wait() returns when the generation stopped agreeing with the text typed since it started. */
const DIVERGED = Symbol("diverged");

/** How far the user may type ahead of what a generation has written and still wait for it. */
const MAX_TYPED_AHEAD_CHARS = 6;

/**
 * Characters each side of the cursor that identify a position: in the cache, and when deciding whether the text is a
 * position seen before plus what the user typed since (a suggestion's length at most).
 */
const CURSOR_CONTEXT_CHARS = 2000;
const CACHE_SUFFIX_CHARS = 400;

/**
 * The one owner of inline-completion requests. Per keystroke, cheapest first: a suggestion the user is typing through,
 * the cache, a generation already under way that the new text continues, and only then (after an adaptive pause) a new
 * model call, which aborts any other. After an accept it prefetches the next suggestion.
 */
export class RequestManager {
  private readonly cache: LruCache<string, string>;
  private readonly debounce: AdaptiveDebounce;
  private generation: GenerationOptions;
  private readonly orphanGraceMs: number;
  private readonly features: RequestManagerFeatures;
  private inFlight: InFlight | undefined;
  private shown: Shown | undefined;
  private readonly suggestionEmitter = new Emitter<Suggestion>();
  /** Fired for each suggestion returned (the status bar shows the last latency and speed). */
  readonly onDidSuggest: Event<Suggestion> = this.suggestionEmitter.event;

  constructor(
    private readonly deps: { engine: CompletionEngine; context: ContextAssembler; logger: Logger },
    options: RequestManagerOptions = {},
  ) {
    this.cache = new LruCache(options.cacheSize ?? 200);
    this.debounce = new AdaptiveDebounce(options.debounce ?? DEFAULT_DEBOUNCE);
    this.generation = { ...DEFAULT_GENERATION, ...options.generation };
    this.orphanGraceMs = options.orphanGraceMs ?? 200;
    this.features = { ...ALL_FEATURES, ...options.features };
  }

  /** A suggestion for the cursor, or null for none (also when the request was cancelled). */
  async provide(request: CompletionRequest): Promise<Suggestion | null> {
    const started = performance.now();
    const { snapshot, signal } = request;
    const cursor = cursorOf(snapshot);
    const delay = this.debounce.keystroke();
    const answer = (text: string, source: SuggestionSource, generation?: Suggestion["generation"]): Suggestion => {
      this.shown = { cursor, text };
      const suggestion: Suggestion = { text, source, latencyMs: performance.now() - started, ...(generation ? { generation } : {}) };
      this.suggestionEmitter.fire(suggestion);
      return suggestion;
    };

    const typedThrough = this.features.typedThrough ? this.continueShown(cursor) : null;
    if (typedThrough) return answer(typedThrough, "typed-through");

    const cached = this.features.cache ? this.cache.get(cacheKey(cursor)) : undefined;
    if (cached) return answer(cached, "cache");

    const flight = this.inFlight;
    if (flight && (this.features.inFlightReuse || flight.source === "prefetch") && continues(flight, cursor)) {
      // Joined before the model wrote anything, the generation may turn out to say something else: stop waiting then.
      const full = await this.wait(flight, signal, () => !continues(flight, cursor));
      if (signal.aborted) return null;
      if (full === DIVERGED) {
        if (this.inFlight === flight && flight.waiters === 0) this.abortInFlight();
      } else {
        const rest = remainderAfterTyping(full, typedSince(flight.cursor, cursor) ?? "");
        if (rest) return answer(rest, flight.source === "prefetch" ? "prefetch" : "in-flight");
      }
    } else if (flight) {
      // It answers a position the user has left: free the CPU for the new one now, not after the debounce.
      this.abortInFlight();
    }

    // The pause is counted from the keystroke: time spent waiting on a generation above is part of it.
    if (request.triggerKind === "automatic") {
      this.deps.context.prepare?.(completionContextRequest(snapshot, this.generation.budgetTokens));
      if (!(await sleep(delay - (performance.now() - started), signal))) return null;
    }
    // Without a wait, the next key of a burst VS Code delivered at once may have cancelled this one already.
    if (signal.aborted) return null;

    const generated = this.start(snapshot, cursor, "model");
    const text = await this.wait(generated.flight, signal);
    if (signal.aborted || typeof text !== "string" || !text) return null;
    return answer(text, "model", await generated.stats);
  }

  /** After an accept: compute the next suggestion now, so it is ready (or under way) when the user looks for it. */
  prefetch(snapshot: DocumentSnapshot): void {
    if (!this.features.prefetch) return;
    const cursor = cursorOf(snapshot);
    if (this.features.cache && this.cache.get(cacheKey(cursor))) return;
    this.start(snapshot, cursor, "prefetch");
  }

  /** New settings apply from the next model call; cached suggestions stay valid. */
  updateGeneration(options: Partial<GenerationOptions>): void {
    this.generation = { ...this.generation, ...options };
  }

  /**
   * Another model (or none) answers from now on: what the old one wrote must not come back from the cache, through
   * typing-through or from a generation still under way.
   */
  reset(): void {
    this.abortInFlight();
    this.cache.clear();
    this.shown = undefined;
  }

  /** The user accepted (or dismissed) what was shown: it must not come back by typing-through. */
  forgetShown(): void {
    this.shown = undefined;
  }

  dispose(): void {
    this.inFlight?.controller.abort();
    this.inFlight = undefined;
    this.suggestionEmitter.dispose();
  }

  private continueShown(cursor: CursorView): string | null {
    const typed = this.shown ? typedSince(this.shown.cursor, cursor) : null;
    return this.shown && typed !== null ? remainderAfterTyping(this.shown.text, typed) : null;
  }

  /** Starts a model call; whatever ran before is aborted (only the newest request survives). */
  private start(snapshot: DocumentSnapshot, cursor: CursorView, source: InFlight["source"]) {
    this.abortInFlight();
    const controller = new AbortController();
    let resolveStats: (stats: Suggestion["generation"]) => void = () => undefined;
    const stats = new Promise<Suggestion["generation"]>((resolve) => (resolveStats = resolve));
    const flight: InFlight = {
      cursor,
      streamed: "",
      onStream: new Set(),
      controller,
      waiters: 0,
      orphanTimer: undefined,
      source,
      done: Promise.resolve(null),
    };
    flight.done = generateSuggestion(this.deps, snapshot, this.generation, controller.signal, (chunk) => {
      flight.streamed += chunk;
      for (const listener of flight.onStream) listener();
    }).then(
      (result) => {
        resolveStats(result.generation);
        // A detached key: its parts are slices of the document, which the cache would otherwise keep whole.
        if (result.text && this.features.cache) this.cache.set(detachedString(cacheKey(cursor)), result.text);
        this.deps.logger.debug(
          `completion (${source}) ${result.text === null ? "empty" : `${result.text.length} chars`}, stopped by ${result.stoppedBy ?? "the model"}; ${result.generation.promptTokens} prompt + ${result.generation.generatedTokens} generated tokens in ${Math.round(result.generation.totalMs)} ms`,
        );
        return result.text;
      },
      (error: unknown) => {
        resolveStats(undefined);
        if (!isAbortError(error)) this.deps.logger.warn(`completion failed: ${errorMessage(error)}`);
        return null;
      },
    );
    void flight.done.finally(() => {
      clearTimeout(flight.orphanTimer);
      if (this.inFlight === flight) this.inFlight = undefined;
    });
    this.inFlight = flight;
    return { flight, stats };
  }

  /**
   * Waits for a generation on behalf of one request. When the last waiter goes away (VS Code cancels a request on the
   * next keystroke), the generation gets a short grace period: the next keystroke often continues it.
   */
  private async wait(flight: InFlight, signal: AbortSignal, diverged?: () => boolean): Promise<string | null | typeof DIVERGED> {
    flight.waiters++;
    clearTimeout(flight.orphanTimer);
    let onStream: (() => void) | undefined;
    try {
      return await new Promise<string | null | typeof DIVERGED>((resolve) => {
        const onAbort = () => resolve(null);
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        if (diverged) {
          onStream = () => {
            if (!diverged()) return;
            signal.removeEventListener("abort", onAbort);
            resolve(DIVERGED);
          };
          flight.onStream.add(onStream);
        }
        void flight.done.then((text) => {
          signal.removeEventListener("abort", onAbort);
          resolve(text);
        });
      });
    } finally {
      if (onStream) flight.onStream.delete(onStream);
      flight.waiters--;
      if (flight.waiters === 0 && flight.source === "model" && this.inFlight === flight) {
        flight.orphanTimer = setTimeout(() => {
          if (flight.waiters === 0) flight.controller.abort();
        }, this.orphanGraceMs);
      }
    }
  }

  private abortInFlight(): void {
    const flight = this.inFlight;
    if (!flight) return;
    clearTimeout(flight.orphanTimer);
    flight.controller.abort();
    this.inFlight = undefined;
  }
}

/**
 * The new text is the old position plus characters that agree with what the model has written so far. Characters
 * typed beyond what it has written are a bet that it will write them too: a few are worth waiting for, but a typist
 * who outruns the model by more is better served by a request for where they are now.
 */
function continues(flight: InFlight, cursor: CursorView): boolean {
  const typed = typedSince(flight.cursor, cursor);
  if (typed === null) return false;
  if (flight.streamed.startsWith(typed)) return true;
  return typed.startsWith(flight.streamed) && typed.length - flight.streamed.length <= MAX_TYPED_AHEAD_CHARS;
}

/** What is left of `text` after the user typed `typed` of it; null when they typed something else or all of it. */
function remainderAfterTyping(text: string | null, typed: string): string | null {
  if (!text || !text.startsWith(typed) || text.length === typed.length) return null;
  return text.slice(typed.length);
}

function cursorOf(snapshot: DocumentSnapshot): CursorView {
  const { text, offset } = snapshot;
  const before = (snapshot.window?.start ?? 0) + offset;
  return {
    uri: snapshot.uri,
    languageId: snapshot.languageId,
    before,
    after: (snapshot.window?.documentLength ?? text.length) - before,
    prefixTail: text.slice(Math.max(0, offset - CURSOR_CONTEXT_CHARS), offset),
    suffixHead: text.slice(offset, offset + CURSOR_CONTEXT_CHARS),
  };
}

/**
 * What was typed at `then` to reach `now`: the same text after the cursor, and the text before it grown by the typed
 * characters only. Null for any other change near the cursor (or further than the cursor's context can tell).
 */
function typedSince(then: CursorView, now: CursorView): string | null {
  if (then.uri !== now.uri || then.after !== now.after || then.suffixHead !== now.suffixHead) return null;
  const typed = now.before - then.before;
  if (typed < 0 || typed > now.prefixTail.length) return null;
  const kept = now.prefixTail.slice(0, now.prefixTail.length - typed);
  return then.prefixTail.endsWith(kept) ? now.prefixTail.slice(now.prefixTail.length - typed) : null;
}

function cacheKey(cursor: CursorView): string {
  return `${cursor.languageId}\u0000${cursor.prefixTail}\u0000${cursor.suffixHead.slice(0, CACHE_SUFFIX_CHARS)}`;
}
