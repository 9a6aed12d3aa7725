import { extname } from "node:path";

/** The query files a language's folder may hold, grammars/<grammar>/<kind>.scm (grammars/README.md says what each holds). */
export const QUERY_KINDS = ["definitions", "scopes", "imports", "blocks", "lexical"] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** One grammar Hearth parses with: one line of GRAMMARS. */
export interface GrammarEntry {
  /** The grammar's key, and its folder under grammars/ with the query files. */
  readonly grammar: string;
  /** The official grammar package (a devDependency) whose .wasm the build copies into grammars/. */
  readonly package: string;
  readonly wasm: string;
  /** The VS Code language ids parsed with this grammar, each with the file extensions that mean it. */
  readonly languages: Readonly<Record<string, readonly string[]>>;
  /** The query files in the grammar's folder; a language without definitions is not indexed. */
  readonly queries: readonly QueryKind[];
}

const ALL = QUERY_KINDS;
const NO_IMPORTS: readonly QueryKind[] = ["definitions", "scopes", "blocks", "lexical"];

/** Adding a language: its grammar package as a devDependency, a folder of queries under grammars/, and a line here. */
export const GRAMMARS: readonly GrammarEntry[] = [
  { grammar: "typescript", package: "tree-sitter-typescript", wasm: "tree-sitter-typescript.wasm", languages: { typescript: [".ts", ".mts", ".cts"] }, queries: ALL },
  { grammar: "tsx", package: "tree-sitter-typescript", wasm: "tree-sitter-tsx.wasm", languages: { typescriptreact: [".tsx"] }, queries: ALL },
  { grammar: "javascript", package: "tree-sitter-javascript", wasm: "tree-sitter-javascript.wasm", languages: { javascript: [".js", ".mjs", ".cjs"], javascriptreact: [".jsx"] }, queries: ALL },
  { grammar: "python", package: "tree-sitter-python", wasm: "tree-sitter-python.wasm", languages: { python: [".py", ".pyi"] }, queries: ALL },
  { grammar: "go", package: "tree-sitter-go", wasm: "tree-sitter-go.wasm", languages: { go: [".go"] }, queries: ALL },
  { grammar: "rust", package: "tree-sitter-rust", wasm: "tree-sitter-rust.wasm", languages: { rust: [".rs"] }, queries: ALL },
  { grammar: "java", package: "tree-sitter-java", wasm: "tree-sitter-java.wasm", languages: { java: [".java"] }, queries: ALL },
  { grammar: "c", package: "tree-sitter-c", wasm: "tree-sitter-c.wasm", languages: { c: [".c", ".h"] }, queries: ALL },
  { grammar: "cpp", package: "tree-sitter-cpp", wasm: "tree-sitter-cpp.wasm", languages: { cpp: [".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"], "cuda-cpp": [] }, queries: ALL },
  { grammar: "csharp", package: "tree-sitter-c-sharp", wasm: "tree-sitter-c_sharp.wasm", languages: { csharp: [".cs"] }, queries: ALL },
  { grammar: "ruby", package: "tree-sitter-ruby", wasm: "tree-sitter-ruby.wasm", languages: { ruby: [".rb"] }, queries: NO_IMPORTS },
  { grammar: "php", package: "tree-sitter-php", wasm: "tree-sitter-php.wasm", languages: { php: [".php"] }, queries: ALL },
  { grammar: "bash", package: "tree-sitter-bash", wasm: "tree-sitter-bash.wasm", languages: { shellscript: [".sh", ".bash"] }, queries: NO_IMPORTS },
  // JSON has no definitions worth indexing: only where strings and blocks are.
  { grammar: "json", package: "tree-sitter-json", wasm: "tree-sitter-json.wasm", languages: { json: [".json"], jsonc: [] }, queries: ["blocks", "lexical"] },
];

/**
 * What a language's query files say about its node types, read at run time (language-queries.ts): each set holds the
 * node types one capture of a node-list file names (grammars/README.md).
 */
export interface LanguageSpec {
  readonly grammar: string;
  /** scopes.scm @scope: nodes whose header (up to the body) describes an enclosing scope; an action's declarations. */
  readonly scopeTypes: ReadonlySet<string>;
  /** @scope.anonymous: scopes that are values (`() => …`), a declaration only when a binding names them. */
  readonly anonymousScopeTypes: ReadonlySet<string>;
  /** @declaration.wrapper and @declaration.binding: what an action takes along with the declaration inside. */
  readonly wrapperTypes: ReadonlySet<string>;
  readonly bindingTypes: ReadonlySet<string>;
  /** @function: definitions inside one are local. */
  readonly functionTypes: ReadonlySet<string>;
  /** @members: declarations inside one are members of a type. */
  readonly memberContainerTypes: ReadonlySet<string>;
  /** imports.scm @import, and @import.require: a declaration that is an import when it calls require(). */
  readonly importTypes: ReadonlySet<string>;
  readonly requireTypes: ReadonlySet<string>;
  /** blocks.scm @block: body nodes; an empty one at the cursor asks for a multi-line completion. */
  readonly blockTypes: ReadonlySet<string>;
  /** @container: nodes that hold declarations; the climb from a definition to its statement stops below them. */
  readonly containerTypes: ReadonlySet<string>;
  /** lexical.scm @comment and @string. */
  readonly commentTypes: ReadonlySet<string>;
  readonly stringTypes: ReadonlySet<string>;
}

const GRAMMAR_BY_LANGUAGE_ID = new Map(GRAMMARS.flatMap((g) => Object.keys(g.languages).map((id) => [id, g] as const)));
const LANGUAGE_ID_BY_EXTENSION = new Map(GRAMMARS.flatMap((g) => Object.entries(g.languages).flatMap(([id, exts]) => exts.map((ext) => [ext, id] as const))));

/** Null for a language without a grammar: it still gets completions, with line-based context only. */
export function grammarFor(languageId: string): GrammarEntry | null {
  return GRAMMAR_BY_LANGUAGE_ID.get(languageId) ?? null;
}

export function languageIdForPath(path: string): string | null {
  return LANGUAGE_ID_BY_EXTENSION.get(extname(path).toLowerCase()) ?? null;
}

/** Languages whose files the workspace index reads: those with definitions. */
export function isIndexableLanguage(languageId: string): boolean {
  return grammarFor(languageId)?.queries.includes("definitions") ?? false;
}
