import type { ContextItem } from "./context-types";
import type { ScoredItem } from "./retrievers/retriever";
import type { CountTokens } from "./token-estimate";

export interface MixOptions {
  /** Tokens the chosen items may take together. */
  budgetTokens: number;
  countTokens: CountTokens;
  /**
   * Lines of the document being completed that the prompt shows anyway (from the smallest prefix window to the end
   * of the suffix window): its own definitions there are not sent again.
   */
  shownLines?: { startLine: number; endLine: number };
}

/**
 * Chooses the items of a context from every retriever's candidates: best score first; an item that overlaps one
 * already chosen, or repeats its text, is left out; an item that does not fit what is left of the budget falls back to
 * its header (a signature, a class line) or is left out. When a definition is left out because what it encloses was
 * chosen (a class whose methods were), its header is kept if it fits: the class's name is what `Status.fromCode(…)`
 * needs. Candidates of equal score keep the order they came in.
 */
export function mix(candidates: readonly ScoredItem[], options: MixOptions): ScoredItem[] {
  const chosen: ScoredItem[] = [];
  let used = 0;
  const take = (item: ScoredItem): boolean => {
    if (used + item.tokens > options.budgetTokens) return false;
    chosen.push(item);
    used += item.tokens;
    return true;
  };
  const shown = options.shownLines;
  const isShown = (item: ScoredItem): boolean =>
    !!shown && item.source === "same-file" && item.kind === "definition" && item.startLine >= shown.startLine && item.endLine <= shown.endLine;
  for (const item of [...candidates].sort((a, b) => b.score - a.score)) {
    if (isShown(item)) continue;
    const overlapping = chosen.filter((c) => overlaps(c, item));
    if (overlapping.length || chosen.some((c) => c.text === item.text)) {
      const name = enclosingHeader(item, overlapping, options.countTokens);
      if (name && !isShown(name)) take(name);
      continue;
    }
    if (!take(item) && (item.kind === "definition" || item.kind === "outline") && item.header && item.header !== item.text) {
      take(headerOf(item, options.countTokens));
    }
  }
  return chosen;
}

/**
 * The header of a definition that overlaps only chosen items inside its body (a class whose methods were chosen), as
 * an item of the header's own lines; null for anything else.
 */
function enclosingHeader(item: ScoredItem, overlapping: readonly ScoredItem[], count: CountTokens): ScoredItem | null {
  const header = item.header;
  if (item.kind !== "definition" || !header || header === item.text || !overlapping.length) return null;
  const endLine = item.startLine + header.split("\n").length - 1;
  if (!overlapping.every((c) => c.startLine > endLine && c.endLine <= item.endLine)) return null;
  return headerOf(item, count);
}

/**
 * A definition as its header alone, spanning the header's own lines: a class sent shortened must not block its members
 * as if its body were sent. An outline keeps its span (it overlaps nothing: see overlaps).
 */
function headerOf(item: ScoredItem, count: CountTokens): ScoredItem {
  const header = item.header ?? item.text;
  const endLine = item.kind === "definition" ? Math.min(item.endLine, item.startLine + header.split("\n").length - 1) : item.endLine;
  return { ...item, text: header, tokens: count(header), endLine };
}

/** Whether two items show some of the same lines of a file. */
export function overlaps(a: ContextItem, b: ContextItem): boolean {
  // A scope's header and a module's outline are one-line summaries: they leave room for the code they summarise.
  const summary = (i: ContextItem): boolean => i.kind === "scope" || i.kind === "outline";
  return a.path === b.path && a.startLine <= b.endLine && b.startLine <= a.endLine && !summary(a) && !summary(b);
}

/**
 * The items the final prefix window does not show: this document's own items (other than its scopes' headers) on the
 * lines from where the prefix starts to the end of the suffix are dropped.
 */
export function withoutShown(items: readonly ScoredItem[], startLine: number, endLine: number): ScoredItem[] {
  return items.filter((c) => !(c.source === "same-file" && c.kind !== "scope" && c.startLine >= startLine && c.endLine <= endLine));
}

/** Stable order, what changes least first (keeps the KV cache warm): other files' definitions, snippets, then this file's imports, definitions and scopes. Items lose their headers. */
export function orderForCacheReuse(items: readonly ScoredItem[]): ContextItem[] {
  const group = (i: ContextItem): number => {
    if (i.source !== "same-file") return i.kind === "definition" ? 0 : 1;
    return i.kind === "imports" ? 2 : i.kind === "definition" ? 3 : 4;
  };
  return [...items]
    .sort((a, b) => group(a) - group(b) || a.path.localeCompare(b.path) || a.startLine - b.startLine)
    .map(({ header: _header, ...item }) => item);
}
