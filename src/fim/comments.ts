// Context from other files, for models without repository tokens: comment blocks at the top of the prefix, in the
// file's own comment syntax, so the model reads them as notes and not as code of the current file.
import type { CommentSyntax, FimSnippet } from "./types";

const SLASH: CommentSyntax = { line: "//" };
const HASH: CommentSyntax = { line: "#" };
const DASH: CommentSyntax = { line: "--" };
const SEMI: CommentSyntax = { line: ";" };
const PERCENT: CommentSyntax = { line: "%" };
const CSS: CommentSyntax = { block: ["/*", "*/"] };
const MARKUP: CommentSyntax = { block: ["<!--", "-->"] };

/** VS Code language ids. */
const BY_LANGUAGE: Record<string, CommentSyntax> = {
  typescript: SLASH, typescriptreact: SLASH, javascript: SLASH, javascriptreact: SLASH, java: SLASH, c: SLASH,
  cpp: SLASH, csharp: SLASH, go: SLASH, rust: SLASH, swift: SLASH, kotlin: SLASH, scala: SLASH, php: SLASH,
  dart: SLASH, groovy: SLASH, "objective-c": SLASH, "objective-cpp": SLASH, jsonc: SLASH, zig: SLASH, proto: SLASH,
  solidity: SLASH, fsharp: SLASH, less: SLASH, scss: SLASH, glsl: SLASH, hlsl: SLASH, cuda: SLASH, "cuda-cpp": SLASH,
  python: HASH, ruby: HASH, shellscript: HASH, perl: HASH, r: HASH, yaml: HASH, toml: HASH, dockerfile: HASH,
  makefile: HASH, elixir: HASH, powershell: HASH, julia: HASH, nim: HASH, coffeescript: HASH, cmake: HASH, nix: HASH,
  properties: HASH, ini: SEMI, graphql: HASH, terraform: HASH, starlark: HASH,
  sql: DASH, lua: DASH, haskell: DASH, elm: DASH, ada: DASH, vhdl: DASH,
  clojure: SEMI, lisp: SEMI, scheme: SEMI, racket: SEMI, asm: SEMI,
  matlab: PERCENT, latex: PERCENT, tex: PERCENT, erlang: PERCENT, prolog: PERCENT,
  vb: { line: "'" }, bat: { line: "REM" }, ocaml: { block: ["(*", "*)"] },
  css: CSS, html: MARKUP, xml: MARKUP, markdown: MARKUP, vue: MARKUP, svelte: MARKUP,
};

/** File extensions (lower case, without the dot), for when no language id is given. */
const BY_EXTENSION: Record<string, CommentSyntax> = {
  ts: SLASH, tsx: SLASH, mts: SLASH, cts: SLASH, js: SLASH, jsx: SLASH, mjs: SLASH, cjs: SLASH, java: SLASH, c: SLASH,
  h: SLASH, cc: SLASH, cpp: SLASH, cxx: SLASH, hpp: SLASH, hh: SLASH, cs: SLASH, go: SLASH, rs: SLASH, swift: SLASH,
  kt: SLASH, kts: SLASH, scala: SLASH, php: SLASH, dart: SLASH, groovy: SLASH, m: SLASH, mm: SLASH, zig: SLASH,
  proto: SLASH, sol: SLASH, fs: SLASH, less: SLASH, scss: SLASH, cu: SLASH, jsonc: SLASH,
  py: HASH, pyi: HASH, rb: HASH, sh: HASH, bash: HASH, zsh: HASH, pl: HASH, r: HASH, yml: HASH, yaml: HASH,
  toml: HASH, ex: HASH, exs: HASH, ps1: HASH, jl: HASH, nim: HASH, cmake: HASH, nix: HASH, tf: HASH, graphql: HASH,
  sql: DASH, lua: DASH, hs: DASH, elm: DASH, adb: DASH, ads: DASH,
  clj: SEMI, cljs: SEMI, lisp: SEMI, el: SEMI, scm: SEMI, rkt: SEMI, asm: SEMI, s: SEMI, ini: SEMI,
  tex: PERCENT, erl: PERCENT, vb: { line: "'" }, bat: { line: "REM" }, cmd: { line: "REM" }, ml: { block: ["(*", "*)"] },
  css: CSS, html: MARKUP, htm: MARKUP, xml: MARKUP, svg: MARKUP, md: MARKUP, vue: MARKUP, svelte: MARKUP,
};

/** The comment syntax of a language id, else of the file's extension, else `//`. */
export function commentSyntaxFor(languageId: string | undefined, filePath?: string): CommentSyntax {
  if (languageId && BY_LANGUAGE[languageId]) return BY_LANGUAGE[languageId];
  const base = filePath?.split(/[\\/]/).pop() ?? "";
  if (/^(Makefile|GNUmakefile)$/.test(base) || /^Dockerfile/.test(base)) return HASH;
  const dot = base.lastIndexOf(".");
  const extension = dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
  return BY_EXTENSION[extension] ?? SLASH;
}

/**
 * Snippets as comment blocks, each headed by its path, then (when given) the current file's path, then one empty
 * line. Empty when there are no snippets: a lone path comment would only cost tokens.
 *
 *   // Path: src/util.ts
 *   // export function add(a: number, b: number): number {
 *   //   return a + b;
 *   // }
 *
 *   // Path: src/main.ts
 */
export function renderCommentedSnippets(snippets: readonly FimSnippet[], comment: CommentSyntax, filePath?: string): string {
  if (snippets.length === 0) return "";
  const blocks = snippets.map((snippet) => commentBlock(`Path: ${snippet.path}`, snippet.content, comment));
  const current = filePath ? `\n${commentLine(`Path: ${filePath}`, comment)}\n` : "\n";
  return blocks.join("\n") + current;
}

function commentBlock(header: string, content: string, comment: CommentSyntax): string {
  const lines = trimFinalNewline(content).split("\n");
  if (comment.line) return [header, ...lines].map((line) => commentLine(line, comment)).join("\n") + "\n";
  const [open, close] = comment.block ?? ["/*", "*/"];
  // A closing delimiter inside the snippet would end the comment early: break it up.
  const escape = (line: string) => line.split(close).join(close.split("").join(" "));
  return `${open} ${header}\n${lines.map(escape).join("\n")}\n${close}\n`;
}

function commentLine(text: string, comment: CommentSyntax): string {
  if (comment.line) return text ? `${comment.line} ${text}` : comment.line;
  const [open, close] = comment.block ?? ["/*", "*/"];
  return `${open} ${text} ${close}`;
}

function trimFinalNewline(text: string): string {
  return text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
}
