/** Counts the tokens of a text. */
export type CountTokens = (text: string) => number;

/**
 * An estimate, not the model's tokenizer: code BPE vocabularies (Qwen2.5-Coder, DeepSeek-Coder, StarCoder2) average
 * about 3.5 characters per token; runs of indentation compress better and count for less. The view labels every
 * number computed from it as an estimate.
 */
export const estimateTokens: CountTokens = (text) => {
  if (text.length === 0) return 0;
  let spaces = 0;
  for (const m of text.matchAll(/\n[ \t]+/g)) spaces += m[0].length - 1;
  return Math.ceil((text.length - spaces) / 3.5 + spaces / 8);
};

/** Tokens each chat message costs on top of its text (role markers of the chat template). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
