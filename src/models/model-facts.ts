// What a GGUF file is, from its metadata alone (never from its file name): a model, a tokenizer, a LoRA adapter or a
// vision projector; its architecture, parameters, quantisation, FIM format, chat template, context length, and the
// shape its KV cache will take. Nothing here loads the model.
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../fim/detect";
import { checkEmbeddingModel } from "./embedding-model";
import { GgufReadError, readGgufSummary, type GgufFileSummary } from "./gguf-metadata";
import { metadataValue, type GgufMetadataTree } from "./gguf-tree";

export type GgufKind = "model" | "vocab-only" | "lora" | "projector";

export interface KvShape {
  layers: number;
  kvHeads: number;
  keyLength: number;
  valueLength: number;
}

export interface ModelFacts {
  kind: GgufKind;
  architecture: string;
  /** general.name, else null. */
  name: string | null;
  /** Sum of the tensors' elements; null without tensors. */
  parameterCount: number | null;
  quantization: string | null;
  /** The FIM prompt format's family ("Qwen2.5-Coder", "DeepSeek-Coder", …); null: no inline completion. */
  fimFamily: string | null;
  hasChatTemplate: boolean;
  /** It turns a text into one vector (it declares a pooling type, see embedding-model.ts): an embedding model. */
  embedding?: boolean;
  trainContextSize: number | null;
  kv: KvShape | null;
  vocabSize: number;
  /** Bytes of tensor data (the weights). */
  weightsBytes: number;
  fileSizeBytes: number;
}

export type InspectResult = { ok: true; facts: ModelFacts } | { ok: false; reason: string };

/** ggml_type → [elements per block, bytes per block], for the types whose layout is certain. */
const GGML_BLOCKS: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  30: [1, 2], // BF16
};

/** llama_ftype (general.file_type) → the name users know. */
const FILE_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
  13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
  21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
  29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
};

/** Reads and classifies one file. A file that is not a sound, complete GGUF gets a reason instead. */
export async function inspectModelFile(path: string, signal?: AbortSignal): Promise<InspectResult> {
  let summary: GgufFileSummary;
  let size: number;
  try {
    size = (await stat(path)).size;
    summary = await readGgufSummary(path, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof GgufReadError) return { ok: false, reason: readErrorReason(error, path) };
    if (signal?.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: `${basename(path)} cannot be read (${code ?? String(error)}).` };
  }
  const dataEnd = tensorDataEnd(summary);
  if (dataEnd !== null && size < dataEnd) {
    return { ok: false, reason: `${basename(path)} is incomplete: its tensors need ${dataEnd} bytes but the file has ${size} (an interrupted download?).` };
  }
  return { ok: true, facts: classifySummary(summary, size) };
}

/** Classifies a parsed summary; `fileSizeBytes` is the file's size on disk. */
export function classifySummary(summary: GgufFileSummary, fileSizeBytes: number): ModelFacts {
  const metadata = summary.metadata;
  const architecture = text(metadataValue(metadata, "general.architecture")) ?? "unknown";
  const type = text(metadataValue(metadata, "general.type"));
  const kind: GgufKind =
    type === "adapter" || metadataValue(metadata, "adapter.type") !== undefined
      ? "lora"
      : architecture === "clip" || type === "mmproj"
        ? "projector"
        : summary.tensorCount === 0
          ? "vocab-only"
          : "model";
  const vocab = vocabInfoFromGgufMetadata(metadata);
  const fim = kind === "model" || kind === "vocab-only" ? detectFimFormat(vocab) : null;
  const tokens = metadataValue(metadata, "tokenizer.ggml.tokens");
  const vocabSize = Array.isArray(tokens) ? tokens.length : (num(metadataValue(metadata, `${architecture}.vocab_size`)) ?? 0);
  return {
    kind,
    architecture,
    name: showableModelName(metadataValue(metadata, "general.name")),
    parameterCount: summary.tensors.length > 0 ? summary.tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0) : null,
    quantization: quantizationOf(summary),
    fimFamily: fim?.familyName ?? null,
    hasChatTemplate: text(metadataValue(metadata, "tokenizer.chat_template")) !== undefined,
    embedding: kind === "model" && checkEmbeddingModel({ name: "", architecture, poolingType: num(metadataValue(metadata, `${architecture}.pooling_type`)) }).ok,
    trainContextSize: num(metadataValue(metadata, `${architecture}.context_length`)) ?? null,
    kv: kvShapeOf(metadata, architecture),
    vocabSize,
    weightsBytes: Math.max(0, fileSizeBytes - summary.dataOffset),
    fileSizeBytes,
  };
}

/** Where the last tensor's data ends, or null when a tensor type's layout is not known here. */
export function tensorDataEnd(summary: GgufFileSummary): number | null {
  if (summary.tensors.length === 0) return null; // a tokenizer-only file need not pad up to the data offset
  let end = 0;
  for (const tensor of summary.tensors) {
    const block = GGML_BLOCKS[tensor.type];
    if (!block) return null;
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    end = Math.max(end, summary.dataOffset + tensor.offset + Math.ceil(elements / block[0]) * block[1]);
  }
  return end;
}

/** KV bytes per token of context for one sequence (F16 K and V, as llama.cpp allocates by default). */
export function kvBytesPerToken(kv: KvShape): number {
  return kv.layers * kv.kvHeads * (kv.keyLength + kv.valueLength) * 2;
}

function kvShapeOf(metadata: GgufMetadataTree, architecture: string): KvShape | null {
  const key = (name: string) => num(metadataValue(metadata, `${architecture}.${name}`));
  const layers = key("block_count");
  const heads = key("attention.head_count") ?? firstOf(metadataValue(metadata, `${architecture}.attention.head_count`));
  const kvHeads = key("attention.head_count_kv") ?? firstOf(metadataValue(metadata, `${architecture}.attention.head_count_kv`)) ?? heads;
  const embedding = key("embedding_length");
  if (!layers || !heads || !kvHeads || !embedding) return null;
  const headDim = Math.floor(embedding / heads);
  return { layers, kvHeads, keyLength: key("attention.key_length") ?? headDim, valueLength: key("attention.value_length") ?? headDim };
}

function quantizationOf(summary: GgufFileSummary): string | null {
  const fileType = num(metadataValue(summary.metadata, "general.file_type"));
  if (fileType !== undefined && FILE_TYPES[fileType]) return FILE_TYPES[fileType];
  // No file type: name the type that holds most of the weights.
  const names: Record<number, string> = { 0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 30: "BF16" };
  const byType = new Map<number, number>();
  for (const t of summary.tensors) byType.set(t.type, (byType.get(t.type) ?? 0) + t.dims.reduce((a, b) => a * b, 1));
  let best: number | undefined;
  for (const [type, count] of byType) if (best === undefined || count > (byType.get(best) ?? 0)) best = type;
  return best === undefined ? null : (names[best] ?? `type ${best}`);
}

function readErrorReason(error: GgufReadError, path: string): string {
  const name = basename(path);
  switch (error.code) {
    case "not-gguf":
      return `${name} is not a GGUF file.`;
    case "truncated":
      return `${name} is incomplete: it ends inside its GGUF header.`;
    default:
      return `${name} is not a readable GGUF file: ${error.message}`;
  }
}

/** The longest general.name shown; a real one is a few dozen characters. */
const MAX_MODEL_NAME = 128;

/**
 * A GGUF's general.name as the picker, the status bar and the chat header may show it, or null: the file is untrusted,
 * and a name holding a line break, a control or bidi-override character, VS Code's $(icon) syntax (which the picker's
 * rows render) or more than MAX_MODEL_NAME characters could fake Hearth's own text. The file's name stands in for it.
 */
export function showableModelName(value: unknown): string | null {
  const name = text(value);
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > MAX_MODEL_NAME || /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\$\(/.test(name)) return null;
  return name;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === "bigint" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** Some architectures store a per-layer array; the first layer's value is the usual one. */
function firstOf(value: unknown): number | undefined {
  return Array.isArray(value) ? num(value[0]) : undefined;
}
