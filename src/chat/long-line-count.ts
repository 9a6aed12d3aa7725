import type { CountTokens } from "../context/token-estimate";

/**
 * Where a long line is cut for counting. The chat's model-backed counter (ModelTokenCounter) only estimates lines over
 * 2,000 characters, which costs completion nothing but left the chat's budget line saying "≈ … (estimate)" for good
 * after an answer with one long paragraph: such a line never reached the model to be counted.
 */
export const COUNT_PIECE_CHARS = 1000;

/**
 * A count that hands each line longer than `pieceChars` to `count` in pieces, cut after a space where there is one, so
 * that every piece is short enough for the model to count and cache. The pieces of a line are the same each time it
 * is counted (they depend on the line alone). A cut may split a token in two: at most one token more per piece.
 */
export function countLongLinesInPieces(count: CountTokens, pieceChars = COUNT_PIECE_CHARS): CountTokens {
  return (text) => {
    let total = 0;
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf("\n", start);
      const end = newline < 0 ? text.length : newline + 1;
      if (end - start <= pieceChars) {
        total += count(text.slice(start, end));
      } else {
        for (let at = start; at < end; ) {
          let cut = Math.min(end, at + pieceChars);
          if (cut < end) {
            const space = text.lastIndexOf(" ", cut - 1);
            if (space > at + pieceChars / 2) cut = space + 1;
          }
          total += count(text.slice(at, cut));
          at = cut;
        }
      }
      start = end;
    }
    return total;
  };
}
