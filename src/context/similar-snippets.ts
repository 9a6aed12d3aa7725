/**
 * The neighbouring-tabs technique (Copilot's "similar files"): cut recently used files into overlapping windows of
 * lines and rank the windows by Jaccard similarity of their identifiers with the code just before the cursor.
 */
export interface SnippetWindow {
  startLine: number;
  endLine: number;
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
const WORD = /[\p{L}_$][\p{L}\p{N}_$]*/gu;

export function identifierSet(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(WORD)) if (m[0].length > 1) out.add(m[0]);
  return out;
}

/** Windows of a file, computed once per file version (the caller caches them). */
export function windowFile(text: string): SnippetWindow[] {
  const lines = text.split("\n");
  const windows: SnippetWindow[] = [];
  for (let start = 0; start < lines.length && windows.length < MAX_WINDOWS_PER_FILE; start += WINDOW_STRIDE) {
    const end = Math.min(lines.length, start + WINDOW_LINES) - 1;
    const tokens = identifierSet(lines.slice(start, end + 1).join("\n"));
    if (tokens.size > 0) windows.push({ startLine: start, endLine: end, tokens });
    if (end === lines.length - 1) break;
  }
  return windows;
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
      const lines = source.text.split("\n").slice(w.startLine, w.endLine + 1);
      found.push({ path: source.path, startLine: w.startLine, endLine: w.endLine, text: lines.join("\n"), score });
    }
  }
  return found.sort((a, b) => b.score - a.score).slice(0, limit);
}
