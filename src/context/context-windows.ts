import type { Tree } from "web-tree-sitter";
import type { LanguageSpec } from "./languages";
import { keepPairs, lineEndWithin, lineStartWithin } from "./text-lines";
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

/** Whole lines after the cursor (the cursor's line to its end first), up to the budget. */
export function suffixWindow(text: string, offset: number, budget: number, count: CountTokens): { end: number; tokens: number } {
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
 * Whole lines before the cursor, up to the budget. With a tree, the window then starts at a statement boundary
 * rather than in the middle of an expression (a few lines are given up for it).
 */
export function prefixWindow(text: string, offset: number, budget: number, tree: Tree | null, spec: LanguageSpec | null, count: CountTokens): { start: number; tokens: number } {
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
  if (tree && spec && start > 0) {
    for (let i = 0; i < 8 && start < offset; i++) {
      if (startsStatement(tree, text, start, offset, spec)) break;
      const next = lineEndWithin(text, start, offset - start + 1) + 1;
      if (next > offset) break;
      tokens -= lineTokens[lineTokens.length - 1 - i] ?? 0;
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
