// LoRA adapters (hearth.model.loraAdapters): GGUF files that change a base model's weights at load time, so a team can
// use a model specialised on its own code. llama.cpp refuses a mismatched adapter only deep inside the load, with a
// message that names a tensor; these checks run first, from metadata and tensor shapes alone, and say what to do.
// The rules are llama.cpp's own (src/llama-adapter.cpp): general.type "adapter", adapter.type "lora", the base's
// architecture, and for every `<tensor>.lora_a`/`.lora_b` pair a base tensor whose shape the pair can multiply.
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { GgufReadError, readGgufSummary } from "./gguf-metadata";
import { metadataValue, type GgufMetadataTree } from "./gguf-tree";
import { showableModelName } from "./model-facts";

export const LORA_SETTING = "hearth.model.loraAdapters";

export interface TensorShape {
  name: string;
  /** ggml order: dims[0] is the row length. */
  dims: readonly number[];
}

/** What the checks need to know about the base model. */
export interface LoraBase {
  /** For messages: the model's name or file name. */
  name: string;
  architecture: string;
  tensors: readonly TensorShape[];
}

export interface LoraAdapterFile {
  path: string;
  /** general.name, else the file name without .gguf. */
  name: string;
  architecture: string;
  /** adapter.lora.alpha; null when the file has none (llama.cpp then scales by 1). */
  alpha: number | null;
  /** The number of adapted base tensors. */
  adaptedTensors: number;
  tensors: readonly TensorShape[];
}

export type LoraProblemCode = "missing" | "not-a-file" | "unreadable" | "not-gguf" | "not-lora" | "wrong-architecture" | "wrong-shape" | "corrupt";

export interface LoraProblem {
  code: LoraProblemCode;
  path: string;
  /** What is wrong and what to do, in one or two sentences. */
  message: string;
}

export type LoraReadResult = { ok: true; adapter: LoraAdapterFile } | { ok: false; problem: LoraProblem };

const FIX = `Remove it from ${LORA_SETTING}, or replace it with an adapter trained for this model.`;

/** Reads an adapter's metadata and tensor shapes (never its data) and checks that it is a LoRA adapter at all. */
export async function readLoraAdapter(path: string, signal?: AbortSignal): Promise<LoraReadResult> {
  const name = basename(path);
  const problem = (code: LoraProblemCode, message: string): LoraReadResult => ({ ok: false, problem: { code, path, message } });
  try {
    const info = await stat(path);
    if (!info.isFile()) return problem("not-a-file", `The LoRA adapter path is a folder, not a GGUF file: ${path}. Name the adapter's .gguf file in ${LORA_SETTING}.`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return problem("missing", `The LoRA adapter file does not exist: ${path}. Correct the path in ${LORA_SETTING} (paths relative to the workspace folder and ~ are accepted).`);
    }
    return problem("unreadable", `The LoRA adapter cannot be read (${code ?? String(error)}): ${path}.`);
  }
  let metadata: GgufMetadataTree;
  let tensors: TensorShape[];
  try {
    const summary = await readGgufSummary(path, signal ? { signal } : {});
    metadata = summary.metadata;
    tensors = summary.tensors.map((t) => ({ name: t.name, dims: t.dims }));
  } catch (error) {
    if (signal?.aborted) throw error;
    if (error instanceof GgufReadError) {
      return problem("not-gguf", `${name} is not a GGUF LoRA adapter (${error.message}) Convert the adapter to GGUF with llama.cpp's convert_lora_to_gguf.py.`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    return problem("unreadable", `The LoRA adapter cannot be read (${code ?? String(error)}): ${path}.`);
  }
  const generalType = textOf(metadataValue(metadata, "general.type"));
  const adapterType = textOf(metadataValue(metadata, "adapter.type"));
  if (generalType !== "adapter" || adapterType !== "lora") {
    const what =
      generalType === "adapter"
        ? `an adapter of type "${adapterType ?? "unknown"}", not a LoRA adapter`
        : tensors.length === 0
          ? "a tokenizer-only GGUF, not a LoRA adapter"
          : "a whole model, not a LoRA adapter";
    return problem("not-lora", `${name} is ${what}. ${LORA_SETTING} lists LoRA adapters (GGUF files with general.type "adapter"); choose a base model with Hearth: Select Model instead.`);
  }
  const pairs = loraPairs(tensors);
  if ("error" in pairs) return problem("corrupt", `${name} is not a sound LoRA adapter: ${pairs.error} Convert it again with convert_lora_to_gguf.py.`);
  const alpha = metadataValue(metadata, "adapter.lora.alpha");
  return {
    ok: true,
    adapter: {
      path,
      // Shown in the picker and the status bar's tooltip: a crafted name is the file's name instead.
      name: showableModelName(metadataValue(metadata, "general.name")) ?? name.replace(/\.gguf$/i, ""),
      architecture: textOf(metadataValue(metadata, "general.architecture")) ?? "unknown",
      alpha: typeof alpha === "number" && Number.isFinite(alpha) ? alpha : null,
      adaptedTensors: pairs.size,
      tensors,
    },
  };
}

/**
 * Whether llama.cpp can apply `adapter` to `base`; null when it can. An adapter for another architecture or another size
 * of the same family (other tensor shapes) gets a message that names both models.
 */
export function checkLoraAgainstBase(adapter: LoraAdapterFile, base: LoraBase): LoraProblem | null {
  const name = basename(adapter.path);
  const problem = (code: LoraProblemCode, message: string): LoraProblem => ({ code, path: adapter.path, message });
  if (adapter.architecture !== base.architecture) {
    return problem(
      "wrong-architecture",
      `${name} is a LoRA adapter for a ${shown(adapter.architecture)} model, but ${base.name} is a ${shown(base.architecture)} model, so it cannot be applied. ${FIX}`,
    );
  }
  const pairs = loraPairs(adapter.tensors);
  if ("error" in pairs) return problem("corrupt", `${name} is not a sound LoRA adapter: ${pairs.error}`);
  const baseShapes = new Map(base.tensors.map((t) => [t.name, t.dims]));
  for (const [target, { a, b }] of pairs) {
    const dims = baseShapes.get(target);
    if (!dims) {
      return problem("wrong-shape", `${name} adapts the tensor ${shown(target)}, which ${base.name} does not have: it was trained for another model. ${FIX}`);
    }
    // token_embd's pair is stored the other way round (llama.cpp's llm_build_inp_embd).
    const fits = target === "token_embd.weight" ? dims[0] === b[1] && dims[1] === a[1] : dims[0] === a[0] && dims[1] === b[1];
    if (!fits) {
      return problem(
        "wrong-shape",
        `${name} was trained for another model of the ${shown(base.architecture)} family: its ${shown(target)} is ${shape(a, b, target)} but ${base.name}'s is ${dims.slice(0, 2).join("×")}. ${FIX}`,
      );
    }
  }
  return null;
}

/** Reads every adapter and checks it against the base; the first problem, or the adapters in order. */
export async function checkLoraAdapters(
  paths: readonly string[],
  base: LoraBase,
  signal?: AbortSignal,
): Promise<{ ok: true; adapters: LoraAdapterFile[] } | { ok: false; problem: LoraProblem }> {
  const adapters: LoraAdapterFile[] = [];
  for (const path of paths) {
    const read = await readLoraAdapter(path, signal);
    if (!read.ok) return read;
    const mismatch = checkLoraAgainstBase(read.adapter, base);
    if (mismatch) return { ok: false, problem: mismatch };
    adapters.push(read.adapter);
  }
  return { ok: true, adapters };
}

/** The base model's side of the check, from its GGUF header (the token list is skipped: only shapes matter). */
export async function readLoraBase(path: string, signal?: AbortSignal): Promise<LoraBase> {
  const summary = await readGgufSummary(path, { keepArray: () => false, ...(signal ? { signal } : {}) });
  return {
    name: showableModelName(metadataValue(summary.metadata, "general.name")) ?? basename(path).replace(/\.gguf$/i, ""),
    architecture: textOf(metadataValue(summary.metadata, "general.architecture")) ?? "unknown",
    tensors: summary.tensors.map((t) => ({ name: t.name, dims: t.dims })),
  };
}

export interface AdapterStatus {
  path: string;
  /** The adapter's name, or its file name when it cannot be read. */
  name: string;
  /** Why it cannot be applied to the model (null: it can, or there is no model to check it against). */
  problem: string | null;
}

/** The configured adapters as the picker shows them: each with its name and, against the current model, any problem. */
export async function describeAdapters(paths: readonly string[], modelPath: string, signal?: AbortSignal): Promise<AdapterStatus[]> {
  if (paths.length === 0) return [];
  const base = modelPath ? await readLoraBase(modelPath, signal).catch(() => null) : null;
  const statuses: AdapterStatus[] = [];
  for (const path of paths) {
    const read = await readLoraAdapter(path, signal);
    if (!read.ok) {
      statuses.push({ path, name: basename(path), problem: read.problem.message });
      continue;
    }
    statuses.push({ path, name: read.adapter.name, problem: base ? (checkLoraAgainstBase(read.adapter, base)?.message ?? null) : null });
  }
  return statuses;
}

type Pairs = Map<string, { a: readonly number[]; b: readonly number[] }>;

/** `<target>.lora_a` and `<target>.lora_b` by target, checked to share a rank. */
function loraPairs(tensors: readonly TensorShape[]): Pairs | { error: string } {
  const halves = new Map<string, { a?: readonly number[]; b?: readonly number[] }>();
  for (const tensor of tensors) {
    const match = /^(.+)\.lora_([ab])$/.exec(tensor.name);
    if (!match) {
      if (tensor.name.endsWith("_norm.weight")) continue; // llama.cpp skips these
      return { error: `its tensor ${shown(tensor.name)} is neither a lora_a nor a lora_b.` };
    }
    const [, target, half] = match as unknown as [string, string, "a" | "b"];
    const entry = halves.get(target) ?? {};
    entry[half] = tensor.dims;
    halves.set(target, entry);
  }
  if (halves.size === 0) return { error: "it has no lora_a/lora_b tensors." };
  const pairs: Pairs = new Map();
  for (const [target, { a, b }] of halves) {
    if (!a || !b) return { error: `${shown(target)} has lora_${a ? "a" : "b"} without lora_${a ? "b" : "a"}.` };
    // token_embd's pair is flipped and llama.cpp checks no rank for it.
    const rankOk = target === "token_embd.weight" || a[1] === b[0];
    if (a.length < 2 || b.length < 2 || !rankOk) return { error: `the ranks of ${shown(target)}'s lora_a (${a.join("×")}) and lora_b (${b.join("×")}) differ.` };
    pairs.set(target, { a, b });
  }
  return pairs;
}

/**
 * A word from the file (a tensor's name, an architecture) as a message may show it: as it is when it is plain, else
 * quoted with its line breaks, control and bidi characters escaped and cut short, so a crafted adapter cannot write a
 * line of Hearth's own text into the refusal.
 */
function shown(text: string): string {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  if (text.length <= 80 && !unsafe.test(text)) return text;
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function shape(a: readonly number[], b: readonly number[], target: string): string {
  return target === "token_embd.weight" ? `${b[1]}×${a[1]}` : `${a[0]}×${b[1]}`;
}

function textOf(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
