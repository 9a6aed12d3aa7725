import { keepPairs } from "./text-lines";

/**
 * The neighbouring-tabs technique (Copilot's "similar files"): cut recently used files into overlapping windows of
 * lines and rank the windows by Jaccard similarity of their identifiers with the code just before the cursor.
 */
export interface SnippetWindow {
  startLine: number;
  endLine: number;
  /** Offsets of the window's text in its file. */
  start: number;
  end: number;
  tokens: ReadonlySet<string>;
}

export interface SimilarSnippet {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  score: number;
}

const WINDOW_LINES = 20;
const WINDOW_STRIDE = 10;
const MAX_WINDOWS_PER_FILE = 1000;
/** A window holds at most this much text, however long its lines (a minified file is one line). */
export const MAX_WINDOW_CHARS = 4000;

const LETTER = /\p{L}/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/**
 * Identifiers of two characters or more (`[\p{L}_$][\p{L}\p{N}_$]*`), found by a scan of character codes: the
 * Unicode-aware regex costs about ten times as much per character, and windows are cut from whole files.
 */
export function identifierSet(text: string): Set<string> {
  const out = new Set<string>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const width = identifierCharWidth(text, i, true);
    if (width === 0) {
      i++;
      continue;
    }
    let j = i + width;
    for (let w = identifierCharWidth(text, j, false); w > 0; w = identifierCharWidth(text, j, false)) j += w;
    if (j - i > 1) out.add(text.slice(i, j));
    i = j;
  }
  return out;
}

/** Code units of the identifier character at `i` (2 for a letter outside the BMP), or 0 for none. */
function identifierCharWidth(text: string, i: number, start: boolean): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c < 128) {
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
    return letter || (!start && c >= 48 && c <= 57) ? 1 : 0;
  }
  const codePoint = text.codePointAt(i) ?? c;
  const char = String.fromCodePoint(codePoint);
  return (start ? LETTER : LETTER_OR_NUMBER).test(char) ? char.length : 0;
}

/**
 * The windows of one file, cut a bounded amount at a time: a file of hundreds of kilobytes is cut over several turns
 * of the event loop rather than in one long stall. Windows start every WINDOW_STRIDE lines and span WINDOW_LINES.
 */
export class FileWindows {
  readonly windows: SnippetWindow[] = [];
  /** Offsets of lines 0, 10, 20, … found so far. */
  private readonly strideStarts = [0];
  /** The text before this offset has been searched for line breaks. */
  private scanned = 0;
  private lines = 0;
  /** The next window to cut starts on line `next * WINDOW_STRIDE`. */
  private next = 0;
  private finished = false;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.finished;
  }

  /** Cuts windows until about `budget` characters have been read; returns how many were. */
  extend(budget: number): number {
    let spent = 0;
    while (!this.finished && spent < budget) {
      const complete = this.scanned >= this.text.length;
      const endStride = this.next + WINDOW_LINES / WINDOW_STRIDE;
      if (!complete && endStride >= this.strideStarts.length) {
        spent += this.scanLineBreaks(Math.max(1, budget - spent));
        continue;
      }
      const totalLines = this.lines + 1;
      const startLine = this.next * WINDOW_STRIDE;
      const endLine = Math.min(totalLines, startLine + WINDOW_LINES) - 1;
      const start = this.strideStarts[this.next];
      const lineAfter = this.strideStarts[endStride];
      const end = keepPairs(this.text, Math.min(lineAfter === undefined ? this.text.length : lineAfter - 1, start + MAX_WINDOW_CHARS), -1);
      const tokens = identifierSet(this.text.slice(start, end));
      spent += end - start;
      if (tokens.size > 0) this.windows.push({ startLine, endLine, start, end, tokens });
      this.next++;
      if (endLine === totalLines - 1 || this.windows.length >= MAX_WINDOWS_PER_FILE) this.finished = true;
    }
    return spent;
  }

  /** Finds the line breaks in the next `chars` characters; returns how many it read. */
  private scanLineBreaks(chars: number): number {
    const from = this.scanned;
    const to = Math.min(this.text.length, from + chars);
    const part = this.text.slice(from, to);
    for (let i = part.indexOf("\n"); i >= 0; i = part.indexOf("\n", i + 1)) {
      this.lines++;
      if (this.lines % WINDOW_STRIDE === 0) this.strideStarts.push(from + i + 1);
    }
    this.scanned = to;
    return to - from;
  }
}

/** Every window of a file at once (tests, benches; the engine cuts them a bounded amount at a time). */
export function windowFile(text: string): SnippetWindow[] {
  const windows = new FileWindows(text);
  windows.extend(Number.POSITIVE_INFINITY);
  return windows.windows;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface SnippetSource {
  path: string;
  text: string;
  windows: readonly SnippetWindow[];
}

/** The best window of each file (at most `perFile`), best first, ignoring windows with nothing in common. */
export function findSimilarSnippets(query: ReadonlySet<string>, sources: readonly SnippetSource[], limit: number, perFile = 1): SimilarSnippet[] {
  const found: SimilarSnippet[] = [];
  for (const source of sources) {
    const scored = source.windows
      .map((w) => ({ w, score: jaccard(query, w.tokens) }))
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score);
    const taken: SnippetWindow[] = [];
    for (const { w, score } of scored) {
      if (taken.length >= perFile) break;
      if (taken.some((t) => t.startLine <= w.endLine && w.startLine <= t.endLine)) continue;
      taken.push(w);
      found.push({ path: source.path, startLine: w.startLine, endLine: w.endLine, text: source.text.slice(w.start, w.end), score });
    }
  }
  return found.sort((a, b) => b.score - a.score).slice(0, limit);
}
