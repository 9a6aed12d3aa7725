// Will a model fit this machine? An estimate of the memory a model takes once loaded with Hearth's context (weights,
// KV cache for both sequences, output and compute buffers) against the machine's free and total memory. Green: fits
// in what is free now. Amber: tight, or fits only once other programs give memory back. Red: more than this machine
// has. The engine makes the final check before loading, with node-llama-cpp's own estimate (engine/worker/memory-check.mts).

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

/** node-llama-cpp's `llama.getVramState()` in bytes; `unifiedBytes` > 0 means the GPU shares the RAM (Apple silicon). */
export interface VramState {
  totalBytes: number;
  freeBytes: number;
  unifiedBytes: number;
}

/**
 * This machine's memory for the fit estimate, with the GPU's where node-llama-cpp found one. Memory that a GPU shares
 * with the CPU is counted once, as RAM: what the GPU reports free there is free RAM too (and on macOS often the
 * truer figure, because the OS counts reclaimable cache as used).
 */
export function machineMemoryFrom(ram: { freeBytes: number; totalBytes: number }, vram: VramState | null): MachineMemory {
  if (!vram || vram.totalBytes <= 0) return { freeRamBytes: ram.freeBytes, totalRamBytes: ram.totalBytes, gpu: null };
  if (vram.unifiedBytes > 0) {
    return { freeRamBytes: Math.max(ram.freeBytes, vram.freeBytes), totalRamBytes: ram.totalBytes, gpu: null };
  }
  return { freeRamBytes: ram.freeBytes, totalRamBytes: ram.totalBytes, gpu: { freeBytes: vram.freeBytes, totalBytes: vram.totalBytes } };
}

/** What a load takes, split the way node-llama-cpp will place it: layers offloaded to the GPU in GPU memory, the rest in RAM. */
export interface LoadNeeds {
  ramBytes: number;
  vramBytes: number;
}

export interface LoadFitInput {
  needs: LoadNeeds;
  machine: MachineMemory;
  /** A cap on the memory the load may take (LoadParams.memoryBudgetBytes); replaces free RAM. */
  ramBudgetBytes?: number;
}

export type LoadFitDecision =
  | { fits: true }
  | {
      fits: false;
      /** Which memory runs short: RAM, or the GPU's own memory. */
      short: "ram" | "vram";
      neededBytes: number;
      availableBytes: number;
      /** One sentence with the numbers. */
      summary: string;
    };

/**
 * The engine's last check before loading: does the load fit in what is free now? RAM and a discrete GPU's memory are
 * separate pools, each of which must hold its part; without a discrete GPU everything must fit in RAM. (GPU memory that
 * the CPU shares arrives here as RAM, through machineMemoryFrom.)
 */
export function decideLoadFit(input: LoadFitInput): LoadFitDecision {
  const { needs, machine } = input;
  const freeRam = input.ramBudgetBytes ?? machine.freeRamBytes;
  const gpu = machine.gpu ?? null;
  const ramNeed = gpu ? needs.ramBytes : needs.ramBytes + needs.vramBytes;
  if (gpu && needs.vramBytes > gpu.freeBytes) {
    return {
      fits: false,
      short: "vram",
      neededBytes: needs.vramBytes,
      availableBytes: gpu.freeBytes,
      summary: `needs about ${gib(needs.vramBytes)} of GPU memory, but only ${gib(gpu.freeBytes)} of the GPU's ${gib(gpu.totalBytes)} is free`,
    };
  }
  if (ramNeed > freeRam) {
    return {
      fits: false,
      short: "ram",
      neededBytes: ramNeed,
      availableBytes: freeRam,
      summary: `needs about ${gib(ramNeed)} of RAM${gpu && needs.vramBytes > 0 ? ` (besides ${gib(needs.vramBytes)} on the GPU)` : ""}, but only ${gib(freeRam)} is free`,
    };
  }
  return { fits: true };
}

/** "1.20 GiB", "0.45 GiB": binary units, as llama.cpp and node-llama-cpp report memory. */
export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;
}
