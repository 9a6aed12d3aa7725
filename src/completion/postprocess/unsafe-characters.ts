import type { StopRule } from "./stop-rules";

/**
 * Characters ghost text never holds. A model writes them when it is broken (U+FFFD from invalid UTF-8, control
 * characters), and an editor draws them as boxes or not at all; Tab would put them into the file unseen. The bidi
 * controls reorder how a line is drawn without changing what a compiler reads ("Trojan Source", CVE-2021-42574), and
 * the invisible ones make two names that look the same differ: no suggestion may insert either unseen.
 * - C0 controls but tab, line feed and carriage return; DEL; C1 controls;
 * - U+FFFD (replacement character), U+FFF9–U+FFFB (interlinear annotation), U+FFFE/U+FFFF (noncharacters);
 * - surrogates that are not part of a pair;
 * - bidi controls: U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069;
 * - invisible: soft hyphen, U+180E, U+200B–U+200D (zero width space and joiners), U+2060–U+2064, U+FEFF, and the
 *   tag and variation-selector supplement planes (U+E0000–U+E007F, U+E0100–U+E01EF) that can smuggle hidden text;
 * - U+2028/U+2029, line breaks to JavaScript that most editors draw as nothing.
 */
/** Ranges of UTF-16 code units, inclusive, sorted; surrogates and the supplementary planes are handled apart. */
const UNSAFE_UNITS: readonly (readonly [number, number])[] = [
  [0x00, 0x08], [0x0b, 0x0c], [0x0e, 0x1f], [0x7f, 0x9f], [0xad, 0xad], [0x61c, 0x61c], [0x180e, 0x180e],
  [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2064], [0x2066, 0x2069], [0xfeff, 0xfeff], [0xfff9, 0xfffb],
  [0xfffd, 0xffff],
];

function isUnsafeUnit(unit: number): boolean {
  for (const [low, high] of UNSAFE_UNITS) {
    if (unit < low) return false;
    if (unit <= high) return true;
  }
  return false;
}

function isUnsafeAstral(codePoint: number): boolean {
  return (codePoint >= 0xe0000 && codePoint <= 0xe007f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef);
}

/** Offset of the first character ghost text must not hold, or -1. One pass, no regular expression to backtrack. */
export function findUnsafeCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20) {
      if (unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) return i;
      continue;
    }
    if (unit < 0x7f) continue;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return i;
      if (isUnsafeAstral(((unit - 0xd800) << 10) + (next - 0xdc00) + 0x10000)) return i;
      i++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return i;
    if (isUnsafeUnit(unit)) return i;
  }
  return -1;
}

/**
 * Cut a suggestion at the start of the line that holds an unsafe character: the rest of a line that went wrong is
 * not worth keeping, and what the model writes after it follows from it. On the first line this leaves nothing.
 */
export const stopAtUnsafeCharacter: StopRule = {
  name: "unsafe-character",
  findCut(text, _scan, _ctx, final) {
    const at = findUnsafeCharacter(text);
    if (at < 0) return null;
    // The low half of a pair may come with the next chunk.
    if (!final && at === text.length - 1 && /[\uD800-\uDBFF]$/.test(text)) return null;
    return text.lastIndexOf("\n", at - 1) + 1;
  },
};
