// Fill-in-the-middle prompt formats of the code-model families, each in the exact token order the model was trained
// on. Sources (checked 2026-11-25; the layouts are written here, not copied):
//   - llama.cpp src/llama-vocab.cpp (the copy bundled in node-llama-cpp 3.22.1): the FIM token texts it recognises per
//     family (`<|fim_prefix|>` Qwen, `<fim_prefix>`, `<｜fim▁begin｜>` DeepSeek, `▁<PRE>` CodeLlama, `<|file_sep|>` …)
//     and tools/server's format_prompt_infill (repo-level layout `[REP]name\n[SEP]path\ntext…[SEP]path\n[PRE]…`).
//   - Qwen2.5-Coder: QwenLM/Qwen2.5-Coder examples/Qwen2.5-Coder-fim.py and -repolevel-fim.py (PSM, repo layout, and
//     the end-token ids 151643 151645 151659–151664).
//   - DeepSeek-Coder: its README / model card (`<｜fim▁begin｜>prefix<｜fim▁hole｜>suffix<｜fim▁end｜>`, BOS first; the
//     bars are U+FF5C and the spaces U+2581).
//   - StarCoder2: the StarCoder2 paper §5 (arXiv 2402.19173): `<repo_name>name<file_sep>path\ncode…` and, for the FIM
//     file, `<file_sep><fim_prefix>path\nprefix<fim_suffix>suffix<fim_middle>`.
//   - StarCoder / Refact / StarCoder-tokenizer models: `<fim_prefix>prefix<fim_suffix>suffix<fim_middle>` (model cards).
//   - Mellum (JetBrains/Mellum-4b-base model card): suffix first,
//     `<filename>path\ncode…<filename>current\n<fim_suffix>suffix<fim_prefix>prefix<fim_middle>`.
//   - CodeLlama (meta-llama/codellama llama/generation.py): `[BOS] ▁<PRE> ␣prefix ▁<SUF> suffix ▁<MID>`, the prefix
//     encoded with SentencePiece's leading space and the suffix without; ends with `▁<EOT>`.
//   - CodeGemma (model card): `<|fim_prefix|>prefix<|fim_suffix|>suffix<|fim_middle|>`, ends with `<|file_separator|>`.
//   - Codestral (mistral-common encode_fim; its test expects `<s>[SUFFIX]return▁a▁+▁b[PREFIX]▁def▁f(`): suffix first,
//     no middle token, the prefix with SentencePiece's leading space.
// BOS is not a piece: the engine's completion call prepends it exactly when the model's metadata asks for it.
//
// Order per family (issue 16; checked 2026-12-03). The engine keeps the KV cache up to the first token that changed, and
// typing changes the prompt at the cursor: in prefix-suffix-middle (PSM) order the suffix follows the cursor, so the
// local engine moves its cache past each keystroke's change (engine/worker/suffix-reuse.mts) and it is the enclosing
// block's rest up to 64 lines (fim/layout.ts PSM_REUSE_WINDOW); where nothing moves it (a team server) it is evaluated
// again on every keystroke and cut at 16 lines (PSM_WINDOW). In a suffix-first order it precedes the prefix, stays in
// the cache while the user types, and is 64 lines long (SPM_WINDOW). A family is put suffix first only where its
// training used that order, in a documented layout:
//   - Qwen2.5-Coder: PSM only (its technical report, arXiv 2409.12186, gives the file- and repo-level FIM formats in
//     PSM alone, as do its FIM examples); prefix first.
//   - DeepSeek-Coder: its report (arXiv 2401.14196, the FIM section) weighs PSM against SPM and trains in PSM mode at a
//     FIM rate of 0.5; prefix first.
//   - StarCoder2: its paper (arXiv 2402.19173, §5) lays the repo-level FIM file out PSM
//     (`<file_sep><fim_prefix>path\nprefix<fim_suffix>…`) and names no SPM; prefix first.
//   - CodeGemma: its report (arXiv 2406.11409, §2.1) trains both PSM and SPM, but neither it (Figure 2), nor the model
//     card, nor Google's prompt-structure page gives the SPM token order, only PSM; prefix first, since a guessed order
//     would be outside its training.
//   - StarCoder(1): bigcode's Megatron-LM (megatron/data/gpt_dataset.py `permute`) trains SPM half the time
//     (`fim_spm_rate` 0.5) as `<fim_prefix><fim_suffix>suffix<fim_middle>prefix`; suffix first, in that layout. Other models on
//     its tokenizer (Refact, Granite-Code) stay prefix first: their order is not documented here.
//   - CodeLlama: generation.py `infilling_prompt_tokens(suffix_first=True)`, trained in both orders (the Code Llama paper, infilling):
//     `[BOS] ▁<PRE> ▁<SUF> suffix ▁<MID> ␣prefix`; suffix first.
//   - Codestral, Mellum: suffix first is their only format.
import { renderCommentedSnippets } from "./comments";
import type { FimFamilyId, FimFormat, FimRenderInput, PromptPiece } from "./types";

/** Repository name used in repo-level layouts when the caller has none. */
export const DEFAULT_REPO_NAME = "workspace";
/** File path used in repo-level layouts when the caller has none (the layout needs one). */
export const DEFAULT_FILE_PATH = "untitled";

export const QWEN_TOKENS = {
  pre: "<|fim_prefix|>",
  suf: "<|fim_suffix|>",
  mid: "<|fim_middle|>",
  pad: "<|fim_pad|>",
  repoName: "<|repo_name|>",
  fileSep: "<|file_sep|>",
  endOfText: "<|endoftext|>",
  imEnd: "<|im_end|>",
} as const;

export const DEEPSEEK_TOKENS = {
  begin: "<｜fim▁begin｜>",
  hole: "<｜fim▁hole｜>",
  end: "<｜fim▁end｜>",
  endOfSentence: "<｜end▁of▁sentence｜>",
  /** DeepSeek-Coder-Instruct's end of turn (ASCII bars). */
  eot: "<|EOT|>",
} as const;

export const STARCODER_TOKENS = {
  pre: "<fim_prefix>",
  suf: "<fim_suffix>",
  mid: "<fim_middle>",
  pad: "<fim_pad>",
  endOfText: "<|endoftext|>",
  /** StarCoder2's repository layout. */
  repoName: "<repo_name>",
  fileSep: "<file_sep>",
  /** StarCoder(1)'s and Mellum's metadata tokens. */
  filename: "<filename>",
  reponame: "<reponame>",
} as const;

export const CODELLAMA_TOKENS = { pre: "▁<PRE>", suf: "▁<SUF>", mid: "▁<MID>", eot: "▁<EOT>", eos: "</s>" } as const;

export const CODEGEMMA_TOKENS = {
  pre: "<|fim_prefix|>",
  suf: "<|fim_suffix|>",
  mid: "<|fim_middle|>",
  fileSeparator: "<|file_separator|>",
  eos: "<eos>",
  endOfTurn: "<end_of_turn>",
} as const;

export const CODESTRAL_TOKENS = { suf: "[SUFFIX]", pre: "[PREFIX]", mid: "[MIDDLE]", eos: "</s>" } as const;

// ---------------------------------------------------------------------------------------------------------------------
// The families

/** Qwen2.5-Coder (and Qwen3-Coder, same tokens): PSM; other files in its repo-level layout. */
export function qwenFormat(familyName = "Qwen2.5-Coder"): FimFormat {
  const t = QWEN_TOKENS;
  return defineFormat({
    id: "qwen",
    familyName,
    order: "psm",
    repoLevel: true,
    written: [t.pre, t.suf, t.mid, t.repoName, t.fileSep],
    stopTokens: [t.endOfText, t.fileSep, t.pad, t.pre, t.suf, t.mid, t.repoName, t.imEnd],
    render: (input) => [...sepRepoContext(t.repoName, t.fileSep, input), ...fimPieces("psm", t, [text(input.prefix)], input.suffix)],
  });
}

/** DeepSeek-Coder (v1 and V2): PSM as begin/hole/end; other files as comments. */
export function deepseekFormat(familyName = "DeepSeek-Coder"): FimFormat {
  const t = DEEPSEEK_TOKENS;
  return defineFormat({
    id: "deepseek",
    familyName,
    order: "psm",
    repoLevel: false,
    written: [t.begin, t.hole, t.end],
    stopTokens: [t.endOfSentence, t.eot, t.begin, t.hole, t.end],
    render: (input) => fimPieces("psm", { pre: t.begin, suf: t.hole, mid: t.end }, commentedPrefix(input), input.suffix),
  });
}

/**
 * StarCoder2: PSM; other files in its `<repo_name>` / `<file_sep>` layout, the FIM file's path inside the prefix.
 * `withRepoName: false` for a vocabulary with `<file_sep>` but no `<repo_name>` (the name is then left out).
 */
export function starcoder2Format(familyName = "StarCoder2", withRepoName = true): FimFormat {
  const t = STARCODER_TOKENS;
  return defineFormat({
    id: "starcoder2",
    familyName,
    order: "psm",
    repoLevel: true,
    written: [t.pre, t.suf, t.mid, t.fileSep, ...(withRepoName ? [t.repoName] : [])],
    stopTokens: [t.endOfText, t.fileSep, t.pre, t.suf, t.mid, t.pad, t.repoName],
    render: (input) => {
      const useRepo = input.snippets.length > 0 || input.filePath !== undefined;
      if (!useRepo) return fimPieces("psm", t, [text(input.prefix)], input.suffix);
      const context: PromptPiece[] = [];
      if (withRepoName && input.repoName) context.push(special(t.repoName), text(input.repoName));
      for (const snippet of input.snippets) context.push(special(t.fileSep), text(`${snippet.path}\n${withFinalNewline(snippet.content)}`));
      context.push(special(t.fileSep));
      const prefix = input.filePath !== undefined ? [text(`${input.filePath}\n`), text(input.prefix)] : [text(input.prefix)];
      return [...context, ...fimPieces("psm", t, prefix, input.suffix)];
    },
  });
}

/**
 * StarCoder(1), Refact and other models on the StarCoder tokenizer (`<fim_prefix>` without StarCoder2's `<file_sep>`);
 * other files as comments. StarCoder itself goes suffix first, in its trained SPM layout
 * `<fim_prefix><fim_suffix>suffix<fim_middle>prefix`; the others (Refact, Granite-Code, …) whose training order is not
 * documented here stay prefix first (`order: "psm"`).
 */
export function starcoderFormat(familyName = "StarCoder", order: "psm" | "spm" = "spm"): FimFormat {
  const t = STARCODER_TOKENS;
  return defineFormat({
    id: "starcoder",
    familyName,
    order,
    repoLevel: false,
    written: [t.pre, t.suf, t.mid],
    stopTokens: [t.endOfText, t.pre, t.suf, t.mid, t.pad, t.filename, t.fileSep],
    render: (input) => (order === "spm" ? suffixFirstPieces(t, commentedPrefix(input), input.suffix) : fimPieces("psm", t, commentedPrefix(input), input.suffix)),
  });
}

/** JetBrains Mellum: SUFFIX first (SPM with a middle token); other files as `<filename>path\ncode` blocks. */
export function mellumFormat(familyName = "Mellum"): FimFormat {
  const t = STARCODER_TOKENS;
  return defineFormat({
    id: "mellum",
    familyName,
    order: "spm",
    repoLevel: true,
    written: [t.pre, t.suf, t.mid, t.filename],
    stopTokens: [t.endOfText, t.filename, t.pre, t.suf, t.mid, t.pad, t.reponame],
    render: (input) => {
      const context: PromptPiece[] = [];
      for (const snippet of input.snippets) context.push(special(t.filename), text(`${snippet.path}\n${withFinalNewline(snippet.content)}`));
      if (input.filePath !== undefined) context.push(special(t.filename), text(`${input.filePath}\n`));
      return [...context, ...fimPieces("spm", t, [text(input.prefix)], input.suffix)];
    },
  });
}

/**
 * CodeLlama: suffix first, `▁<PRE> ▁<SUF> suffix ▁<MID> ␣prefix` (generation.py's suffix_first layout). `tokens` lets
 * detection pass the vocabulary's own spelling (some conversions store `<PRE>` without the SentencePiece space).
 */
export function codellamaFormat(familyName = "CodeLlama", tokens: { pre: string; suf: string; mid: string; eot: string } = CODELLAMA_TOKENS): FimFormat {
  return defineFormat({
    id: "codellama",
    familyName,
    order: "spm",
    repoLevel: false,
    written: [tokens.pre, tokens.suf, tokens.mid],
    stopTokens: [tokens.eot, CODELLAMA_TOKENS.eos],
    stopStrings: ["<EOT>"],
    // generation.py encodes the prefix with SentencePiece's leading space (`<MID> {pre}`) and the suffix without.
    render: (input) => suffixFirstPieces(tokens, withLeadingSpace(commentedPrefix(input)), input.suffix),
  });
}

/** CodeGemma: PSM with `<|fim_prefix|>`…; ends with `<|file_separator|>`; other files as comments. */
export function codegemmaFormat(familyName = "CodeGemma"): FimFormat {
  const t = CODEGEMMA_TOKENS;
  return defineFormat({
    id: "codegemma",
    familyName,
    order: "psm",
    repoLevel: false,
    written: [t.pre, t.suf, t.mid],
    stopTokens: [t.fileSeparator, t.eos, t.endOfTurn, t.pre, t.suf, t.mid],
    render: (input) => fimPieces("psm", t, commentedPrefix(input), input.suffix),
  });
}

/** Codestral (Mistral tokenizer v3): `[SUFFIX]suffix[PREFIX] prefix`, suffix first and no middle token. */
export function codestralFormat(familyName = "Codestral"): FimFormat {
  const t = CODESTRAL_TOKENS;
  return defineFormat({
    id: "codestral",
    familyName,
    order: "spm",
    repoLevel: false,
    written: [t.suf, t.pre],
    stopTokens: [t.eos, t.pre, t.suf, t.mid],
    render: (input) => fimPieces("spm", { pre: t.pre, suf: t.suf }, withLeadingSpace(commentedPrefix(input)), input.suffix),
  });
}

export interface GenericFimTokens {
  pre: string;
  suf: string;
  /** Without a middle token the prompt is suffix-first, as llama.cpp and node-llama-cpp do. */
  mid?: string;
  pad?: string;
  /** With both `rep` and `sep`: llama-server's repo-level layout (`[REP]name\n[SEP]path\ncode…[SEP]path\n[PRE]…`). */
  rep?: string;
  sep?: string;
}

/** Any model whose GGUF names its FIM tokens (by id, or by a token text llama.cpp knows), without a known family. */
export function genericFormat(tokens: GenericFimTokens, familyName = "FIM tokens from the GGUF"): FimFormat {
  const order = tokens.mid !== undefined ? "psm" : "spm";
  const repoLevel = tokens.rep !== undefined && tokens.sep !== undefined;
  const optional = (...list: Array<string | undefined>) => list.filter((token): token is string => token !== undefined);
  return defineFormat({
    id: "generic",
    familyName,
    order,
    repoLevel,
    written: optional(tokens.pre, tokens.suf, tokens.mid, ...(repoLevel ? [tokens.rep, tokens.sep] : [])),
    stopTokens: optional(tokens.pad, tokens.rep, tokens.sep, tokens.pre, tokens.suf, tokens.mid),
    render: (input) => {
      if (repoLevel) {
        return [...sepRepoContext(tokens.rep!, tokens.sep!, input), ...fimPieces(order, tokens, [text(input.prefix)], input.suffix)];
      }
      return fimPieces(order, tokens, commentedPrefix(input), input.suffix);
    },
  });
}

/** Every family with its default tokens (the generic one needs tokens from a vocabulary). */
export function knownFormats(): FimFormat[] {
  return [qwenFormat(), deepseekFormat(), starcoder2Format(), starcoderFormat(), mellumFormat(), codellamaFormat(), codegemmaFormat(), codestralFormat()];
}

// ---------------------------------------------------------------------------------------------------------------------
// Shared pieces

interface FormatSpec {
  id: FimFamilyId;
  familyName: string;
  order: "psm" | "spm";
  repoLevel: boolean;
  /** Special tokens the prompt may contain. */
  written: readonly string[];
  stopTokens: readonly string[];
  stopStrings?: readonly string[];
  render(input: FimRenderInput): PromptPiece[];
}

function defineFormat(spec: FormatSpec): FimFormat {
  return {
    id: spec.id,
    familyName: spec.familyName,
    order: spec.order,
    repoLevel: spec.repoLevel,
    specialTokens: unique([...spec.written, ...spec.stopTokens]),
    stopTokens: unique(spec.stopTokens),
    stopStrings: spec.stopStrings ?? [],
    render: (input) => dropEmptyText(spec.render(input)),
  };
}

/** Returns a copy of `format` whose stop tokens are only those `keep` accepts (detection drops what the vocab lacks). */
export function withStopTokens(format: FimFormat, keep: (token: string) => boolean, detectedBy?: string): FimFormat {
  return { ...format, stopTokens: format.stopTokens.filter(keep), ...(detectedBy ? { detectedBy } : {}) };
}

function text(value: string): PromptPiece {
  return { kind: "text", text: value };
}

function special(token: string): PromptPiece {
  return { kind: "special", token };
}

/** The FIM core in the trained order; `prefix` may be several pieces (comment context, then the code). */
function fimPieces(order: "psm" | "spm", t: { pre: string; suf: string; mid?: string }, prefix: PromptPiece[], suffix: string): PromptPiece[] {
  const middle = t.mid !== undefined ? [special(t.mid)] : [];
  if (order === "psm") return [special(t.pre), ...prefix, special(t.suf), text(suffix), ...middle];
  return [special(t.suf), text(suffix), special(t.pre), ...prefix, ...middle];
}

/** The suffix-first layout of the FIM paper (Bavarian et al. 2022), as StarCoder and CodeLlama were trained on it. */
function suffixFirstPieces(t: { pre: string; suf: string; mid: string }, prefix: PromptPiece[], suffix: string): PromptPiece[] {
  return [special(t.pre), special(t.suf), text(suffix), special(t.mid), ...prefix];
}

/**
 * Qwen's and llama-server's repository layout, used when there is something to say (other files or the current path):
 * `<|repo_name|>name\n` + `<|file_sep|>path\ncontent\n` per snippet + `<|file_sep|>current-path\n`.
 */
function sepRepoContext(rep: string, sep: string, input: FimRenderInput): PromptPiece[] {
  if (input.snippets.length === 0 && input.filePath === undefined) return [];
  const pieces: PromptPiece[] = [special(rep), text(`${input.repoName ?? DEFAULT_REPO_NAME}\n`)];
  for (const snippet of input.snippets) pieces.push(special(sep), text(`${snippet.path}\n${withFinalNewline(snippet.content)}`));
  pieces.push(special(sep), text(`${input.filePath ?? DEFAULT_FILE_PATH}\n`));
  return pieces;
}

/** Comment-block context (its own piece: it does not change while the user types) followed by the code prefix. */
function commentedPrefix(input: FimRenderInput): PromptPiece[] {
  return [text(renderCommentedSnippets(input.snippets, input.comment, input.filePath)), text(input.prefix)];
}

/** SentencePiece models saw the prefix with their leading space: put it on the first non-empty text piece. */
function withLeadingSpace(pieces: PromptPiece[]): PromptPiece[] {
  const index = pieces.findIndex((piece) => piece.kind === "text" && piece.text !== "");
  if (index < 0) return pieces; // SentencePiece encodes "" as nothing, without the space
  return pieces.map((piece, i) => (i === index && piece.kind === "text" ? text(` ${piece.text}`) : piece));
}

function withFinalNewline(content: string): string {
  return content.endsWith("\n") ? content : `${content}\n`;
}

function dropEmptyText(pieces: PromptPiece[]): PromptPiece[] {
  return pieces.filter((piece) => piece.kind === "special" || piece.text !== "");
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}
