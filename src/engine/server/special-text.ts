// An inference server's chat endpoint renders the messages with the model's template and tokenizes the result with
// special tokens parsed (llama-server does; so do vLLM's Hugging Face tokenizers for their added tokens): a file, a
// selection, a retrieved snippet or a typed message holding "<|im_end|>\n<|im_start|>system" would end the user's turn
// there and speak as the system. The local engine tokenizes message text without parsing special tokens, and
// /v1/completions gets token ids from a llama-server (server-fim.ts); where neither is possible the text is broken up
// instead, so that no special token's spelling is left whole in it.

/** U+200D: invisible, and no tokenizer's special token contains it. */
const JOINER = "\u200d";

/**
 * The spellings of special tokens across the model families Hearth meets (a conservative net: the served model's own
 * vocabulary cannot be listed through the OpenAI API): `<|...|>` (Qwen, Llama 3, Phi, CodeGemma, GPT), DeepSeek's
 * full-width `<｜...｜>`, `<name_with_underscore>` (Gemma's turns, StarCoder's FIM and repository tokens), SentencePiece's
 * `<s>` `</s>` `<unk>` `<pad>`, CodeLlama's `<PRE>` `<SUF>` `<MID>` `<EOT>`, and Mistral's `[INST]`-style brackets
 * (Codestral's `[PREFIX]` `[SUFFIX]` `[MIDDLE]`). Ordinary HTML (`<div>`, `<my-element>`) is left alone.
 */
const SPECIAL_SPELLING =
  /<\|[^|<>\s]{1,64}\|>|<｜[^｜<>\s]{1,64}｜>|<\/?[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*>|<\/?(?:s|unk|pad|mask|bos|eos|think|PRE|SUF|MID|EOT)>|\[\/?[A-Z][A-Z_]{2,31}\]/g;

/** The text with a joiner after the first character of every special-token spelling (and of each of `extra`). */
export function breakSpecialTokens(text: string, extra: readonly string[] = []): string {
  let broken = text.replace(SPECIAL_SPELLING, (spelling) => spelling[0] + JOINER + spelling.slice(1));
  for (const spelling of extra) if (spelling.length > 1 && broken.includes(spelling)) broken = broken.split(spelling).join(spelling[0] + JOINER + spelling.slice(1));
  return broken;
}
