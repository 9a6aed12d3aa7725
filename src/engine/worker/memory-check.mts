// The engine's last word on whether a model fits, with node-llama-cpp's own estimate of the weights and the context
// (the picker's estimate in src/models/memory-fit.ts comes first, from the file alone).
import { freemem, totalmem } from "node:os";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { GgufFileInfo, Llama } from "node-llama-cpp";
import { errorMessage } from "../../common/errors.js";
import type { LoraAdapterFile } from "../../models/lora.js";
import { decideLoadFit, gib, machineMemoryFrom, type MachineMemory, type VramState } from "../../models/memory-fit.js";
import { contextSizeFor, type LoadParams, type ModelInfo, type ModelRole } from "../protocol.js";
import { EngineFailure } from "./engine-failure.mjs";
import type { EngineLog, NodeLlamaCpp } from "./llama-binding.mjs";

export interface Footprint {
  /** RAM for weights, context and adapters (all of it on a machine without a GPU). */
  ramBytes: number;
  /** The weights' share of ramBytes: mapped from the file, so the OS still counts it as free memory. */
  weightsRamBytes: number;
  vramBytes: number;
}

/** A model already loaded for the other role: the new one must fit beside it. */
export interface LoadedBeside {
  /** The role it is loaded for ("chat and embedding" for several models together). */
  role: string;
  info: Pick<ModelInfo, "name">;
  footprint: Footprint;
}

export interface MemoryCheck {
  lib: NodeLlamaCpp;
  llama: Llama;
  fileInfo: GgufFileInfo;
  params: LoadParams;
  adapters: readonly LoraAdapterFile[];
  role: ModelRole;
  other: LoadedBeside | undefined;
  log: EngineLog;
  /**
   * The weights are loaded already, with this many layers on the GPU: only the new contexts are counted (a context made
   * after the load, beside `other`, which then includes the model itself).
   */
  weightsLoaded?: { gpuLayers: number };
}

/** This machine's memory as node-llama-cpp sees it, GPU included, for the picker's fit estimate. */
export async function machineMemoryOf(llama: Llama): Promise<MachineMemory> {
  return machineMemoryFrom({ freeBytes: freemem(), totalBytes: totalmem() }, await vramStateOf(llama));
}

/**
 * Refuses up front what would not fit, with the numbers, instead of letting the machine swap or the process die.
 * With a GPU, node-llama-cpp chooses how many layers to offload for the free GPU memory; the rest, the adapters
 * and the CPU side of the context must then fit in free RAM. A model already loaded for the other role keeps its
 * share: the budget is what is left beside it.
 */
export async function checkMemory({ lib, llama, fileInfo, params, adapters, role, other, log, weightsLoaded }: MemoryCheck): Promise<Footprint> {
  const insights = await lib.GgufInsights.from(fileInfo, llama);
  const contextSize = Math.min(contextSizeFor(role, params), insights.trainContextSize ?? params.contextSize);
  const vram = await vramStateOf(llama);
  const gpuLayers = weightsLoaded ? weightsLoaded.gpuLayers : vram ? await plannedGpuLayers(insights, llama, log) : 0;
  const model = weightsLoaded ? { cpuRam: 0, gpuVram: 0 } : await insights.estimateModelResourceRequirementsV2({ gpuLayers });
  // Every context Hearth makes holds one sequence (model-loader.mts).
  const context = insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: gpuLayers, sequences: 1 });
  let adapterBytes = 0;
  if (!weightsLoaded) for (const adapter of adapters) adapterBytes += (await stat(adapter.path)).size;
  const machine = machineMemoryFrom({ freeBytes: freemem(), totalBytes: totalmem() }, vram);
  const needs = { ramBytes: model.cpuRam + context.cpuRam + adapterBytes, vramBytes: model.gpuVram + context.gpuVram };
  const footprint: Footprint = {
    ramBytes: machine.gpu ? needs.ramBytes : needs.ramBytes + needs.vramBytes,
    weightsRamBytes: machine.gpu ? model.cpuRam : model.cpuRam + model.gpuVram,
    vramBytes: machine.gpu ? needs.vramBytes : 0,
  };
  // The GPU's free memory is measured, so it already counts the other model. Free RAM does not count its weights
  // (mapped from the file, the OS reports them as reclaimable), and a budget is shared by both models.
  const ramBudget =
    params.memoryBudgetBytes !== undefined
      ? Math.max(0, params.memoryBudgetBytes - (other?.footprint.ramBytes ?? 0))
      : other
        ? Math.max(0, machine.freeRamBytes - other.footprint.weightsRamBytes)
        : undefined;
  const decision = decideLoadFit({ needs, machine, ...(ramBudget !== undefined ? { ramBudgetBytes: ramBudget } : {}) });
  log("debug", `memory (${role}): ${gpuLayers} layer(s) on the GPU; needs ${gib(needs.ramBytes)} RAM + ${gib(needs.vramBytes)} GPU; free ${gib(ramBudget ?? machine.freeRamBytes)} RAM${other ? ` beside ${other.info.name}` : ""}${machine.gpu ? ` + ${gib(machine.gpu.freeBytes)} GPU` : ""}`);
  if (decision.fits) return footprint;
  const memory = ramBudget !== undefined ? { ...machine, freeRamBytes: ramBudget, gpu: machine.gpu ?? null } : machine;
  if (weightsLoaded) {
    // `other` holds this model too: say what the loaded models take, not that the model sits beside itself.
    throw new EngineFailure({
      code: "model-too-large",
      message: `A chat with ${basename(params.modelPath)} needs a ${contextSize}-token context of its own: it ${decision.summary}${other ? ` beside the ${gib(other.footprint.ramBytes + other.footprint.vramBytes)} the loaded models take` : ""}. Completions go on. For chat, lower hearth.engine.contextSize, close other programs, or clear hearth.nextEdit.modelPath or hearth.embedding.modelPath if a model is loaded for them.`,
      memory,
    });
  }
  const parts = `${gib(model.cpuRam + model.gpuVram)} for the weights, ${gib(context.cpuRam + context.gpuVram)} for a ${contextSize}-token context${adapterBytes > 0 ? `, ${gib(adapterBytes)} for the LoRA adapters` : ""}`;
  const beside = other
    ? ` beside ${other.info.name}, which is loaded for ${other.role} and takes about ${gib(other.footprint.ramBytes + other.footprint.vramBytes)}`
    : "";
  // A completion model's context is sized by hearth.completion.contextTokens (engine-settings.ts completionContextSize).
  const windowSetting = role === "completion" ? "hearth.completion.contextTokens or hearth.engine.contextSize" : "hearth.engine.contextSize";
  const advice = other
    ? `Choose a smaller model, use one model for both completion and chat (clear hearth.chat.modelPath), or lower ${windowSetting}.`
    : `Choose a smaller model or quantisation, or lower ${windowSetting}.`;
  throw new EngineFailure({
    code: "model-too-large",
    message: `${basename(params.modelPath)} ${decision.summary}${beside} (${parts}). ${advice}`,
    memory,
  });
}

/** The layers node-llama-cpp's gpuLayers "auto" would offload now; 0 when it cannot say. */
async function plannedGpuLayers(insights: Awaited<ReturnType<NodeLlamaCpp["GgufInsights"]["from"]>>, llama: Llama, log: EngineLog): Promise<number> {
  try {
    const resolved = await insights.configurationResolver.resolveModelGpuLayersV2("auto", {
      getVramState: () => llama.getVramState(),
      llamaVramPaddingSize: llama.vramPaddingSize,
      llamaGpu: llama.gpu,
      llamaSupportsGpuOffloading: llama.supportsGpuOffloading,
    });
    return resolved.gpuLayers;
  } catch (error) {
    log("debug", `memory: could not plan GPU offload (${errorMessage(error)}); estimating for the CPU`);
    return 0;
  }
}

/** The GPU's memory, or null without one (no GPU build found, offload off, or a GPU that reports no memory). */
async function vramStateOf(llama: Llama): Promise<VramState | null> {
  if (llama.gpu === false || !llama.supportsGpuOffloading) return null;
  const state = await llama.getVramState();
  return state.total > 0 ? { totalBytes: state.total, freeBytes: state.free, unifiedBytes: state.unifiedSize } : null;
}
