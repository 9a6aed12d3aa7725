// The data that FIM prompt formats work with. Plain data only: no vscode, no node-llama-cpp, so formats run (and are
// tested) anywhere, and the engine process turns the pieces into tokens (src/engine/worker/prompt-tokens.mts).

/**
 * One piece of a rendered prompt. A `special` piece is one control token of the model's vocabulary, written by its
 * text (`<|fim_prefix|>`); the engine tokenises it with special tokens enabled and requires exactly one token. A `text`
 * piece is the user's code or other plain text; the engine tokenises it with special tokens disabled, so code that
 * contains the literal text `<|fim_prefix|>` stays text and can never inject a control token.
 */
export type PromptPiece = { kind: "text"; text: string } | { kind: "special"; token: string };

/** Code from another file (an import, a definition, a recently edited snippet) to show the model before the prefix. */
export interface FimSnippet {
  /** Workspace-relative path, forward slashes (`src/util.ts`). */
  path: string;
  content: string;
}

/** Fill-in-the-middle token ids from GGUF metadata (`tokenizer.ggml.fim_pre_token_id` etc.). */
export interface FimTokenIds {
  pre?: number;
  suf?: number;
  mid?: number;
  pad?: number;
  /** Repository name marker (`<|repo_name|>`). */
  rep?: number;
  /** File separator (`<|file_sep|>`). */
  sep?: number;
}

/** What detection looks at: GGUF metadata only, never the file name. */
export interface ModelVocabInfo {
  /** `general.architecture` */
  architecture: string;
  /** `general.name` */
  name?: string;
  /** `general.basename` */
  basename?: string;
  /** `general.organization` */
  organization?: string;
  /** `tokenizer.ggml.tokens` */
  tokens: string[];
  /** `tokenizer.ggml.token_type` (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). */
  tokenTypes?: number[];
  /** `tokenizer.ggml.fim_*_token_id`, or the older `prefix_token_id` / `suffix_token_id` / `middle_token_id`. */
  fimTokenIds: FimTokenIds;
  /** `tokenizer.chat_template` */
  chatTemplate?: string;
}

export type FimFamilyId =
  | "qwen"
  | "deepseek"
  | "starcoder2"
  | "starcoder"
  | "mellum"
  | "codellama"
  | "codegemma"
  | "codestral"
  | "generic";

/** How a line of code is turned into a comment in the file's language (for context snippets in plain text). */
export interface CommentSyntax {
  /** Line comment, e.g. `//` or `#`. */
  line?: string;
  /** Block comment delimiters, used when the language has no line comment (CSS, HTML). */
  block?: readonly [open: string, close: string];
}

/** What a format renders: the windows are already cut (see layout.ts). */
export interface FimRenderInput {
  prefix: string;
  suffix: string;
  snippets: readonly FimSnippet[];
  filePath?: string;
  repoName?: string;
  comment: CommentSyntax;
}

export interface FimFormat {
  readonly id: FimFamilyId;
  /** For the status bar and the log, e.g. "Qwen2.5-Coder". */
  readonly familyName: string;
  /**
   * The order the model was trained on: prefix–suffix–middle, or suffix–prefix(–middle). It decides which part of the
   * prompt is re-evaluated when the user types (see layout.ts).
   */
  readonly order: "psm" | "spm";
  /** Other files are laid out with the model's own file/repository tokens rather than as comments. */
  readonly repoLevel: boolean;
  /** Every special token the format may write (what user text is guarded against). */
  readonly specialTokens: readonly string[];
  /**
   * Special tokens that end the completion (besides the model's own end-of-generation tokens, which llama.cpp stops
   * on anyway). Some are not end tokens to llama.cpp (StarCoder2's `<file_sep>`), so the engine must pass them as stop
   * triggers. A token missing from the vocabulary is simply not used.
   */
  readonly stopTokens: readonly string[];
  /** Plain-text stop strings, for a model that writes a marker as ordinary text (CodeLlama's ` <EOT>`). */
  readonly stopStrings: readonly string[];
  /** How this format was found, for the log (e.g. "vocabulary has <|fim_prefix|>, <|repo_name|>"). */
  readonly detectedBy?: string;
  render(input: FimRenderInput): PromptPiece[];
}
