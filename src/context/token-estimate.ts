/** Counts tokens of a text; the engine's tokenizer when the model is loaded, an estimate otherwise. */
export type CountTokens = (text: string) => number;

/**
 * Code BPE tokenizers (Qwen2.5-Coder, DeepSeek-Coder, StarCoder2) average about 3.5 characters per token on source
 * code; indentation runs compress better, so they count for less.
 */
export const estimateTokens: CountTokens = (text) => {
  if (text.length === 0) return 0;
  let spaces = 0;
  for (const m of text.matchAll(/\n[ \t]+/g)) spaces += m[0].length - 1;
  return Math.ceil((text.length - spaces) / 3.5 + spaces / 8);
};
