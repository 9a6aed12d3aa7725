// Turns a rendered FIM prompt (src/fim/layout.ts) into the model's tokens, the way the engine evaluates it.
//   - A special piece becomes exactly one token (tokenised with special tokens enabled), or this throws: a format must
//     never fall back to spelling a control token out as text.
//   - A text piece is tokenised with special tokens disabled. llama.cpp still matches USER-DEFINED tokens inside plain
//     text (only CONTROL ones are skipped; it promotes the FIM tokens it recognises to control, but not, say, a
//     separator it does not know), so text is also split inside any occurrence of the prompt's own special token texts:
//     user code can never inject a marker of the format, whatever the token's type in a given GGUF.
//   - Text is tokenised with node-llama-cpp's "trimLeadingSpace", as its own infill does, so a SentencePiece model adds
//     no invisible space in front of each piece (formats that want one write it, see CodeLlama and Codestral).
//   - No BOS by default: LlamaCompletion.generateCompletion(tokens) prepends it itself when the model asks for one.
// Each piece is tokenised on its own, so a piece's tokens never depend on its neighbours: the context pieces at the
// front stay identical from request to request and the KV cache keeps them.
import type { LlamaModel, Token } from "node-llama-cpp";
import type { PromptPiece } from "../../fim/types.js";

export interface TokenizePromptOptions {
  /** Prepend the model's BOS token when its metadata asks for one (only for evaluating tokens directly). */
  addBos?: boolean;
  /** More texts that user text must never turn into (the prompt's own special tokens are always guarded). */
  guard?: readonly string[];
}

export function tokenizePrompt(model: LlamaModel, pieces: readonly PromptPiece[], options: TokenizePromptOptions = {}): Token[] {
  const guard = [...new Set([...(options.guard ?? []), ...pieces.flatMap((piece) => (piece.kind === "special" ? [piece.token] : []))])];
  const tokens: Token[] = [];
  if (options.addBos && model.tokens.shouldPrependBosToken && model.tokens.bos !== null) tokens.push(model.tokens.bos);
  const specials = new Map<string, Token>();
  for (const piece of pieces) {
    if (piece.kind === "special") {
      let token = specials.get(piece.token);
      if (token === undefined) {
        token = specialToken(model, piece.token);
        specials.set(piece.token, token);
      }
      tokens.push(token);
    } else {
      for (const part of splitGuarded(piece.text, guard)) tokens.push(...model.tokenize(part, false, "trimLeadingSpace"));
    }
  }
  return tokens;
}

/** The one token `text` names in the model's vocabulary; throws when it is not exactly one token. */
export function specialToken(model: LlamaModel, text: string): Token {
  const tokens = model.tokenize(text, true);
  if (tokens.length !== 1) {
    throw new Error(`"${text}" is not a special token of this model's vocabulary (it tokenises into ${tokens.length} tokens)`);
  }
  return tokens[0];
}

/** The tokens of those stop-token texts that exist in the vocabulary (others are skipped), for customStopTriggers. */
export function resolveStopTokens(model: LlamaModel, texts: readonly string[]): Token[] {
  const found: Token[] = [];
  for (const text of texts) {
    const tokens = model.tokenize(text, true);
    if (tokens.length === 1 && !found.includes(tokens[0])) found.push(tokens[0]);
  }
  return found;
}

/**
 * `text` cut into parts so that no part contains any of `guard`: each occurrence is split after its first character
 * (never inside a surrogate pair). Parts joined give `text` back.
 */
export function splitGuarded(text: string, guard: readonly string[]): string[] {
  const needles = guard.filter((g) => g.length > 1);
  if (needles.length === 0 || !needles.some((needle) => text.includes(needle))) return text === "" ? [] : [text];
  const parts: string[] = [];
  let start = 0;
  let searchFrom = 0;
  for (;;) {
    let at = -1;
    for (const needle of needles) {
      const index = text.indexOf(needle, searchFrom);
      if (index >= 0 && (at < 0 || index < at)) at = index;
    }
    if (at < 0) break;
    const firstChar = String.fromCodePoint(text.codePointAt(at)!);
    const cut = at + firstChar.length;
    parts.push(text.slice(start, cut));
    start = cut;
    searchFrom = cut;
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}
