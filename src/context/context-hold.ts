import type { ContextItem, HoldChoice } from "./context-types";
import { overlaps } from "./mixer";

/**
 * How long the user must stop for the held context to make room for what the mixer now chooses. Longer than the
 * typist's thinking pause after a line (about 2 s): a pause means the user stopped to look, not to think of the next word.
 */
export const DEFAULT_PAUSE_MS = 3000;

export interface ContextHoldOptions {
  pauseMs?: number;
  /** Milliseconds, monotonic (benches pass a simulated clock). */
  now?: () => number;
}

export interface HoldRequest {
  uri: string;
  /**
   * The cursor's enclosing declarations, innermost first (any strings that name them, e.g. their first lines:
   * not their kinds, which half-typed code can change). Another scope means a fresh choice; an enclosing or enclosed one does not (half-typed code parses now inside
   * the method, now only inside its class).
   */
  scope: readonly string[];
  /** The mixer's choice for this request, in its stable order (orderForCacheReuse). */
  fresh: readonly ContextItem[];
  budgetTokens: number;
}

/**
 * Keeps other files' context in place while the user types. The engine reuses its KV cache up to the first token that
 * changed, and other files' code comes before the code being completed, so a context that changed with every keystroke
 * (a name's score crossing another's, a snippet a little more similar) made the engine evaluate it and the whole prefix
 * after it again: hundreds of tokens per call instead of the few the user typed. So between calls in one scope the
 * held items stay, in their order, and only a definition the mixer now chooses that none of them shows (a new name
 * near the cursor) is added, at the end of the block, where a change costs least, if it fits. After a pause such a
 * definition may take the place of held items the mixer no longer chooses, the last of them first and no more than it
 * needs (a fresh choice there re-sent half the block for the mixer's small reorderings: hundreds of tokens for the first
 * key after each pause). The choice is made afresh in another document, in another enclosing scope, or after the user
 * brought another file to the front; even then the items kept come first in their old order, so only what really
 * changed is evaluated again.
 */
export class ContextHold {
  private held: { uri: string; scope: readonly string[]; items: ContextItem[] } | null = null;
  /**
   * Whether the last choice kept what precedes the prefix as it was (the user typed on in the same scope, or a fresh
   * choice came to the same items), and the prefix's first line.
   */
  private kept = false;
  private lastChoice: HoldChoice = "first";
  private prefixLine: number | null = null;
  /** The user looked at another file than the held one since the last choice. */
  private lookedAway = false;
  /** When the user last typed or asked, per document, and whether a pause came before their latest edit. */
  private readonly activity = new Map<string, { at: number; paused: boolean }>();
  private readonly pauseMs: number;
  private readonly now: () => number;

  constructor(options: ContextHoldOptions = {}) {
    this.pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * The user brought `uri` to the front. Another file than the held one makes the next choice a fresh one: the user went
   * to look at something, and what they saw (the snippets of a file just visited) may be what the prompt should show.
   */
  visited(uri: string): void {
    if (this.held !== null && this.held.uri !== uri) this.lookedAway = true;
  }

  /** The user edited `uri`: an edit after a long quiet spell is a pause. */
  edited(uri: string): void {
    const now = this.now();
    const last = this.activity.get(uri);
    this.activity.set(uri, { at: now, paused: (last?.paused ?? false) || (last !== undefined && now - last.at >= this.pauseMs) });
  }

  /**
   * The items to send: the held ones (with new definitions appended, after a pause in place of the last stale ones), or
   * a fresh choice that keeps what it can.
   */
  choose(request: HoldRequest): ContextItem[] {
    const now = this.now();
    const last = this.activity.get(request.uri);
    const paused = last === undefined || last.paused || now - last.at >= this.pauseMs;
    this.activity.set(request.uri, { at: now, paused: false });
    const held = this.held;
    const lookedAway = this.lookedAway;
    this.lookedAway = false;
    const sameScope = held !== null && held.uri === request.uri && nested(held.scope, request.scope);
    const same = sameScope && !lookedAway;
    const kept = same && !paused;
    const items = kept
      ? extend(held.items, request.fresh, request.budgetTokens)
      : same
        ? extend(held.items, request.fresh, request.budgetTokens, true)
        : keepCommon(held?.items ?? [], request.fresh);
    const unchanged = held !== null && held.uri === request.uri && sameItems(held.items, items);
    this.kept = same || unchanged;
    this.lastChoice = unchanged ? "kept" : kept ? "added" : held === null ? "first" : held.uri !== request.uri ? "document" : !sameScope ? "scope" : lookedAway ? "visit" : "pause";
    // The deeper of two nested scopes is kept: a parse that sees only the class must not make the method forgotten.
    const scope = sameScope && held.scope.length > request.scope.length ? held.scope : request.scope;
    this.held = { uri: request.uri, scope, items };
    return items;
  }

  /**
   * The first line of the prefix window, given the one the budget allows (`line`) and the cursor's. While the held items
   * are kept it stays where it was: a budget that grows back for a call (a token count that came in lower than its
   * estimate, a line deleted) does not move it up, and one that shrinks as the user types does not move it down while
   * `fits` accepts the held line (the prefix may outgrow its budget by what the user typed since the choice, within the
   * slack the caller allows): a first line that moved made the engine evaluate the whole prefix again, hundreds of
   * tokens, for one keystroke. It follows the budget again at the next fresh choice (another scope or document). Call
   * after choose().
   */
  prefixStartLine(line: number, cursorLine: number, fits: (held: number) => boolean = () => false): number {
    const held = this.prefixLine;
    const keep = this.kept && held !== null && held <= cursorLine && (held >= line || fits(held));
    const start = keep ? held : line;
    this.prefixLine = start;
    return start;
  }

  /** What the last choose() did (logs and benches: a change of other files' context should have one of these reasons). */
  get choice(): HoldChoice {
    return this.lastChoice;
  }

  /** The document was closed. */
  forget(uri: string): void {
    this.activity.delete(uri);
    if (this.held?.uri === uri) {
      this.held = null;
      this.prefixLine = null;
      this.kept = false;
    }
  }
}

/**
 * Whether one chain of scopes encloses the other: every scope of the shorter is in the longer (half-typed code may
 * lose any level of the parse for a keystroke; a sibling method is not in the chain).
 */
function nested(a: readonly string[], b: readonly string[]): boolean {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  return short.every((s) => long.includes(s));
}

function identity(item: ContextItem): string {
  return `${item.path}\u0000${item.startLine}\u0000${item.endLine}\u0000${item.text}`;
}

function sameItems(a: readonly ContextItem[], b: readonly ContextItem[]): boolean {
  return a.length === b.length && a.every((item, i) => identity(item) === identity(b[i]!));
}

/**
 * The held items, then the fresh definitions none of them shows, best first, while they fit. After a pause (`evict`)
 * a definition that does not fit makes room: held items the fresh choice no longer has go, the last first, as few as
 * it needs, so that the prompt changes from as late a point as it can.
 */
function extend(held: readonly ContextItem[], fresh: readonly ContextItem[], budgetTokens: number, evict = false): ContextItem[] {
  const items = [...held];
  let used = held.reduce((n, i) => n + i.tokens, 0);
  const known = new Set(held.map(identity));
  const wanted = new Set(fresh.map(identity));
  const added = fresh
    .filter((f) => (f.kind === "definition" || f.kind === "outline") && !known.has(identity(f)))
    .filter((f) => !held.some((h) => h.text === f.text || overlaps(h, f)))
    .sort((a, b) => b.score - a.score);
  for (const item of added) {
    if (evict) used -= makeRoom(items, used + item.tokens - budgetTokens, (i) => known.has(identity(i)) && !wanted.has(identity(i)));
    if (used + item.tokens > budgetTokens) continue;
    if (items.some((i) => overlaps(i, item))) continue;
    items.push(item);
    used += item.tokens;
  }
  return items;
}

/**
 * Removes from `items`, the last first, those `stale` allows, until `excess` tokens are freed, if they can be (none goes
 * otherwise); returns the tokens freed.
 */
function makeRoom(items: ContextItem[], excess: number, stale: (item: ContextItem) => boolean): number {
  if (excess <= 0) return 0;
  const gone: number[] = [];
  let freed = 0;
  for (let i = items.length - 1; i >= 0 && freed < excess; i--) {
    if (!stale(items[i]!)) continue;
    gone.push(i);
    freed += items[i]!.tokens;
  }
  if (freed < excess) return 0;
  for (const i of gone) items.splice(i, 1);
  return freed;
}

/** The fresh choice, reordered: the items it shares with the held ones first, in their held order, then the rest. */
function keepCommon(held: readonly ContextItem[], fresh: readonly ContextItem[]): ContextItem[] {
  const wanted = new Set(fresh.map(identity));
  const kept = held.filter((h) => wanted.has(identity(h)));
  const keptIds = new Set(kept.map(identity));
  return [...kept, ...fresh.filter((f) => !keptIds.has(identity(f)))];
}
