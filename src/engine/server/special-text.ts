// An inference server's chat endpoint renders the messages with the model's template and tokenizes the result with
// special tokens parsed (llama-server does, tested against it; vLLM's Hugging Face tokenizers split added special tokens
// out of text by default, and Ollama renders its template into one prompt for llama.cpp's tokenizer, as far as their
// documentation and sources say; neither is tested here, and both parse a raw /v1/completions prompt alike): a file, a
// selection, a retrieved snippet or a typed message holding "<|im_end|>\n<|im_start|>system" would end the user's turn
// there and speak as the system. The local engine tokenizes message text without parsing special tokens, and
// /v1/completions gets token ids from a llama-server (server-fim.ts); where neither is possible the spelling is broken
// by a zero-width joiner after its first character, so that no special token is left whole in the text. Breaking only
// what is special matters: a joiner the model copies back into code (`std::vector<my_type>`, `buf[MAX_SIZE]`) breaks it.

import type { ChatMessage } from "../protocol";
import type { OpenAiApi } from "./openai-api";

/** U+200D: invisible, and no tokenizer's special token contains it. */
const JOINER = "\u200d";

/**
 * Spellings that may be special tokens, for a server whose tokenizer then says which are: `<|...|>` (Qwen, Llama 3,
 * Phi, CodeGemma), DeepSeek's full-width `<｜...｜>`, `<word>` and `</word>` (Gemma's turns, StarCoder's FIM and
 * repository tokens, SentencePiece's `<s>`, CodeLlama's `<PRE>`), and Mistral's `[WORD]` brackets.
 */
const CANDIDATE = /<\|[^|<>\s]{1,64}\|>|<｜[^｜<>\s]{1,64}｜>|<\/?[A-Za-z][A-Za-z0-9_]{0,63}>|\[\/?[A-Z][A-Z0-9_]{1,63}\]/g;

/**
 * Spellings broken where no tokenizer can be asked (vLLM, Ollama): the `<|...|>` and `<｜...｜>` families, which code
 * rarely spells, and the other families' turn and FIM tokens by name.
 */
const KNOWN_SPECIAL = new RegExp(
  [
    /<\|[^|<>\s]{1,64}\|>/.source,
    /<｜[^｜<>\s]{1,64}｜>/.source,
    /<\/?(?:s|unk|pad|mask|bos|eos|PRE|SUF|MID|EOT|start_of_turn|end_of_turn|fim_prefix|fim_middle|fim_suffix|fim_pad|file_sep|filename|repo_name|gh_stars|endoftext|think|tool_call|tool_response)>/.source,
    /\[\/?(?:INST|SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|TOOL_CONTENT|PREFIX|SUFFIX|MIDDLE|THINK|ARGS|CALL_ID)\]/.source,
  ].join("|"),
  "g",
);

function broken(spelling: string): string {
  return spelling[0] + JOINER + spelling.slice(1);
}

/** The distinct spellings in `texts` that may be special tokens, to ask the served model's tokenizer about. */
export function specialCandidates(texts: readonly string[]): string[] {
  return [...new Set(texts.flatMap((text) => text.match(CANDIDATE) ?? []))];
}

/** The text with each of `spellings` broken wherever it occurs. */
export function breakSpellings(text: string, spellings: readonly string[]): string {
  let result = text;
  for (const spelling of spellings) if (spelling.length > 1 && result.includes(spelling)) result = result.split(spelling).join(broken(spelling));
  return result;
}

/** The text with every known special-token spelling, and each of `extra`, broken. */
export function breakKnownSpecialTokens(text: string, extra: readonly string[] = []): string {
  return breakSpellings(text.replace(KNOWN_SPECIAL, broken), extra);
}

/**
 * The messages with every special-token spelling in their text broken. A llama-server's tokenizer (`api`) says which
 * spellings are special to its model, so ordinary code (`<T>`, `[MAX]`) stays as it is; without one (null, or a server
 * that has none) the known families and `extra` are broken.
 */
export async function withoutSpecialTokens(api: OpenAiApi | null, messages: readonly ChatMessage[], extra: readonly string[], signal?: AbortSignal): Promise<ChatMessage[]> {
  const candidates = specialCandidates(messages.map((message) => message.content));
  if (candidates.length === 0) return [...messages];
  const pieces = api ? await api.tokenize(candidates.join("\n"), { withPieces: true, parseSpecial: true, ...(signal ? { signal } : {}) }) : null;
  if (!pieces) return messages.map((message) => ({ ...message, content: breakKnownSpecialTokens(message.content, extra) }));
  const special = [...new Set(pieces.flatMap((token) => (token.piece !== undefined && candidates.includes(token.piece) ? [token.piece] : [])))];
  return messages.map((message) => ({ ...message, content: breakSpellings(message.content, special) }));
}
