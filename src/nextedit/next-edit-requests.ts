// When next-edit requests run, so that they respect the typist: one starts only after an edit and a short pause, at
// most one is in flight, the next edit, a selection change or an editor switch cancels it, and an answer for an older
// version of the document is dropped. No vscode here: the ide layer reports what happens in the editor and shows what
// this decides.
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import { Emitter, type Event } from "../common/event";
import type { Logger } from "../common/logger";
import type { PromptPiece } from "../fim/types";
import type { EditEvent, EditHistory } from "./edit-history";
import type { NextEditFormat } from "./formats";
import { buildNextEditPrompt, knownPromptPrefix } from "./next-edit-prompt";
import { MAX_WINDOW_CHARS, editOverLimit, windowChars } from "./prompt-bounds";
import { interpretRewrite, type DropReason } from "./rewrite";
import { lineOfOffset } from "./text-lines";

/** The editor as the request sees it, read when the pause ends and again when the answer comes. */
export interface EditorState {
  uri: string;
  path: string;
  version: number;
  text: string;
  /** The cursor's offset in `text`. */
  cursor: number;
  /** A non-empty selection: the user is doing something else, no suggestion. */
  hasSelection: boolean;
}

/** A suggested edit of the document, in its offsets at `version`. */
export interface NextEditSuggestion {
  uri: string;
  version: number;
  start: number;
  end: number;
  text: string;
  /** The document's text at start..end when it was suggested. */
  oldText: string;
  /** From the end of the pause to the suggestion, model time included. */
  latencyMs: number;
  promptTokens: number;
}

export interface NextEditGenerateRequest {
  pieces: PromptPiece[];
  stopStrings: readonly string[];
  maxTokens: number;
  /** The window the model rewrites and the cursor's line in it: the engine stops the answer once the rest is a copy. */
  window: { text: string; cursorLine: number };
}

export interface NextEditGenerateResult {
  text: string;
  promptTokens: number;
}

/** What a prefill evaluated: the known front's tokens, those already cached, those it evaluated. */
export interface NextEditPrefillReport {
  prefixTokens: number;
  cachedTokens: number;
  evaluatedTokens: number;
}

/** The model behind the suggestions (the engine's next-edit role). */
export interface NextEditGenerator {
  generate(request: NextEditGenerateRequest, signal: AbortSignal): Promise<NextEditGenerateResult>;
  /**
   * Evaluates the known front of the next prompt ahead, while the user types (EngineClient.prefillNextEdit); null when
   * the model is not loaded, so nothing was done.
   */
  prefill?(pieces: PromptPiece[], signal: AbortSignal): Promise<NextEditPrefillReport | null>;
}

/** How one prefill ended. */
export type NextEditPrefillOutcome = { kind: "done"; report: NextEditPrefillReport | null } | { kind: "cancelled" } | { kind: "failed"; message: string };

/** What a prefill was started for: while none of it changes, more typing leaves its front as it is. */
interface PrefillKey {
  uri: string;
  line: number;
  lastEvent: EditEvent;
  events: number;
  shownFrom: EditEvent | undefined;
}

/** How one scheduled request ended, for the log, the tests and the bench. */
export type NextEditOutcome =
  | { kind: "shown"; suggestion: NextEditSuggestion }
  | { kind: "dropped"; reason: DropReason }
  | { kind: "stale" }
  | { kind: "cancelled" }
  | { kind: "skipped"; reason: "no-model" | "no-editor" | "selection" | "no-edit" | "long-lines" }
  | { kind: "failed"; message: string };

export interface NextEditRequestsOptions {
  /** Quiet time after an edit before a request starts. */
  pauseMs?: number;
  /** The most tokens an answer may take. */
  maxTokens?: number;
  maxChangedLines?: number;
  now?: () => number;
}

export const DEFAULT_PAUSE_MS = 300;
const DEFAULT_MAX_TOKENS = 512;

export class NextEditRequests {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: AbortController | undefined;
  /** The prefill under way or done for the prompt known now, with what it was started for. */
  private prefilling: { key: PrefillKey; controller: AbortController } | undefined;
  /** The oldest edit the last prompt showed: the next prompt begins with it while it can (KV cache reuse). */
  private shownFrom: EditEvent | undefined;
  private readonly pauseMs: number;
  private readonly now: () => number;
  private readonly outcomeEmitter = new Emitter<NextEditOutcome>();
  private readonly startEmitter = new Emitter<{ uri: string; version: number }>();
  /** A request went to the model (the pause ended and there was something to ask). */
  readonly onDidStart: Event<{ uri: string; version: number }> = this.startEmitter.event;
  /** Every scheduled request's end, suggestion or not. */
  readonly onDidSettle: Event<NextEditOutcome> = this.outcomeEmitter.event;
  private readonly prefillEmitter = new Emitter<{ pieces: PromptPiece[]; outcome: NextEditPrefillOutcome }>();
  /** A prefill's end, with the front it was for. */
  readonly onDidPrefill: Event<{ pieces: PromptPiece[]; outcome: NextEditPrefillOutcome }> = this.prefillEmitter.event;

  constructor(
    private readonly deps: {
      history: EditHistory;
      generator: NextEditGenerator;
      /** The configured next-edit model's format; undefined while none is usable (the feature is off). */
      format: () => NextEditFormat | undefined;
      /** The active editor now; undefined when there is none Hearth may read. */
      editor: () => EditorState | undefined;
      logger: Logger;
    },
    private readonly options: NextEditRequestsOptions = {},
  ) {
    this.pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** The user edited the active document: whatever was pending is cancelled, and a request starts after the pause. */
  edited(): void {
    this.cancelRequest();
    const format = this.deps.format();
    if (!format) return this.stopPrefill();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.pauseMs);
    this.prefill(format);
  }

  /** A selection change, an editor switch, Escape: nothing pending survives it. */
  cancel(): void {
    this.cancelRequest();
    this.stopPrefill();
  }

  private cancelRequest(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = undefined;
  }

  private stopPrefill(): void {
    this.prefilling?.controller.abort();
    this.prefilling = undefined;
  }

  /**
   * While the user types, the engine evaluates the front of the next prompt that more typing on this line cannot change,
   * so that after the pause the request evaluates only the rest. The front changes only when the cursor's line, the
   * edit being typed or the shown edits do: an edit that changes none of them leaves the prefill under way (or done)
   * as it is; any other replaces it. Never more than one: the next prefill, the request and every cancel stop it.
   */
  private prefill(format: NextEditFormat): void {
    const prefill = this.deps.generator.prefill?.bind(this.deps.generator);
    const editor = this.deps.editor();
    const lastEvent = editor && !editor.hasSelection ? this.deps.history.lastEventOf(editor.uri) : undefined;
    if (!prefill || !editor || !lastEvent || lastEvent.after !== editor.text || longLines(editor, format, lastEvent)) return this.stopPrefill();
    const events = shownHistory(this.deps.history.recent());
    const key: PrefillKey = { uri: editor.uri, line: lineOfOffset(editor.text, editor.cursor), lastEvent, events: events.length, shownFrom: this.shownFrom };
    const was = this.prefilling?.key;
    if (was && was.uri === key.uri && was.line === key.line && was.lastEvent === key.lastEvent && was.events === key.events && was.shownFrom === key.shownFrom) return;
    this.stopPrefill();
    const pieces = knownPromptPrefix({ format, path: editor.path, text: editor.text, cursorOffset: editor.cursor, events, lastEvent, ...(this.shownFrom ? { shownFrom: this.shownFrom } : {}) });
    if (pieces.length === 0) return;
    const controller = new AbortController();
    this.prefilling = { key, controller };
    prefill(pieces, controller.signal).then(
      (report) => this.prefillEmitter.fire({ pieces, outcome: { kind: "done", report } }),
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return this.prefillEmitter.fire({ pieces, outcome: { kind: "cancelled" } });
        this.deps.logger.debug(`next-edit prefill failed: ${errorMessage(error)}`);
        this.prefillEmitter.fire({ pieces, outcome: { kind: "failed", message: errorMessage(error) } });
      },
    );
  }

  get busy(): boolean {
    return this.timer !== undefined || this.inFlight !== undefined;
  }

  dispose(): void {
    this.cancel();
    this.outcomeEmitter.dispose();
    this.startEmitter.dispose();
    this.prefillEmitter.dispose();
  }

  private async run(): Promise<void> {
    const started = this.now();
    // The request goes on from what the prefill evaluated (the engine stops it there too); the next edit starts another.
    this.stopPrefill();
    const format = this.deps.format();
    const editor = this.deps.editor();
    if (!format) return this.settle({ kind: "skipped", reason: "no-model" });
    if (!editor) return this.settle({ kind: "skipped", reason: "no-editor" });
    if (editor.hasSelection) return this.settle({ kind: "skipped", reason: "selection" });
    const lastEvent = this.deps.history.lastEventOf(editor.uri);
    if (!lastEvent || lastEvent.after !== editor.text) return this.settle({ kind: "skipped", reason: "no-edit" });
    if (longLines(editor, format, lastEvent)) return this.settle({ kind: "skipped", reason: "long-lines" });
    const events = shownHistory(this.deps.history.recent());
    const build = (maxDiffs?: number) =>
      buildNextEditPrompt({
        format,
        path: editor.path,
        text: editor.text,
        cursorOffset: editor.cursor,
        events,
        lastEvent,
        // A retry with fewer diffs shows the newest ones: the cache is lost anyway with the blocks it drops.
        ...(maxDiffs !== undefined ? { maxDiffs } : this.shownFrom ? { shownFrom: this.shownFrom } : {}),
      });
    let prompt = build();
    this.shownFrom = prompt.shownFrom;
    const controller = new AbortController();
    this.inFlight = controller;
    this.startEmitter.fire({ uri: editor.uri, version: editor.version });
    let answer: NextEditGenerateResult;
    // The window is the same whatever diffs a retry shows. The rewrite is about as long as it; a little room over it
    // lets a model add a few lines.
    const maxTokens = Math.min(this.options.maxTokens ?? DEFAULT_MAX_TOKENS, Math.ceil(prompt.window.text.length / 2) + 64);
    const window = { text: prompt.window.text, cursorLine: lineOfOffset(prompt.window.text, editor.cursor - prompt.window.start) };
    try {
      for (;;) {
        try {
          answer = await this.deps.generator.generate({ pieces: prompt.pieces, stopStrings: format.stopStrings, maxTokens, window }, controller.signal);
          break;
        } catch (error) {
          // Only the engine knows the prompt's tokens: a long history (a big paste, many edits) that does not fit the
          // model's context loses its oldest diffs, half at a time, rather than the suggestion. The window stays whole.
          if (controller.signal.aborted || !promptTooLong(error) || prompt.diffCount === 0) throw error;
          const fewer = Math.floor(prompt.diffCount / 2);
          this.deps.logger.debug(`next-edit prompt does not fit the model's context with ${prompt.diffCount} recent edits; trying ${fewer}`);
          prompt = build(fewer);
          this.shownFrom = prompt.shownFrom;
        }
      }
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return this.settle({ kind: "cancelled" });
      this.deps.logger.warn(`next-edit request failed: ${errorMessage(error)}`);
      return this.settle({ kind: "failed", message: errorMessage(error) });
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
    if (controller.signal.aborted) return this.settle({ kind: "cancelled" });
    const now = this.deps.editor();
    if (!now || now.uri !== editor.uri || now.version !== editor.version) return this.settle({ kind: "stale" });
    const outcome = interpretRewrite({
      current: prompt.window.text,
      original: prompt.original,
      output: answer.text,
      cursor: editor.cursor - prompt.window.start,
      stopStrings: format.stopStrings,
      ...(this.options.maxChangedLines !== undefined ? { maxChangedLines: this.options.maxChangedLines } : {}),
    });
    if (outcome.kind === "dropped") return this.settle(outcome);
    const start = prompt.window.start + outcome.edit.start;
    const end = prompt.window.start + outcome.edit.end;
    this.settle({
      kind: "shown",
      suggestion: {
        uri: editor.uri,
        version: editor.version,
        start,
        end,
        text: outcome.edit.text,
        oldText: editor.text.slice(start, end),
        latencyMs: Math.round(this.now() - started),
        promptTokens: answer.promptTokens,
      },
    });
  }

  private settle(outcome: NextEditOutcome): void {
    if (outcome.kind !== "shown" && outcome.kind !== "cancelled") this.deps.logger.debug(`next edit: ${describe(outcome)}`);
    this.outcomeEmitter.fire(outcome);
  }
}

/**
 * A window around the cursor too long for a prompt (a minified line in it), or a last edit too large to show (a 1 MB
 * paste, a bundle line deleted): no model rewrites that, and building the prompt alone cost megabytes per keystroke.
 */
function longLines(editor: EditorState, format: NextEditFormat, lastEvent: EditEvent): boolean {
  return windowChars(editor.text, editor.cursor, format.windowAbove, format.windowBelow) > MAX_WINDOW_CHARS || editOverLimit(lastEvent);
}

/** The recent edits a prompt may show: one whose changed lines are too long for a diff block is left out. */
function shownHistory(events: readonly EditEvent[]): EditEvent[] {
  return events.filter((event) => !editOverLimit(event));
}

/** The engine's refusal of a prompt longer than the model's context (EngineError code "prompt-too-long"). */
function promptTooLong(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "prompt-too-long";
}

function describe(outcome: NextEditOutcome): string {
  switch (outcome.kind) {
    case "dropped":
    case "skipped":
      return `${outcome.kind} (${outcome.reason})`;
    case "failed":
      return `failed: ${outcome.message}`;
    default:
      return outcome.kind;
  }
}
