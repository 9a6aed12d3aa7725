// What a text looks like from afar, cheaply: whether a parse should take it on at all. Each check reads the text once
// at most, and stops as soon as it knows.

/** Minified bundles parse slowly and give nothing a model can use: long lines on average over the first 200. */
export function looksMinified(text: string): boolean {
  if (text.length < 100_000) return false;
  let lines = 1;
  let i = text.indexOf("\n");
  for (; i >= 0 && lines < 200; i = text.indexOf("\n", i + 1)) lines++;
  // The first `lines` lines end at the 200th line break, or at the end of a shorter text.
  return (i >= 0 ? i : text.length) / lines > 1000;
}

/** Whether some line is longer than `limit`: one bounded backwards search per `limit` characters. */
export function hasLineLongerThan(text: string, limit: number): boolean {
  let from = 0;
  while (text.length - from > limit) {
    const i = text.slice(from, from + limit + 1).lastIndexOf("\n");
    if (i < 0) return true;
    from += i + 1;
  }
  return false;
}

/** Whether brackets nest deeper than `limit` somewhere (strings and comments not told apart: only depth matters). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ( [ {  and  ) ] }
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return false;
}
