// What happened to one hostile input, and the figures a corpus adds up to. Shared by the reliability bench and the
// unit layer's samples of it (test/unit/reliability/).

/**
 * - refused: turned away with a message a user can act on;
 * - unclear: turned away, but with a message that is not (a raw exception, a stack, "[object Object]", nothing);
 * - accepted: taken in and handled safely (rendered inert, parsed into a bounded, well-formed value);
 * - unsafe: nothing ran, but what came out could run code or load remote content (a handler, a script, a js: link);
 * - hung: no answer within the per-case deadline;
 * - crashed: the process or thread handling it died, or it threw where it should have answered;
 * - ran-code: a canary fired (script ran, Object.prototype polluted, a marker file appeared).
 */
export type Outcome = "refused" | "unclear" | "accepted" | "unsafe" | "hung" | "crashed" | "ran-code";

export const OUTCOMES: readonly Outcome[] = ["refused", "unclear", "accepted", "unsafe", "hung", "crashed", "ran-code"];

/** Outcomes that fail the bench: each must be 0. */
export const FAILING: readonly Outcome[] = ["unclear", "unsafe", "hung", "crashed", "ran-code"];

export interface CaseResult {
  corpus: string;
  name: string;
  outcome: Outcome;
  /** The refusal's message, or what went wrong. */
  detail: string;
  ms: number;
  /** The longest synchronous stretch the case held its thread for, where measured. */
  stallMs?: number;
}

export type Tally = Record<Outcome, number> & { tried: number };

export function tally(results: readonly CaseResult[]): Tally {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const result of results) counts[result.outcome]++;
  return { tried: results.length, ...counts };
}

export function failures(results: readonly CaseResult[]): CaseResult[] {
  return results.filter((r) => FAILING.includes(r.outcome));
}

/**
 * A message a user can act on: words, not an exception's internals. Refuses empty text, "[object Object]", "undefined",
 * a stack frame, and the bare messages of JavaScript's own errors (a bounds check that escaped, not a refusal).
 */
export function isClearMessage(text: string | undefined | null): boolean {
  if (!text || text.trim().length < 12) return false;
  if (/\[object \w+\]|\bundefined\b|\bNaN\b|^\s*at .+:\d+:\d+/m.test(text)) return false;
  if (/^(TypeError|RangeError|SyntaxError|ReferenceError|Error \[ERR_)/.test(text.trim())) return false;
  if (/is out of range|Cannot read propert|is not a function|is not iterable|Maximum call stack|Invalid (array|string) length/i.test(text)) return false;
  return true;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`;
  return String(error);
}

/** A C0 control character (a NUL, a tab, a line break, ...), which a URL a user is shown should not hold. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
