// The prompt layout that lets the engine reuse its KV cache from one keystroke to the next.
//
// llama.cpp (and node-llama-cpp's `adaptStateToTokens`) keeps the evaluated state of the longest common token prefix
// between the previous prompt and the new one; everything after the first changed token is evaluated again. So:
//   1. What changes least comes first: the other files' snippets / repository context (pass them in a stable order),
//      then the code prefix, then the suffix.
//   2. The prefix window is cut at a line start, and that start does not move while the user types: it is snapped to a
//      multiple of `prefixAnchorLines` document lines, so it moves only when the cursor crosses such a line (or the
//      window outgrows `maxPrefixChars`). A window that slides with every keystroke ("the last 2,000 characters")
//      changes the first tokens of the prompt every time and defeats every cache: the engine issue measured ~700 prompt
//      tokens re-evaluated per request for it, against the 2 that really changed.
//   3. In prefix–suffix–middle order (Qwen, DeepSeek, StarCoder2, CodeGemma) the suffix comes after the cursor, so
//      each keystroke would re-evaluate the whole suffix. The local engine moves the suffix's cache instead
//      (engine/worker/suffix-reuse.mts, where the model can shift its cache): the suffix is then the rest of the
//      enclosing block up to 64 lines (PSM_REUSE_WINDOW). Without that reuse (a team server, whose llama-server cannot
//      insert before cached tokens; a model that cannot shift) it is the rest of the block cut at 16 lines
//      (PSM_WINDOW). Both keep at least two lines. In suffix-first order (Codestral, Mellum, StarCoder, CodeLlama) the
//      suffix precedes the prefix and is reused while the user types, so it is long: 64 lines, as llama.vscode sends.
//   4. The order stays the one the model was trained on (formats.ts says which and where from): moving the cursor's
//      line after the middle token is faster but outside the training distribution.
import { commentSyntaxFor } from "./comments";
import type { FimFormat, FimSnippet, PromptPiece } from "./types";

export interface FimWindowOptions {
  /** Whole lines kept before the cursor's line, at most. */
  maxPrefixLines: number;
  /** The prefix window starts on a document line that is a multiple of this, so typing does not move it. */
  prefixAnchorLines: number;
  /** Characters of prefix at most (the start then moves down by whole anchor steps). */
  maxPrefixChars: number;
  /** Whole lines kept after the cursor's line (whose rest is always kept), at most. */
  maxSuffixLines: number;
  /** Characters of suffix at most. */
  maxSuffixChars: number;
  /**
   * Cut the suffix at the end of the block the cursor is in (by indentation: the lines indented at least as deep as
   * the cursor's, and a closing line such as `}`), keeping at least `minSuffixLines` lines after the cursor's.
   */
  suffixToBlockEnd: boolean;
  minSuffixLines: number;
}

/**
 * Prefix–suffix–middle: the suffix is evaluated again on every keystroke, so it ends with the enclosing block, and a
 * long block is cut at 16 lines. Measured on the cache bench's typing replays (bench/RESULTS.md, "What each suffix line
 * costs a prefix-first model"): a line costs about 6 tokens per call (21 ms at 0.5B's CPU prompt speed); the enclosing
 * block ends within 2 lines for 73% of calls, within 16 for 95%, and no more often within 32 or 64; to the block's end
 * the suffix is 14 tokens p50, the cost of 2 fixed lines, for the reach of 16.
 */
export const PSM_WINDOW: Readonly<FimWindowOptions> = {
  maxPrefixLines: 80,
  prefixAnchorLines: 16,
  maxPrefixChars: 4000,
  maxSuffixLines: 16,
  maxSuffixChars: 1200,
  suffixToBlockEnd: true,
  minSuffixLines: 2,
};

/** Suffix first: the suffix stays in the cache while the user types, so 64 lines of it cost nothing per keystroke. */
export const SPM_WINDOW: Readonly<FimWindowOptions> = { ...PSM_WINDOW, maxSuffixLines: 64, maxSuffixChars: 5120, suffixToBlockEnd: false };

/**
 * Prefix first on an engine that moves the suffix's cache across keystrokes (engine/worker/suffix-reuse.mts): the
 * suffix costs only while it is evaluated in order (the first request, a pause's refresh), so the whole enclosing block
 * goes in, up to SPM_WINDOW's 64 lines.
 */
export const PSM_REUSE_WINDOW: Readonly<FimWindowOptions> = { ...PSM_WINDOW, maxSuffixLines: 64, maxSuffixChars: 5120 };

/**
 * The window for `format` on an engine that does (`suffixReuse`) or does not reuse a prefix-first suffix's cache: the
 * one rule for every engine (the local one asks with its reuse's availability, a team server without).
 */
export function defaultFimWindow(format: Pick<FimFormat, "order">, options: { suffixReuse?: boolean } = {}): FimWindowOptions {
  if (format.order === "spm") return { ...SPM_WINDOW };
  return { ...(options.suffixReuse ? PSM_REUSE_WINDOW : PSM_WINDOW) };
}

export interface RenderFimPromptInput {
  format: FimFormat;
  /** Text before the cursor (the whole document's, or from `prefixStartLine` on), ending with the cursor line's start. */
  prefix: string;
  /** Text after the cursor. */
  suffix: string;
  /** Other files' code, in an order that does not change from keystroke to keystroke. */
  snippets?: readonly FimSnippet[];
  /** Workspace-relative path of the current file (forward slashes). */
  filePath?: string;
  /** Workspace (repository) name, for formats with a repository layout. */
  repoName?: string;
  /** VS Code language id, for the comment syntax of context snippets (else the path's extension is used). */
  languageId?: string;
  /**
   * Document line on which `prefix` begins (0 when it is all the text before the cursor). Anchors count from the
   * document's first line, so a caller that pre-cuts the prefix must say where, or the anchor would move with its cut.
   */
  prefixStartLine?: number;
  /** The engine reuses a prefix-first suffix's cache across keystrokes (see defaultFimWindow). */
  suffixReuse?: boolean;
  window?: Partial<FimWindowOptions>;
}

export interface FimPrompt {
  pieces: PromptPiece[];
  /** The prefix window that went into the prompt. */
  prefix: string;
  /** The suffix window that went into the prompt. */
  suffix: string;
  /** Document line where the prefix window begins. */
  prefixStartLine: number;
  stopTokens: readonly string[];
  stopStrings: readonly string[];
  /** Every special-token text of the format: pass it as `guard` when tokenising, so user code never becomes one. */
  specialTokens: readonly string[];
}

/** Cuts the windows and renders them in `format`: the one call the engine makes per completion request. */
export function renderFimPrompt(input: RenderFimPromptInput): FimPrompt {
  const window = { ...defaultFimWindow(input.format, { suffixReuse: input.suffixReuse ?? false }), ...input.window };
  const prefix = cutPrefixWindow(input.prefix, window, input.prefixStartLine ?? 0);
  const suffix = cutSuffixWindow(window.suffixToBlockEnd ? input.suffix.slice(0, blockEnd(input.prefix, input.suffix, window.minSuffixLines)) : input.suffix, window);
  const pieces = input.format.render({
    prefix: prefix.text,
    suffix,
    snippets: input.snippets ?? [],
    filePath: input.filePath,
    repoName: input.repoName,
    comment: commentSyntaxFor(input.languageId, input.filePath),
  });
  return {
    pieces,
    prefix: prefix.text,
    suffix,
    prefixStartLine: prefix.startLine,
    stopTokens: input.format.stopTokens,
    stopStrings: input.format.stopStrings,
    specialTokens: input.format.specialTokens,
  };
}

/**
 * The end of `prefix` from a line start that is a multiple of `prefixAnchorLines` (counted from document line 0, with
 * `prefix` beginning on `startLine`), keeping at most `maxPrefixLines` whole lines before the cursor's line and at most
 * `maxPrefixChars` characters. Only a cursor line longer than `maxPrefixChars` on its own is cut inside a line.
 */
export function cutPrefixWindow(
  prefix: string,
  options: Pick<FimWindowOptions, "maxPrefixLines" | "prefixAnchorLines" | "maxPrefixChars">,
  startLine = 0,
): { text: string; startLine: number } {
  const anchor = Math.max(1, Math.floor(options.prefixAnchorLines));
  const maxLines = Math.max(0, Math.floor(options.maxPrefixLines));
  const maxChars = Math.max(0, Math.floor(options.maxPrefixChars));
  const base = Math.max(0, Math.floor(startLine));
  const cursorLine = base + countNewlines(prefix);
  let first = Math.min(cursorLine, Math.max(base, roundUp(cursorLine - maxLines, anchor)));
  // lineStarts[b] = offset in `prefix` of the line b lines above the cursor's line.
  const lineStarts = lineStartsAbove(prefix, cursorLine - first);
  const startOf = (line: number) => lineStarts[cursorLine - line];
  while (prefix.length - startOf(first) > maxChars && first < cursorLine) {
    first = Math.min(cursorLine, (Math.floor(first / anchor) + 1) * anchor);
  }
  if (prefix.length - startOf(first) > maxChars) return { text: prefix.slice(prefix.length - maxChars), startLine: cursorLine };
  return { text: prefix.slice(startOf(first)), startLine: first };
}

/**
 * The start of `suffix`: the rest of the cursor's line and at most `maxSuffixLines` more whole lines (each with its line
 * break), dropping whole lines from the end to stay within `maxSuffixChars`.
 */
export function cutSuffixWindow(suffix: string, options: Pick<FimWindowOptions, "maxSuffixLines" | "maxSuffixChars">): string {
  const maxLines = Math.max(0, Math.floor(options.maxSuffixLines));
  const maxChars = Math.max(0, Math.floor(options.maxSuffixChars));
  // Possible ends: after the cursor line's break, after each following line's break, or the end of the text.
  const ends: number[] = [];
  let from = 0;
  while (ends.length <= maxLines) {
    const newline = suffix.indexOf("\n", from);
    if (newline < 0) {
      ends.push(suffix.length);
      break;
    }
    ends.push(newline + 1);
    from = newline + 1;
  }
  for (let i = ends.length - 1; i >= 0; i--) if (ends[i] <= maxChars) return suffix.slice(0, ends[i]);
  return suffix.slice(0, maxChars);
}

/**
 * Where the block the cursor is in ends, in `suffix`: after the last of the lines that follow the cursor's line and are
 * indented at least as deep as it (blank lines between them included), and after a closing line (`}`, `)`, `end`, …)
 * just below them; but at least `minLines` lines after the cursor's. Lexical, so it works for every language and for
 * code that does not parse while it is typed.
 */
export function blockEnd(prefix: string, suffix: string, minLines: number): number {
  const lineStart = prefix.lastIndexOf("\n") + 1;
  const firstBreak = suffix.indexOf("\n");
  const cursorLine = prefix.slice(lineStart) + (firstBreak < 0 ? suffix : suffix.slice(0, firstBreak));
  if (firstBreak < 0) return suffix.length;
  const indent = cursorIndent(cursorLine, prefix, lineStart, suffix, firstBreak);
  let end = firstBreak + 1;
  let minEnd = end;
  let line = 0;
  let inBlock = true;
  for (let from = firstBreak + 1; from < suffix.length; ) {
    const next = suffix.indexOf("\n", from);
    const to = next < 0 ? suffix.length : next + 1;
    const text = suffix.slice(from, next < 0 ? suffix.length : next);
    line++;
    if (line <= minLines) minEnd = to;
    if (inBlock && text.trim() !== "") {
      if (indentWidth(text) >= indent && indent > 0) end = to;
      else {
        if (CLOSING_LINE.test(text.trim())) end = to;
        inBlock = false;
      }
    }
    if (!inBlock && line >= minLines) break;
    from = to;
  }
  return Math.max(end, minEnd);
}

/** How far a blank cursor line looks up and down for the lines around it. */
const BLANK_LINE_LOOKAROUND = 64;

/**
 * The indentation that stands for the cursor's line. A blank line (after Enter, or an empty line clicked) does not yet
 * say which block the user writes in; the lines around it do: the shallower of the nearest non-blank lines above and
 * below, the block they share, unless the blank line is indented deeper already. Typing the line's indentation then
 * leaves the suffix as it was, and with it the suffix's KV cache: on Axios.js the first keystroke of a typed line
 * otherwise made the suffix grow from 2 lines to its block's 64 and evaluated 364 tokens (bench:engine, issue 16).
 */
function cursorIndent(cursorLine: string, prefix: string, lineStart: number, suffix: string, firstBreak: number): number {
  const typed = indentWidth(cursorLine);
  if (cursorLine.trim() !== "") return typed;
  let above: number | undefined;
  for (let end = lineStart - 1, n = 0; end > 0 && n < BLANK_LINE_LOOKAROUND && above === undefined; n++) {
    const start = prefix.lastIndexOf("\n", end - 1) + 1;
    const text = prefix.slice(start, end);
    if (text.trim() !== "") above = indentWidth(text);
    end = start - 1;
  }
  let below: number | undefined;
  for (let from = firstBreak + 1, n = 0; from < suffix.length && n < BLANK_LINE_LOOKAROUND && below === undefined; n++) {
    const next = suffix.indexOf("\n", from);
    const text = suffix.slice(from, next < 0 ? suffix.length : next);
    if (text.trim() !== "") below = indentWidth(text);
    from = next < 0 ? suffix.length : next + 1;
  }
  const around = above === undefined ? below : below === undefined ? above : Math.min(above, below);
  return Math.max(typed, around ?? 0);
}

/** A line that closes a block: a bracket, or a keyword some languages end blocks with. */
const CLOSING_LINE = /^(?:[}\])]|end\b|fi\b|done\b|esac\b|endif\b|endfor\b|endwhile\b|endfunction\b)/;

function indentWidth(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === " ") width++;
    else if (c === "\t") width += 4;
    else break;
  }
  return width;
}

/** The prompt as one string with special tokens written out, for logs and debugging (never for tokenising). */
export function promptToText(pieces: readonly PromptPiece[]): string {
  return pieces.map((piece) => (piece.kind === "text" ? piece.text : piece.token)).join("");
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

function lineStartsAbove(text: string, lines: number): number[] {
  const starts: number[] = [];
  let pos = text.length;
  for (let b = 0; b <= lines; b++) {
    const newline = pos > 0 ? text.lastIndexOf("\n", pos - 1) : -1;
    starts.push(newline + 1);
    if (newline < 0) {
      // No more lines above: the rest are all at offset 0 (cannot happen for lines within the prefix).
      while (starts.length <= lines) starts.push(0);
      break;
    }
    pos = newline;
  }
  return starts;
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
