// Which FIM format a model speaks, from its GGUF metadata alone (token texts, FIM token ids, architecture, name);
// never from the file name, which users rename freely.
import {
  CODEGEMMA_TOKENS,
  CODELLAMA_TOKENS,
  CODESTRAL_TOKENS,
  DEEPSEEK_TOKENS,
  QWEN_TOKENS,
  STARCODER_TOKENS,
  codegemmaFormat,
  codellamaFormat,
  codestralFormat,
  deepseekFormat,
  genericFormat,
  knownFormats,
  mellumFormat,
  qwenFormat,
  starcoder2Format,
  starcoderFormat,
  withStopTokens,
} from "./formats";
import type { GenericFimTokens } from "./formats";
import type { FimFormat, FimTokenIds, ModelVocabInfo } from "./types";

/**
 * Token texts llama.cpp itself recognises as FIM tokens when the GGUF names no ids (src/llama-vocab.cpp, "auto-detect
 * special tokens by text"), in the order tried here. Used for models of no known family.
 */
const LLAMA_CPP_FIM_TEXTS = {
  pre: ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"],
  suf: ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"],
  mid: ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"],
  pad: ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"],
  rep: ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"],
  sep: ["<|file_sep|>"],
} as const;

const CODELLAMA_SPELLINGS = ["▁<PRE>", "<PRE>", "▁<SUF>", "<SUF>", "▁<MID>", "<MID>", "▁<EOT>", "<EOT>"];

/** Every token text detection may look up; the vocabulary is scanned once for these. */
const CANDIDATES: ReadonlySet<string> = new Set([
  ...knownFormats().flatMap((format) => format.specialTokens),
  ...Object.values(QWEN_TOKENS),
  ...Object.values(DEEPSEEK_TOKENS),
  ...Object.values(STARCODER_TOKENS),
  ...Object.values(CODEGEMMA_TOKENS),
  ...Object.values(CODESTRAL_TOKENS),
  ...CODELLAMA_SPELLINGS,
  ...Object.values(LLAMA_CPP_FIM_TEXTS).flat(),
]);

/**
 * The FIM format of a model, or null when its vocabulary has no fill-in-the-middle tokens (then inline completion is
 * not possible with it; chat still is). Order: the distinctive special tokens of a known family, then the FIM token
 * ids the GGUF declares, then the token texts llama.cpp recognises. Every special token the returned format writes
 * exists in the vocabulary (the engine refuses one that does not); stop tokens the vocabulary lacks are dropped.
 */
export function detectFimFormat(info: ModelVocabInfo): FimFormat | null {
  const vocab = indexVocabulary(info.tokens);
  const has = (token: string) => vocab.has(token);
  const all = (...tokens: string[]) => tokens.every(has);
  const found = (format: FimFormat, because: string[]) => withStopTokens(format, has, `vocabulary has ${because.join(", ")}`);
  const hint = nameHint(info);
  const arch = info.architecture.toLowerCase();

  const q = QWEN_TOKENS;
  if (all(q.pre, q.suf, q.mid, q.repoName, q.fileSep)) {
    const family = hint.includes("qwen3") && hint.includes("coder") ? "Qwen3-Coder" : "Qwen2.5-Coder";
    return found(qwenFormat(label(family, hint, /coder/)), [q.pre, q.repoName, q.fileSep]);
  }
  const g = CODEGEMMA_TOKENS;
  if (all(g.pre, g.suf, g.mid, g.fileSeparator)) {
    return found(codegemmaFormat(label("CodeGemma", hint, /codegemma/)), [g.pre, g.fileSeparator]);
  }
  const d = DEEPSEEK_TOKENS;
  if (all(d.begin, d.hole, d.end)) {
    const family = arch === "deepseek2" && hint.includes("coder") ? "DeepSeek-Coder-V2" : label("DeepSeek-Coder", hint, /coder/);
    return found(deepseekFormat(family), [d.begin, d.hole, d.end]);
  }
  const c = CODESTRAL_TOKENS;
  if (all(c.suf, c.pre)) {
    return found(codestralFormat(label("Codestral", hint, /codestral/)), [c.suf, c.pre]);
  }
  const pick = (...spellings: string[]) => spellings.find(has);
  const pre = pick("▁<PRE>", "<PRE>");
  const suf = pick("▁<SUF>", "<SUF>");
  const mid = pick("▁<MID>", "<MID>");
  if (pre && suf && mid) {
    const eot = pick("▁<EOT>", "<EOT>") ?? CODELLAMA_TOKENS.eot;
    return found(codellamaFormat(label("CodeLlama", hint, /code ?llama/), { pre, suf, mid, eot }), [pre, suf, mid]);
  }
  const s = STARCODER_TOKENS;
  if (all(s.pre, s.suf, s.mid)) {
    if (has(s.fileSep)) return found(starcoder2Format(label("StarCoder2", hint, /starcoder/), has(s.repoName)), [s.pre, s.fileSep]);
    // Mellum shares StarCoder's token texts (and is a llama-architecture GGUF, like Granite-Code), so only its metadata
    // names it.
    if ((/mellum/.test(hint) || /jetbrains/.test(hint)) && has(s.filename)) return found(mellumFormat(), [s.pre, s.filename]);
    const family = arch === "refact" ? "Refact" : arch === "starcoder" ? "StarCoder" : "StarCoder-style";
    // Only StarCoder itself is known to be trained suffix-first too (see formats.ts).
    return found(starcoderFormat(family, arch === "starcoder" ? "spm" : "psm"), [s.pre, ...(has(s.filename) ? [s.filename] : [])]);
  }

  const byIds = genericTokensFromIds(info.fimTokenIds, info.tokens);
  if (byIds) {
    // These stop tokens come from the vocabulary itself, so all of them exist.
    return withStopTokens(genericFormat(byIds), () => true, `GGUF FIM token ids (${describeGeneric(byIds)})`);
  }
  const pickText = (list: readonly string[]) => list.find(has);
  const byText = { pre: pickText(LLAMA_CPP_FIM_TEXTS.pre), suf: pickText(LLAMA_CPP_FIM_TEXTS.suf) };
  if (byText.pre && byText.suf) {
    const tokens: GenericFimTokens = {
      pre: byText.pre,
      suf: byText.suf,
      mid: pickText(LLAMA_CPP_FIM_TEXTS.mid),
      pad: pickText(LLAMA_CPP_FIM_TEXTS.pad),
      rep: pickText(LLAMA_CPP_FIM_TEXTS.rep),
      sep: pickText(LLAMA_CPP_FIM_TEXTS.sep),
    };
    return withStopTokens(genericFormat(dropUndefined(tokens)), () => true, `FIM token texts known to llama.cpp (${describeGeneric(tokens)})`);
  }
  return null;
}

/**
 * Extracts what detection needs from node-llama-cpp's `readGgufFileInfo(path).metadata` (keys split on dots:
 * `metadata.general.architecture`, `metadata.tokenizer.ggml.tokens`, `metadata.tokenizer.ggml.fim_pre_token_id`, …).
 * Anything missing or malformed is left out rather than thrown about.
 */
export function vocabInfoFromGgufMetadata(metadata: unknown): ModelVocabInfo {
  const general = record(record(metadata).general);
  const tokenizer = record(record(metadata).tokenizer);
  const ggml = record(tokenizer.ggml);
  const tokens = Array.isArray(ggml.tokens) ? ggml.tokens.map((token) => (typeof token === "string" ? token : String(token))) : [];
  const tokenTypes = Array.isArray(ggml.token_type) ? ggml.token_type.map(Number) : undefined;
  const id = (...keys: string[]) => {
    for (const key of keys) {
      const value = ggml[key];
      const n = typeof value === "bigint" ? Number(value) : value;
      if (typeof n === "number" && Number.isInteger(n) && n >= 0) return n;
    }
    return undefined;
  };
  const fimTokenIds: FimTokenIds = dropUndefined({
    pre: id("fim_pre_token_id", "prefix_token_id"),
    suf: id("fim_suf_token_id", "suffix_token_id"),
    mid: id("fim_mid_token_id", "middle_token_id"),
    pad: id("fim_pad_token_id"),
    rep: id("fim_rep_token_id"),
    sep: id("fim_sep_token_id"),
  });
  const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);
  return dropUndefined({
    architecture: text(general.architecture) ?? "",
    name: text(general.name),
    basename: text(general.basename),
    organization: text(general.organization),
    tokens,
    tokenTypes,
    fimTokenIds,
    chatTemplate: text(tokenizer.chat_template),
  }) as ModelVocabInfo;
}

// ---------------------------------------------------------------------------------------------------------------------

function indexVocabulary(tokens: readonly string[]): Set<string> {
  const present = new Set<string>();
  for (const token of tokens) if (CANDIDATES.has(token)) present.add(token);
  return present;
}

function nameHint(info: ModelVocabInfo): string {
  return [info.name, info.basename, info.organization].filter(Boolean).join(" ").toLowerCase();
}

/**
 * The family's name, or "<family> format" when the model names itself as something else (a Qwen2.5 chat model has
 * Qwen2.5-Coder's FIM tokens but was not trained for completion the same way).
 */
function label(family: string, hint: string, expected: RegExp): string {
  return hint === "" || expected.test(hint) ? family : `${family} format`;
}

function genericTokensFromIds(ids: FimTokenIds, tokens: readonly string[]): GenericFimTokens | null {
  const at = (id: number | undefined) => (id !== undefined && id >= 0 && id < tokens.length ? tokens[id] : undefined);
  const pre = at(ids.pre);
  const suf = at(ids.suf);
  if (pre === undefined || suf === undefined) return null;
  return dropUndefined({ pre, suf, mid: at(ids.mid), pad: at(ids.pad), rep: at(ids.rep), sep: at(ids.sep) });
}

function describeGeneric(tokens: Partial<GenericFimTokens>): string {
  return Object.entries(tokens)
    .filter(([, token]) => token !== undefined)
    .map(([role, token]) => `${role} ${token}`)
    .join(", ");
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
