import type { Tree } from "web-tree-sitter";
import type { LanguageSpec } from "./languages";
import { countNewlines, keepPairs, lineEndWithin, lineStartWithin } from "./text-lines";
import type { CountTokens } from "./token-estimate";
import { pathTo } from "./tree-path";

/**
 * Code does not tokenize to fewer than one token per this many characters (a run of indentation is the best case):
 * a stretch longer than budget × this cannot fit the budget, so it is cut without being counted. Counting a whole
 * minified line to find it too long was most of the cost of a completion in a minified file.
 */
const MAX_CHARS_PER_TOKEN = 16;
/** Where whole lines do not fit, characters are taken instead, at about this many per token. */
const CHARS_PER_TOKEN = 3.5;

/**
 * Whole lines after the cursor (the cursor's line to its end first), up to the budget: `tokens` counts them and `end`
 * ends them. With `moreLines`, the window then goes on, uncounted, for up to that many whole lines in all (at most
 * `moreLines` × 80 characters): a suffix-first prompt keeps its suffix in the KV cache while the user types, so it can
 * show far more of it than the budget of one keystroke's work (the engine cuts what a prefix-first prompt carries).
 */
export function suffixWindow(text: string, offset: number, budget: number, count: CountTokens, moreLines = 0): { end: number; tokens: number } {
  const counted = countedSuffix(text, offset, budget, count);
  if (moreLines <= 0) return counted;
  let end = counted.end;
  let lines = countNewlines(text, offset, end) + 1;
  const maxEnd = Math.min(text.length, offset + moreLines * SENT_CHARS_PER_LINE);
  while (end < maxEnd && lines < moreLines) {
    const next = lineEndWithin(text, end + 1, maxEnd - end);
    if (next > maxEnd || next <= end) break;
    end = next;
    lines++;
  }
  return { end: Math.max(end, counted.end), tokens: counted.tokens };
}

/** Characters per line the uncounted part of the suffix may average. */
const SENT_CHARS_PER_LINE = 80;

function countedSuffix(text: string, offset: number, budget: number, count: CountTokens): { end: number; tokens: number } {
  const maxChars = Math.max(1, budget * MAX_CHARS_PER_TOKEN);
  let end = lineEndWithin(text, offset, maxChars + 1);
  if (end - offset > maxChars) return cutByChars(text, offset, budget, 1, count);
  let tokens = count(text.slice(offset, end));
  if (tokens > budget) return cutByChars(text, offset, budget, 1, count);
  while (end < text.length) {
    const next = lineEndWithin(text, end + 1, Math.max(1, maxChars - (end - offset)));
    if (next - offset > maxChars) break;
    const t = count(text.slice(end, next));
    if (tokens + t > budget) break;
    tokens += t;
    end = next;
  }
  return { end, tokens };
}

/**
 * Where a prefix window may start: on a document line that is a multiple of `lines` (`lineOf` gives an offset's line),
 * or of a power-of-two fraction of it when the window is short (`lines` is a power of two).
 */
export interface PrefixAnchor {
  lines: number;
  lineOf(offset: number): number;
}

/**
 * Whole lines before the cursor, up to the budget. With an anchor, the window then starts on the first anchor line
 * below that (unless that is the cursor's line): its first line stays put while the user types, where a start cut by
 * the budget alone moved down a line whenever the typed text took a line's worth of tokens, and the engine evaluated
 * the whole prefix again each time. At most a quarter of the window's lines are given up for it. With a tree, the window then starts at a statement boundary rather than in the
 * middle of an expression (a few lines are given up for it).
 */
export function prefixWindow(
  text: string,
  offset: number,
  budget: number,
  tree: Tree | null,
  spec: LanguageSpec | null,
  count: CountTokens,
  anchor?: PrefixAnchor,
): { start: number; tokens: number } {
  const maxChars = Math.max(1, budget * MAX_CHARS_PER_TOKEN);
  let start = lineStartWithin(text, offset, maxChars + 1);
  const cut = (): { start: number; tokens: number } => {
    const chars = cutByChars(text, offset, budget, -1, count);
    return { start: chars.end, tokens: chars.tokens };
  };
  if (offset - start > maxChars) return cut();
  let tokens = count(text.slice(start, offset));
  if (tokens > budget) return cut();
  const lineTokens: number[] = [];
  while (start > 0) {
    const prev = lineStartWithin(text, start - 1, Math.max(1, maxChars - (offset - start)));
    if (offset - prev > maxChars) break;
    const t = count(text.slice(prev, start));
    if (tokens + t > budget) break;
    tokens += t;
    lineTokens.push(t);
    start = prev;
  }
  let dropped = 0;
  if (anchor && start > 0) {
    const cursorLine = anchor.lineOf(offset);
    const first = anchor.lineOf(start);
    // At most a quarter of the window is given up: a short window anchors to a finer step (a divisor of the coarse one).
    let step = Math.max(1, Math.floor(anchor.lines));
    while (step > 1 && step > (cursorLine - first) / 4) step = Math.floor(step / 2);
    const target = Math.ceil(first / step) * step;
    if (target > first && target < cursorLine) {
      for (let line = first; line < target; line++) {
        start = lineEndWithin(text, start, offset - start + 1) + 1;
        tokens -= lineTokens[lineTokens.length - 1 - dropped] ?? 0;
        dropped++;
      }
    }
  }
  if (tree && spec && start > 0) {
    for (let i = 0; i < 8 && start < offset; i++) {
      if (startsStatement(tree, text, start, offset, spec)) break;
      const next = lineEndWithin(text, start, offset - start + 1) + 1;
      if (next > offset) break;
      tokens -= lineTokens[lineTokens.length - 1 - dropped - i] ?? 0;
      start = next;
    }
  }
  return { start, tokens };
}

/** A line too long for the budget (minified code): characters instead of lines, never half a surrogate pair. */
function cutByChars(text: string, offset: number, budget: number, direction: 1 | -1, count: CountTokens): { end: number; tokens: number } {
  const chars = Math.max(0, Math.floor(budget * CHARS_PER_TOKEN));
  const end = direction === 1 ? keepPairs(text, Math.min(text.length, offset + chars), -1) : keepPairs(text, Math.max(0, offset - chars), 1);
  const slice = direction === 1 ? text.slice(offset, end) : text.slice(end, offset);
  return { end, tokens: count(slice) };
}

/** Does a statement (or declaration) begin on the line starting at `lineStart` (a line of the prefix window)? */
function startsStatement(tree: Tree, text: string, lineStart: number, limit: number, spec: LanguageSpec): boolean {
  const lineEnd = lineEndWithin(text, lineStart, limit - lineStart + 1);
  const first = text.slice(lineStart, lineEnd).search(/\S/);
  if (first < 0) return true;
  const at = lineStart + first;
  const path = pathTo(tree, at, at);
  if (!path) return false;
  for (let i = path.length - 1, depth = 0; i >= 0 && depth < 20; i--, depth++) {
    if (path[i].startIndex !== at) return false;
    // The root's children are statements; so are a block's.
    if (i <= 1 || spec.blockTypes.has(path[i - 1].type)) return true;
  }
  return false;
}
