// Will a model fit this machine? An estimate of the memory a model takes once loaded with Hearth's context (weights,
// KV cache for both sequences, output and compute buffers) against the machine's free and total memory. Green: fits
// in what is free now. Amber: tight, or fits only once other programs give memory back. Red: more than this machine
// has. The engine makes the final check before loading, with node-llama-cpp's own estimate (llama-engine.mts).

export interface MemoryNeeds {
  weightsBytes: number;
  kvCacheBytes: number;
  /** Output logits and compute buffers. */
  overheadBytes: number;
  totalBytes: number;
  contextSize: number;
}

export interface EstimateInput {
  weightsBytes: number;
  /** Per token of one sequence; null when unknown (then a conservative guess from the weights is used). */
  kvBytesPerToken: number | null;
  /** Tokens per sequence (hearth.engine.contextSize, capped at the model's own context). */
  contextSize: number;
  /** Sequences the engine keeps (completion and chat): 2. */
  sequences?: number;
  vocabSize?: number;
}

export interface MachineMemory {
  freeRamBytes: number;
  totalRamBytes: number;
  /** Discrete GPU memory when known; Apple silicon shares RAM, so it has none here. */
  gpu?: { freeBytes: number; totalBytes: number } | null;
}

export type FitLevel = "green" | "amber" | "red";

export interface FitVerdict {
  level: FitLevel;
  needs: MemoryNeeds;
  /** One sentence with the numbers. */
  summary: string;
}

const MIB = 2 ** 20;
/** llama.cpp's default batch, which sizes the logits buffer. */
const BATCH = 512;
/** Green keeps this share of free memory for everything else. */
const GREEN_SHARE = 0.8;
/** The part of total RAM a model may ever take (the OS and the editor need the rest). */
const MACHINE_SHARE = 0.85;

export function estimateMemory(input: EstimateInput): MemoryNeeds {
  const sequences = input.sequences ?? 2;
  const contextSize = Math.max(1, Math.round(input.contextSize));
  // Without the shape, assume a KV cache of 1/8 of the weights per 4k tokens per sequence (generous for GQA models).
  const perToken = input.kvBytesPerToken ?? input.weightsBytes / 8 / 4096;
  const kvCacheBytes = Math.round(perToken * contextSize * sequences);
  const logits = (input.vocabSize ?? 32_000) * BATCH * 4;
  const compute = Math.max(64 * MIB, Math.round(input.weightsBytes * 0.05));
  const overheadBytes = logits + compute;
  return {
    weightsBytes: input.weightsBytes,
    kvCacheBytes,
    overheadBytes,
    totalBytes: input.weightsBytes + kvCacheBytes + overheadBytes,
    contextSize,
  };
}

export function classifyFit(needs: MemoryNeeds, machine: MachineMemory): FitVerdict {
  const gpuFree = machine.gpu?.freeBytes ?? 0;
  const gpuTotal = machine.gpu?.totalBytes ?? 0;
  const freeNow = machine.freeRamBytes + gpuFree;
  const machineCapacity = machine.totalRamBytes * MACHINE_SHARE + gpuTotal;
  const need = formatBytes(needs.totalBytes);
  const where = gpuTotal > 0 ? "RAM and GPU memory" : "memory";
  if (needs.totalBytes <= freeNow * GREEN_SHARE) {
    return { level: "green", needs, summary: `Needs about ${need}; ${formatBytes(freeNow)} of ${where} is free.` };
  }
  if (needs.totalBytes <= freeNow) {
    return { level: "amber", needs, summary: `Needs about ${need}, close to the ${formatBytes(freeNow)} of ${where} free now.` };
  }
  if (needs.totalBytes <= machineCapacity) {
    return {
      level: "amber",
      needs,
      summary: `Needs about ${need}, more than the ${formatBytes(freeNow)} of ${where} free now: close other programs first.`,
    };
  }
  return {
    level: "red",
    needs,
    summary: `Needs about ${need}, more than this machine can give a model (${formatBytes(machine.totalRamBytes)} RAM${gpuTotal > 0 ? ` + ${formatBytes(gpuTotal)} GPU` : ""}).`,
  };
}

/** "531 MB", "1.6 GB": decimal units, as download sites and file managers show sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} kB`;
  if (bytes < 1e9) return `${Math.round(bytes / 1e6)} MB`;
  return `${(bytes / 1e9).toFixed(bytes < 1e10 ? 1 : 0)} GB`;
}
