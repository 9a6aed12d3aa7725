/** Counts tokens of a text; the engine's tokenizer when the model is loaded, an estimate otherwise. */
export type CountTokens = (text: string) => number;

/**
 * Code BPE tokenizers (Qwen2.5-Coder, DeepSeek-Coder, StarCoder2) average about 3.5 characters per token on source
 * code; indentation runs compress better, so they count for less. They work on UTF-8 bytes, so what is not ASCII
 * counts by its bytes: counted by characters, a Chinese or Japanese comment came to less than half of Qwen2.5's own
 * count and overran the budget it was fitted to.
 */
export const estimateTokens: CountTokens = (text) => {
  if (text.length === 0) return 0;
  let spaces = 0;
  for (const m of text.matchAll(/\n[ \t]+/g)) spaces += m[0].length - 1;
  return Math.ceil((text.length + extraUtf8Bytes(text) - spaces) / 3.5 + spaces / 8);
};

/** UTF-8 bytes beyond one per UTF-16 code unit (a surrogate pair is 2 units and 4 bytes). */
function extraUtf8Bytes(text: string): number {
  if (!NOT_ASCII.test(text)) return 0;
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    extra += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return extra;
}

// eslint-disable-next-line no-control-regex
const NOT_ASCII = /[^\x00-\x7f]/;
