import { extname } from "node:path";

/** What Hearth knows about one tree-sitter grammar: where it lives and which node types mean what. */
export interface LanguageSpec {
  /** Grammar key, also the folder under grammars/queries/. */
  readonly grammar: string;
  readonly wasm: string;
  /** tags.scm files (relative to grammars/queries/) whose definition patterns feed the symbol index. */
  readonly tagQueries: readonly string[];
  /** Definition patterns the shipped tags.scm lacks (type aliases, enums, constants). */
  readonly extraDefinitions: string;
  /** Nodes whose header (up to the body) describes an enclosing scope. */
  readonly scopeTypes: ReadonlySet<string>;
  readonly importTypes: ReadonlySet<string>;
  readonly commentTypes: ReadonlySet<string>;
  readonly stringTypes: ReadonlySet<string>;
  /** Body nodes: an empty one at the cursor asks for a multi-line completion. */
  readonly blockTypes: ReadonlySet<string>;
}

const set = (...types: string[]): ReadonlySet<string> => new Set(types);

const JS_SCOPES = set(
  "function_declaration", "generator_function_declaration", "function_expression", "arrow_function", "method_definition",
  "class_declaration", "abstract_class_declaration", "class", "interface_declaration", "internal_module", "module",
  "enum_declaration",
);
const JS_EXTRA = `
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @definition.constant)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name))) @definition.constant)
`;
const TS_EXTRA = `${JS_EXTRA}
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
`;
const JS_COMMON = {
  importTypes: set("import_statement"),
  commentTypes: set("comment"),
  stringTypes: set("string", "template_string", "string_fragment", "regex"),
  blockTypes: set("statement_block", "class_body", "object", "object_type", "interface_body", "enum_body"),
  scopeTypes: JS_SCOPES,
};

const C_COMMON = {
  commentTypes: set("comment"),
  stringTypes: set("string_literal", "char_literal", "raw_string_literal", "string_content"),
  blockTypes: set("compound_statement", "field_declaration_list", "declaration_list", "enumerator_list"),
  importTypes: set("preproc_include"),
};
const C_EXTRA = `
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
`;

const SPECS: Record<string, LanguageSpec> = {
  typescript: {
    grammar: "typescript",
    wasm: "tree-sitter-typescript.wasm",
    tagQueries: ["javascript/tags.scm", "typescript/tags.scm"],
    extraDefinitions: TS_EXTRA,
    ...JS_COMMON,
  },
  tsx: {
    grammar: "tsx",
    wasm: "tree-sitter-tsx.wasm",
    tagQueries: ["javascript/tags.scm", "typescript/tags.scm"],
    extraDefinitions: TS_EXTRA,
    ...JS_COMMON,
    stringTypes: set("string", "template_string", "string_fragment", "regex", "jsx_text"),
  },
  javascript: {
    grammar: "javascript",
    wasm: "tree-sitter-javascript.wasm",
    tagQueries: ["javascript/tags.scm"],
    extraDefinitions: JS_EXTRA,
    ...JS_COMMON,
    stringTypes: set("string", "template_string", "string_fragment", "regex", "jsx_text"),
  },
  python: {
    grammar: "python",
    wasm: "tree-sitter-python.wasm",
    tagQueries: ["python/tags.scm"],
    extraDefinitions: "",
    scopeTypes: set("function_definition", "class_definition"),
    importTypes: set("import_statement", "import_from_statement", "future_import_statement"),
    commentTypes: set("comment"),
    stringTypes: set("string", "string_content", "concatenated_string"),
    blockTypes: set("block"),
  },
  go: {
    grammar: "go",
    wasm: "tree-sitter-go.wasm",
    tagQueries: ["go/tags.scm"],
    extraDefinitions: `
(source_file (const_declaration (const_spec name: (identifier) @name)) @definition.constant)
(source_file (var_declaration (var_spec name: (identifier) @name)) @definition.constant)
`,
    scopeTypes: set("function_declaration", "method_declaration", "func_literal", "type_declaration"),
    importTypes: set("import_declaration"),
    commentTypes: set("comment"),
    stringTypes: set("interpreted_string_literal", "raw_string_literal", "rune_literal"),
    blockTypes: set("block", "field_declaration_list", "interface_type"),
  },
  rust: {
    grammar: "rust",
    wasm: "tree-sitter-rust.wasm",
    tagQueries: ["rust/tags.scm"],
    extraDefinitions: `
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(type_item name: (type_identifier) @name) @definition.type
`,
    scopeTypes: set("function_item", "impl_item", "trait_item", "struct_item", "enum_item", "mod_item", "closure_expression"),
    importTypes: set("use_declaration", "extern_crate_declaration"),
    commentTypes: set("line_comment", "block_comment"),
    stringTypes: set("string_literal", "raw_string_literal", "char_literal"),
    blockTypes: set("block", "declaration_list", "field_declaration_list", "enum_variant_list"),
  },
  java: {
    grammar: "java",
    wasm: "tree-sitter-java.wasm",
    tagQueries: ["java/tags.scm"],
    extraDefinitions: `
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(field_declaration (modifiers "static") declarator: (variable_declarator name: (identifier) @name)) @definition.constant
`,
    scopeTypes: set("class_declaration", "interface_declaration", "enum_declaration", "record_declaration", "method_declaration", "constructor_declaration", "lambda_expression"),
    importTypes: set("import_declaration", "package_declaration"),
    commentTypes: set("line_comment", "block_comment"),
    stringTypes: set("string_literal", "text_block", "character_literal", "string_fragment"),
    blockTypes: set("block", "class_body", "interface_body", "enum_body", "constructor_body"),
  },
  c: {
    grammar: "c",
    wasm: "tree-sitter-c.wasm",
    tagQueries: ["c/tags.scm"],
    extraDefinitions: C_EXTRA,
    scopeTypes: set("function_definition", "struct_specifier", "enum_specifier", "union_specifier"),
    ...C_COMMON,
  },
  cpp: {
    grammar: "cpp",
    wasm: "tree-sitter-cpp.wasm",
    tagQueries: ["cpp/tags.scm"],
    extraDefinitions: C_EXTRA,
    scopeTypes: set("function_definition", "struct_specifier", "class_specifier", "namespace_definition", "enum_specifier", "lambda_expression"),
    ...C_COMMON,
  },
  csharp: {
    grammar: "csharp",
    wasm: "tree-sitter-c_sharp.wasm",
    tagQueries: ["csharp/tags.scm"],
    extraDefinitions: `
(struct_declaration name: (identifier) @name) @definition.class
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
`,
    scopeTypes: set(
      "class_declaration", "interface_declaration", "struct_declaration", "record_declaration", "enum_declaration",
      "method_declaration", "constructor_declaration", "namespace_declaration", "lambda_expression",
    ),
    importTypes: set("using_directive"),
    commentTypes: set("comment"),
    stringTypes: set("string_literal", "verbatim_string_literal", "interpolated_string_expression", "character_literal", "raw_string_literal"),
    blockTypes: set("block", "declaration_list", "enum_member_declaration_list"),
  },
  ruby: {
    grammar: "ruby",
    wasm: "tree-sitter-ruby.wasm",
    tagQueries: ["ruby/tags.scm"],
    extraDefinitions: "",
    scopeTypes: set("method", "singleton_method", "class", "module"),
    importTypes: set(),
    commentTypes: set("comment"),
    stringTypes: set("string", "string_content", "heredoc_body"),
    blockTypes: set("body_statement", "do_block", "block"),
  },
  php: {
    grammar: "php",
    wasm: "tree-sitter-php.wasm",
    tagQueries: ["php/tags.scm"],
    extraDefinitions: "",
    scopeTypes: set("function_definition", "method_declaration", "class_declaration", "interface_declaration", "trait_declaration"),
    importTypes: set("namespace_use_declaration"),
    commentTypes: set("comment"),
    stringTypes: set("string", "encapsed_string", "string_content", "heredoc"),
    blockTypes: set("compound_statement", "declaration_list"),
  },
  bash: {
    grammar: "bash",
    wasm: "tree-sitter-bash.wasm",
    tagQueries: [],
    extraDefinitions: "(function_definition name: (word) @name) @definition.function\n",
    scopeTypes: set("function_definition"),
    importTypes: set(),
    commentTypes: set("comment"),
    stringTypes: set("string", "raw_string", "heredoc_body"),
    blockTypes: set("compound_statement"),
  },
  json: {
    grammar: "json",
    wasm: "tree-sitter-json.wasm",
    tagQueries: [],
    extraDefinitions: "",
    scopeTypes: set(),
    importTypes: set(),
    commentTypes: set("comment"),
    stringTypes: set("string", "string_content"),
    blockTypes: set("object", "array"),
  },
};

/** VS Code language ids (and a few aliases) to grammar keys. */
const GRAMMAR_BY_LANGUAGE_ID: Record<string, string> = {
  typescript: "typescript",
  typescriptreact: "tsx",
  javascript: "javascript",
  javascriptreact: "javascript",
  python: "python",
  go: "go",
  rust: "rust",
  java: "java",
  c: "c",
  cpp: "cpp",
  "cuda-cpp": "cpp",
  csharp: "csharp",
  ruby: "ruby",
  php: "php",
  shellscript: "bash",
  json: "json",
  jsonc: "json",
};

const LANGUAGE_ID_BY_EXTENSION: Record<string, string> = {
  ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
  ".tsx": "typescriptreact",
  ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
  ".jsx": "javascriptreact",
  ".py": "python", ".pyi": "python",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".c": "c", ".h": "c",
  ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp",
  ".cs": "csharp",
  ".rb": "ruby",
  ".php": "php",
  ".sh": "shellscript", ".bash": "shellscript",
  ".json": "json",
};

/** Null for a language without a grammar: it still gets completions, with line-based context only. */
export function getLanguageSpec(languageId: string): LanguageSpec | null {
  const grammar = GRAMMAR_BY_LANGUAGE_ID[languageId];
  return grammar ? SPECS[grammar] : null;
}

export function languageIdForPath(path: string): string | null {
  return LANGUAGE_ID_BY_EXTENSION[extname(path).toLowerCase()] ?? null;
}

/** Languages whose files the workspace index reads (JSON has no definitions worth indexing). */
export function isIndexableLanguage(languageId: string): boolean {
  const spec = getLanguageSpec(languageId);
  return spec !== null && (spec.tagQueries.length > 0 || spec.extraDefinitions !== "");
}
