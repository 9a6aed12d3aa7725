// Lexical facts about comment lines, per language, for Document: which lines of a text are whole-line comments,
// decorators (attributes, annotations) or code. A line-based scan is enough here: documentation sits on lines of its own.

export interface CommentSyntax {
  /** Line-comment markers ("//", "#", "--"). */
  line: readonly string[];
  /** A block comment's opening and closing marker. */
  block?: readonly [string, string];
  /** A line that starts with one of these is a decorator or attribute, not a comment ("#[" in Rust and PHP). */
  attributes: readonly string[];
}

const C_LIKE: CommentSyntax = { line: ["//"], block: ["/*", "*/"], attributes: ["@"] };
const HASH: CommentSyntax = { line: ["#"], attributes: [] };
const DASH: CommentSyntax = { line: ["--"], block: ["--[[", "]]"], attributes: [] };

const SYNTAX: Record<string, CommentSyntax> = {
  typescript: C_LIKE,
  typescriptreact: C_LIKE,
  javascript: C_LIKE,
  javascriptreact: C_LIKE,
  java: C_LIKE,
  kotlin: C_LIKE,
  scala: C_LIKE,
  swift: C_LIKE,
  dart: C_LIKE,
  go: C_LIKE,
  c: C_LIKE,
  cpp: C_LIKE,
  rust: { line: ["//"], block: ["/*", "*/"], attributes: ["#[", "#!["] },
  csharp: { line: ["//"], block: ["/*", "*/"], attributes: ["["] },
  php: { line: ["//", "#"], block: ["/*", "*/"], attributes: ["#["] },
  python: { line: ["#"], attributes: ["@"] },
  ruby: HASH,
  shellscript: HASH,
  perl: HASH,
  r: HASH,
  elixir: { line: ["#"], attributes: ["@"] },
  lua: DASH,
  sql: { line: ["--"], block: ["/*", "*/"], attributes: [] },
  haskell: { line: ["--"], block: ["{-", "-}"], attributes: [] },
};

/** Languages without an entry: the common line and block markers. */
const FALLBACK: CommentSyntax = { line: ["//", "#", "--"], block: ["/*", "*/"], attributes: ["@"] };

export function commentSyntaxFor(languageId: string): CommentSyntax {
  return SYNTAX[languageId] ?? FALLBACK;
}

export type LineKind = "blank" | "comment" | "decorator" | "code";

export interface ClassifiedLines {
  kinds: LineKind[];
  /** A block comment is still open after the last line (the model is still writing it, or never closed it). */
  openAtEnd: boolean;
}

/** What each line is: a line with anything but comment on it (code after a closing `*\/`, say) is code. */
export function classifyLines(lines: readonly string[], syntax: CommentSyntax): ClassifiedLines {
  const kinds: LineKind[] = [];
  let open = false;
  for (const line of lines) {
    const t = line.trim();
    if (open) {
      const close = syntax.block![1];
      const at = t.indexOf(close);
      if (at >= 0) open = false;
      kinds.push(at >= 0 && t.slice(at + close.length).trim() ? "code" : "comment");
      continue;
    }
    if (!t) {
      kinds.push("blank");
    } else if (syntax.attributes.some((a) => t.startsWith(a))) {
      kinds.push("decorator");
    } else if (syntax.block && t.startsWith(syntax.block[0])) {
      const close = t.indexOf(syntax.block[1], syntax.block[0].length);
      if (close < 0) open = true;
      kinds.push(close >= 0 && t.slice(close + syntax.block[1].length).trim() ? "code" : "comment");
    } else {
      kinds.push(syntax.line.some((m) => t.startsWith(m)) ? "comment" : "code");
    }
  }
  return { kinds, openAtEnd: open };
}

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

/** The lines moved to `indent`: their common indentation replaced, what is relative to it kept; blank lines empty. */
export function rebaseIndent(lines: readonly string[], indent: string): string[] {
  const own = Math.min(...lines.filter((l) => l.trim()).map((l) => indentOf(l).length));
  return lines.map((l) => (l.trim() ? indent + l.slice(Number.isFinite(own) ? own : 0).replace(/\s+$/, "") : ""));
}
