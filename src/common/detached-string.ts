/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 represents a slice or a concatenation of
 * a long string as a view that keeps the whole parent alive, so a cache keyed by lines or windows of each document
 * version would keep every version of the document (the reliability soak found 780 copies of a 96 KB file). The
 * UTF-16 round trip copies code units exactly, lone surrogates included.
 */
export function detachedString(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
}
