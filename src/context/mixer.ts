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
 * What a candidate's whole text is worth next to another candidate's header, per point of score: with a tight budget
 * the signatures of every name near the cursor help a completion more than the body of one of them.
 */
const WHOLE_WEIGHT = 0.5;

/** One choice the mixer considers: a candidate's short form (its header), or its whole text. */
interface Step {
  index: number;
  whole: boolean;
  priority: number;
}

/**
 * Chooses the items of a context from every retriever's candidates. Each candidate with a header (a definition's
 * signature, a class line, a module outline's short form) is considered twice: its header at its score, its whole text
 * later, at a fraction of it; so a tight budget holds the headers of every well-scored name, and the bodies come with
 * what is left, best first. A candidate without a short form (a snippet) is considered once, whole. An item that
 * overlaps one already chosen, or repeats its text, is left out; a definition sent as its header alone spans the
 * header's lines only. When a definition is chosen inside another candidate (a method of a class), the enclosing one's
 * header comes with it if it fits: the class's name is what `Status.fromCode(…)` needs. What is left at the end goes to
 * the first lines of the best-ranked definition still sent as its header. Candidates of equal score keep the order
 * they came in; the items come back best-ranked first.
 */
export function mix(candidates: readonly ScoredItem[], options: MixOptions): ScoredItem[] {
  const shown = options.shownLines;
  const isShown = (item: ScoredItem): boolean =>
    !!shown && item.source === "same-file" && item.kind === "definition" && item.startLine >= shown.startLine && item.endLine <= shown.endLine;
  const ranked = candidates
    .filter((c) => !isShown(c))
    .map(spanShown)
    .sort((a, b) => b.score - a.score);
  const steps: Step[] = [];
  ranked.forEach((item, index) => {
    if (!hasShortForm(item)) steps.push({ index, whole: true, priority: item.score });
    else steps.push({ index, whole: false, priority: item.score }, { index, whole: true, priority: item.score * WHOLE_WEIGHT });
  });
  // Stable: of equal priority, the better-ranked candidate's step first, a header before its own whole text.
  steps.sort((a, b) => b.priority - a.priority || a.index - b.index || Number(a.whole) - Number(b.whole));

  /** What is chosen for each candidate (by its index in `ranked`): its header or its whole text. */
  const chosen = new Map<number, ScoredItem>();
  let used = 0;
  const blocked = (form: ScoredItem, self: number): boolean => {
    for (const [i, c] of chosen) if (i !== self && (overlaps(c, form) || c.text === form.text)) return true;
    return false;
  };
  const fits = (tokens: number): boolean => used + tokens <= options.budgetTokens;
  /** The header of a not yet chosen candidate that encloses `item` (its class), if one fits with `extra` more tokens. */
  const enclosing = (item: ScoredItem, extra: number): { index: number; form: ScoredItem } | null => {
    const found = ranked.findIndex((c, i) => !chosen.has(i) && encloses(c, item));
    if (found < 0) return null;
    const form = headerOf(ranked[found], options.countTokens);
    return fits(extra + form.tokens) && !blocked(form, found) ? { index: found, form } : null;
  };

  for (const step of steps) {
    if (options.budgetTokens - used <= 0) break;
    const item = ranked[step.index];
    const current = chosen.get(step.index);
    if (step.whole && current) {
      // A header taken earlier grows into the whole text if that fits and shows nothing chosen since (its methods).
      if (!fits(item.tokens - current.tokens) || blocked(item, step.index)) continue;
      chosen.set(step.index, item);
      used += item.tokens - current.tokens;
      continue;
    }
    if (step.whole && hasShortForm(item)) continue; // its header did not fit or was left out: neither does the rest
    const form = step.whole ? item : headerOf(item, options.countTokens);
    if (blocked(form, step.index) || !fits(form.tokens)) continue;
    const outer = enclosing(item, form.tokens);
    if (outer) {
      chosen.set(outer.index, outer.form);
      used += outer.form.tokens;
    }
    chosen.set(step.index, form);
    used += form.tokens;
  }
  // What the whole texts leave: the best-ranked definition still sent as its header grows into as many of its lines as
  // fit (a long class's first members), rather than leave the budget unused.
  for (const index of [...chosen.keys()].sort((a, b) => a - b)) {
    const room = options.budgetTokens - used;
    if (room < MIN_PART_TOKENS) break;
    const item = ranked[index];
    const current = chosen.get(index)!;
    if (current === item || item.kind !== "definition" || !hasShortForm(item)) continue;
    const part = leadingPart(item, current.tokens + room, options.countTokens);
    if (!part || part.tokens <= current.tokens || blocked(part, index)) continue;
    chosen.set(index, part);
    used += part.tokens - current.tokens;
  }
  return [...chosen.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}

/** Less room than this is not worth growing a header into part of its text. */
const MIN_PART_TOKENS = 8;

/**
 * The first lines of a candidate's whole text that fit in `tokens` (with a line saying the rest is left out), spanning
 * the lines they come from as far as the whole text tells (an outline's lines are not the file's: it keeps its span);
 * null when not even its first line fits. Counted line by line, so linear in the text.
 */
function leadingPart(item: ScoredItem, tokens: number, count: CountTokens): ScoredItem | null {
  const lines = item.text.split("\n");
  const more = "…";
  let used = count(more);
  let kept = 0;
  for (const line of lines) {
    const t = count(line + "\n");
    if (used + t > tokens) break;
    used += t;
    kept++;
  }
  // Only worth it with more than the header's own lines.
  if (kept <= (item.header ?? "").split("\n").length || kept >= lines.length) return null;
  const text = [...lines.slice(0, kept), more].join("\n");
  const endLine = item.kind === "definition" && lines.length === item.endLine - item.startLine + 1 ? item.startLine + kept - 1 : item.endLine;
  return { ...item, text, tokens: count(text), endLine };
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

/**
 * A definition whose text is only its header (the index shortens a long function to `header …`, and a class whose
 * body it cannot tell to its header line) spans the header's lines: it must not block its members as if it showed them.
 */
function spanShown(item: ScoredItem): ScoredItem {
  const header = item.header;
  if (item.kind !== "definition" || !header || (item.text !== header && item.text !== `${header} …`)) return item;
  const endLine = Math.min(item.endLine, item.startLine + header.split("\n").length - 1);
  return endLine === item.endLine ? item : { ...item, endLine };
}

/** Whether a candidate has a shorter form to send when the budget is tight. */
function hasShortForm(item: ScoredItem): item is ScoredItem & { header: string } {
  return (item.kind === "definition" || item.kind === "outline") && !!item.header && item.header !== item.text && item.header.length < item.text.length;
}

/** Whether `outer` is a definition that holds `inner` below its header (a class and one of its methods). */
function encloses(outer: ScoredItem, inner: ScoredItem): boolean {
  return (
    outer.kind === "definition" &&
    inner.kind === "definition" &&
    hasShortForm(outer) &&
    outer.path === inner.path &&
    outer.startLine < inner.startLine &&
    inner.endLine <= outer.endLine
  );
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
