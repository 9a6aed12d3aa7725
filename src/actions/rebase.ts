export interface TextRange {
  start: number;
  end: number;
}

/**
 * Where the target range of `base` is in `current` (the document after edits made while the model was writing):
 * moved by the edits before it when none touched it, or null when one did (the proposal would overwrite them).
 */
export function rebaseRange(base: string, current: string, range: TextRange): TextRange | null {
  if (base === current) return range;
  const max = Math.min(base.length, current.length);
  let prefix = 0;
  while (prefix < max && base.charCodeAt(prefix) === current.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && base.charCodeAt(base.length - 1 - suffix) === current.charCodeAt(current.length - 1 - suffix)) suffix++;
  const changeStart = prefix;
  const changeEnd = base.length - suffix;
  const delta = current.length - base.length;
  const inserted = current.slice(changeStart, current.length - suffix);
  // The target is whole lines: an edit that meets it at its first or last line changes that line unless it adds or
  // removes whole lines.
  const before =
    changeEnd < range.start ||
    (changeEnd === range.start && (inserted ? inserted.endsWith("\n") : changeStart === 0 || current[changeStart - 1] === "\n"));
  if (before) return { start: range.start + delta, end: range.end + delta };
  const after =
    changeStart > range.end ||
    (changeStart === range.end && (inserted ? inserted.startsWith("\n") : changeEnd === base.length || base[changeEnd] === "\n"));
  if (after) return range;
  // Edits on both sides of the target look like one change around it: the target's text, found once, is untouched.
  const target = base.slice(range.start, range.end);
  if (target.length >= 16) {
    const at = current.indexOf(target);
    if (at >= 0 && current.indexOf(target, at + 1) < 0 && changeStart <= range.start && changeEnd >= range.end) return { start: at, end: at + target.length };
  }
  return null;
}
