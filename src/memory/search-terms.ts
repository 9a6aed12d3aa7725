/** Identifiers in code, and the words inside them: `retryFailedUpload`, `retry_failed_upload` → retry, failed, upload. */
const IDENTIFIER = /[\p{L}_$][\p{L}\p{N}_$]*/gu;

/** The words an identifier is made of, lower case; an identifier of one word gives nothing (it is already a word). */
export function identifierWords(identifier: string): string[] {
  const parts = identifier
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2")
    .split(/[\s_$]+/)
    .filter((p) => p.length > 1)
    .map((p) => p.toLowerCase());
  return parts.length > 1 ? parts : [];
}

/**
 * The text the full-text index holds for a chunk: the chunk itself plus the words of its compound identifiers, so that
 * a question in words ("retry failed uploads") finds `retryFailedUpload` (the index's tokenizer splits on
 * punctuation and spaces only). Bounded: a chunk's words are listed once each.
 */
export function searchableText(text: string): string {
  const words = new Set<string>();
  for (const match of text.matchAll(IDENTIFIER)) {
    for (const w of identifierWords(match[0])) words.add(w);
    if (words.size > 2000) break;
  }
  return words.size ? `${text}\n${[...words].join(" ")}` : text;
}

/** A question as full-text terms: its words and the words of its identifiers. */
export function queryTerms(question: string): string {
  return searchableText(question).replace(/[^\p{L}\p{N}_\s]+/gu, " ").replace(/\s+/g, " ").trim();
}
