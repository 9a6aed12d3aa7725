// What one model call of the KV-cache replay (cache-replay.ts) costs, from two consecutive prompts: where they part,
// how many tokens from there on a cache that keeps the common start must evaluate (the engine's own count is the
// authority where the engine rendered the prompt; a layout the engine does not render here, e.g. suffix first on a
// prefix-first vocabulary, is measured this way from the same requests), and what the change could not avoid.
import type { EngineClient } from "../../src/engine/client";
import type { FimPrompt } from "../../src/fim/layout";

export type Difference = "context" | "prefix" | "suffix" | "none";

export interface PromptCost {
  /** Tokens a cache keeping the longest common start of the two prompts evaluates (at least 1, the last token). */
  simulated: number;
  /** Tokens from what had to change to the end of the prompt (the middle token included). */
  unavoidable: number;
  firstDifference: Difference;
  suffixTokens: number;
  suffixLines: number;
  /** The suffix window's tokens among those evaluated (all of it when the prompt parts before it). */
  suffixEvaluated: number;
  /** Where the prompts part, as a short excerpt of each (for calls over the unavoidable). */
  explanation: string;
}

export interface ChangeAt {
  /** Document offset of the user's earliest change since the previous call, and the cursor's now. */
  earliestEdit: number;
  cursor: number;
  /**
   * The other-file context changed for a reason the hold gives (a new definition, a pause, another scope): what had to
   * change then begins at the first changed piece, not only at the user's edit.
   */
  contextMayChange: boolean;
}

/** Measures `next` against `previous`, counting tokens with the engine's tokenizer (pieces apart, as the engine does). */
export async function measurePrompt(client: EngineClient, previous: FimPrompt, next: FimPrompt, change: ChangeAt): Promise<PromptCost> {
  const counts = await countTexts(client, next.pieces.map((p) => (p.kind === "text" ? p.text : "")));
  const tokensOf = (i: number): number => (next.pieces[i]!.kind === "special" ? 1 : counts[i]!);
  const total = next.pieces.reduce((n, _p, i) => n + tokensOf(i), 0);
  const fromPiece = (i: number): number => next.pieces.reduce((n, _p, j) => (j >= i ? n + tokensOf(j) : n), 0);
  const prefixIndex = indexOfText(next, next.prefix);
  const suffixIndex = indexOfText(next, next.suffix);
  const diff = firstDifference(previous, next);

  let simulated = 1;
  if (diff >= 0) {
    const kept = fromPiece(0) - fromPiece(diff);
    const [a, b] = [textOf(previous, diff), textOf(next, diff)];
    const common = a !== null && b !== null && previous.pieces[diff]?.kind === "text" ? commonStart(a, b) : "";
    // The last token of the common text may merge with what follows it in the new text: it is evaluated again.
    const commonTokens = common === "" ? 0 : Math.max(0, (await countTexts(client, [common]))[0]! - 1);
    simulated = Math.max(1, total - kept - commonTokens);
  }

  let unavoidable: number;
  const prefixDocStart = change.cursor - next.prefix.length;
  if (diff >= 0 && diff < prefixIndex && change.contextMayChange) unavoidable = fromPiece(diff);
  else if (prefixIndex < 0 || change.earliestEdit < prefixDocStart) unavoidable = total;
  else {
    const within = next.prefix.slice(next.prefix.lastIndexOf("\n", change.earliestEdit - prefixDocStart - 1) + 1);
    unavoidable = (await countTexts(client, [within]))[0]! + fromPiece(prefixIndex + 1);
  }

  const suffixTokens = suffixIndex >= 0 ? tokensOf(suffixIndex) : 0;
  return {
    simulated,
    unavoidable,
    firstDifference: diff < 0 ? "none" : prefixIndex < 0 || diff < Math.min(prefixIndex, suffixIndex < 0 ? Infinity : suffixIndex) ? "context" : diff === suffixIndex ? "suffix" : "prefix",
    suffixTokens,
    suffixLines: lineCount(next.suffix),
    suffixEvaluated: diff >= 0 && suffixIndex >= 0 && diff <= suffixIndex ? suffixTokens : 0,
    explanation: explainDifference(previous, next, diff, prefixIndex),
  };
}

/** Index of the first piece in which two prompts differ; -1 when they are the same. */
export function firstDifference(a: FimPrompt, b: FimPrompt): number {
  const n = Math.max(a.pieces.length, b.pieces.length);
  for (let i = 0; i < n; i++) if (textOf(a, i) !== textOf(b, i) || a.pieces[i]?.kind !== b.pieces[i]?.kind) return i;
  return -1;
}

export async function countTexts(client: EngineClient, texts: string[]): Promise<number[]> {
  const result = await client.tokenCounts(texts);
  if (!result) throw new Error("the engine did not count tokens");
  return result.counts;
}

/** Lines a window touches: its line breaks, plus a last line when text follows the final break. */
export function lineCount(text: string): number {
  if (text === "") return 0;
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

function textOf(p: FimPrompt, i: number): string | null {
  const piece = p.pieces[i];
  return piece === undefined ? null : piece.kind === "text" ? piece.text : piece.token;
}

function indexOfText(p: FimPrompt, text: string): number {
  return text === "" ? -1 : p.pieces.findIndex((piece) => piece.kind === "text" && piece.text === text);
}

function commonStart(a: string, b: string): string {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return a.slice(0, at);
}

function explainDifference(a: FimPrompt, b: FimPrompt, index: number, prefixIndex: number): string {
  if (index < 0) return "prompts identical";
  const [x, y] = [textOf(a, index) ?? "(none)", textOf(b, index) ?? "(none)"];
  let at = 0;
  while (at < x.length && at < y.length && x[at] === y[at]) at++;
  const excerpt = (s: string) => JSON.stringify(s.slice(Math.max(0, at - 40), at + 80));
  const role = index === prefixIndex ? "prefix" : `piece ${index}`;
  return `${role} of ${b.pieces.length}, at char ${at} (prefix line ${a.prefixStartLine}→${b.prefixStartLine}): was ${excerpt(x)} now ${excerpt(y)}`;
}
