/**
 * The little lexical knowledge that post-processing, and the context without a tree, need per language: where comments
 * and strings start, and whether blocks are delimited by indentation. Kept apart from the tree-sitter tables so that it
 * works for every language, parsed or not.
 */
export interface CodeSyntax {
  readonly lineComments: readonly string[];
  readonly blockComment: readonly [open: string, close: string] | null;
  /** Quote characters that open a string on one line. */
  readonly quotes: readonly string[];
  /** Python's ''' and """: strings that may span lines. */
  readonly tripleQuotes: boolean;
  /** Backtick strings that may span lines (JS template literals, Go raw strings). */
  readonly multilineBacktick: boolean;
  /** Python: a block is its indented lines, and a header ends with ':'. */
  readonly indentationBlocks: boolean;
  /** Rust: `'a` is a lifetime, not the start of a char literal. */
  readonly lifetimes: boolean;
}

const C_LIKE: CodeSyntax = {
  lineComments: ["//"],
  blockComment: ["/*", "*/"],
  quotes: ['"', "'"],
  tripleQuotes: false,
  multilineBacktick: false,
  indentationBlocks: false,
  lifetimes: false,
};

const SYNTAX_BY_LANGUAGE: Record<string, CodeSyntax> = {
  typescript: { ...C_LIKE, quotes: ['"', "'", "`"], multilineBacktick: true },
  typescriptreact: { ...C_LIKE, quotes: ['"', "'", "`"], multilineBacktick: true },
  javascript: { ...C_LIKE, quotes: ['"', "'", "`"], multilineBacktick: true },
  javascriptreact: { ...C_LIKE, quotes: ['"', "'", "`"], multilineBacktick: true },
  go: { ...C_LIKE, quotes: ['"', "'", "`"], multilineBacktick: true },
  rust: { ...C_LIKE, lifetimes: true },
  java: C_LIKE,
  c: C_LIKE,
  cpp: C_LIKE,
  csharp: C_LIKE,
  php: { ...C_LIKE, lineComments: ["//", "#"] },
  json: C_LIKE,
  jsonc: C_LIKE,
  python: {
    lineComments: ["#"],
    blockComment: null,
    quotes: ['"', "'"],
    tripleQuotes: true,
    multilineBacktick: false,
    indentationBlocks: true,
    lifetimes: false,
  },
  ruby: { ...C_LIKE, lineComments: ["#"], blockComment: null },
  shellscript: { ...C_LIKE, lineComments: ["#"], blockComment: null },
};

/** Unknown languages get C-like rules: brackets and quotes are the same in most languages people write. */
export function getCodeSyntax(languageId: string): CodeSyntax {
  return SYNTAX_BY_LANGUAGE[languageId] ?? C_LIKE;
}

export const OPENERS: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };
export const CLOSERS: Readonly<Record<string, string>> = { ")": "(", "]": "[", "}": "{" };
