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
import { detachedString } from "../../common/detached-string.js";
import { LruCache } from "../../common/lru-cache.js";
import type { PromptPiece } from "../../fim/types.js";

export interface TokenizePromptOptions {
  /** Prepend the model's BOS token when its metadata asks for one (only for evaluating tokens directly). */
  addBos?: boolean;
  /** More texts that user text must never turn into (the prompt's own special tokens are always guarded). */
  guard?: readonly string[];
  /** Tokens of pieces seen before, for this model (see PieceTokenCache); none: every piece is tokenised afresh. */
  cache?: PieceTokenCache;
}

export function tokenizePrompt(model: LlamaModel, pieces: readonly PromptPiece[], options: TokenizePromptOptions = {}): Token[] {
  const guard = [...new Set([...(options.guard ?? []), ...pieces.flatMap((piece) => (piece.kind === "special" ? [piece.token] : []))])];
  const tokens: Token[] = [];
  if (options.addBos && model.tokens.shouldPrependBosToken && model.tokens.bos !== null) tokens.push(model.tokens.bos);
  const cache = options.cache ?? new PieceTokenCache(model, 0);
  for (const piece of pieces) {
    if (piece.kind === "special") tokens.push(cache.special(piece.token));
    else pushAll(tokens, cache.text(piece.text, guard));
  }
  return tokens;
}

/** Longer pieces are tokenised every time rather than kept. */
const MAX_CACHED_PIECE_CHARS = 65_536;

/**
 * The tokens of one model's prompt pieces, kept from one prompt to the next. A piece is tokenised on its own, so its
 * tokens depend only on its text and the guard: other files' snippets and their headers, and often the suffix, are the
 * same at every keystroke, and fitting a prompt measures the same pieces again after it dropped a snippet
 * (fim/fit-prompt.ts). Only what the keystroke changed (the prefix) is tokenised again: on the engine bench's three
 * files (bench/engine/request-overhead.ts) a request's fitting went from 15–27 tokenizer calls and 2.8–4.1 ms to one call
 * and 0.9–1.4 ms.
 */
export class PieceTokenCache {
  private readonly texts: LruCache<string, readonly Token[]>;
  private readonly specials = new Map<string, Token>();
  /** The guard the kept texts were split by: another one splits them differently. */
  private guardKey: string | undefined;

  /** `maxPieces`: text pieces kept (0 keeps none). */
  constructor(
    private readonly model: LlamaModel,
    private readonly maxPieces = 128,
  ) {
    this.texts = new LruCache(Math.max(1, maxPieces));
  }

  special(text: string): Token {
    let token = this.specials.get(text);
    if (token === undefined) {
      token = specialToken(this.model, text);
      this.specials.set(text, token);
    }
    return token;
  }

  /** The tokens of a text piece split by `guard` (see splitGuarded); the caller must not change them. */
  text(text: string, guard: readonly string[]): readonly Token[] {
    const guardKey = guard.join("\u0000");
    if (guardKey !== this.guardKey) {
      this.texts.clear();
      this.guardKey = guardKey;
    }
    const keep = this.maxPieces > 0 && text.length <= MAX_CACHED_PIECE_CHARS;
    const known = keep ? this.texts.get(text) : undefined;
    if (known) return known;
    const tokens: Token[] = [];
    for (const part of splitGuarded(text, guard)) pushAll(tokens, this.model.tokenize(part, false, "trimLeadingSpace"));
    // A copy of the key: a piece is a slice of the request's text, which must not stay alive for it.
    if (keep) this.texts.set(detachedString(text), tokens);
    return tokens;
  }
}

function pushAll(into: Token[], tokens: readonly Token[]): void {
  for (const token of tokens) into.push(token);
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
