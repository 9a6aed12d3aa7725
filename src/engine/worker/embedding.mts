// The embedding role: loads a GGUF embedding model into node-llama-cpp's embedding context and turns texts into
// unit-length vectors, one text at a time, giving way to completions and chat between texts.
import { stat } from "node:fs/promises";
import type { GgufFileInfo, Llama, LlamaEmbeddingContext, LlamaModel, Token } from "node-llama-cpp";
import { checkEmbeddingModel } from "../../models/embedding-model.js";
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../../fim/detect.js";
import type { EmbedParams, EmbedResult, LoadParams, ModelInfo } from "../protocol.js";
import { EngineFailure, cancelled } from "./engine-failure.mjs";
import { checkMemory, type Footprint } from "./memory-check.mjs";
import { describeLoadError, modelName, readModelFile, type ModelLoad } from "./model-loader.mjs";

/**
 * Indexing is background work: one thread, so it never takes more than one core from the editor and the completions.
 * (On a GPU the weights are offloaded and this matters little.)
 */
export const EMBEDDING_THREADS = 1;

export interface LoadedEmbeddingModel {
  kind: "embedding";
  llama: Llama;
  model: LlamaModel;
  context: LlamaEmbeddingContext;
  info: ModelInfo;
  /** What it was loaded with: the same params again load nothing. */
  params: LoadParams;
  footprint: Footprint;
}

export interface EmbedCallbacks {
  signal: AbortSignal;
  /** Resolves when the embedding may go on: no completion or chat is queued or running. */
  mayContinue: () => Promise<void>;
  /** Called after each text with the number embedded so far, so the host sees the request moving. */
  onEmbedded: (done: number) => void;
}

export async function loadEmbeddingModel({ lib, llama, role, params, signal, started, onStep, onProgress, other, log }: ModelLoad): Promise<LoadedEmbeddingModel> {
  const fileInfo = await readModelFile(lib, params.modelPath);
  refuseUnlessEmbedding(fileInfo, params.modelPath);
  onStep();
  const footprint = await checkMemory({ lib, llama, fileInfo, params, adapters: [], role, other, log });
  onStep();
  const model = await llama
    .loadModel({ modelPath: params.modelPath, gpuLayers: params.gpu === "off" ? 0 : "auto", loadSignal: signal, onLoadProgress: onProgress })
    .catch((error: unknown) => {
      throw describeLoadError(lib, error, params.modelPath, fileInfo);
    });
  const contextSize = Math.min(params.contextSize, model.trainContextSize);
  let context: LlamaEmbeddingContext;
  // node-llama-cpp shares the binding's threads among every context and makes a context wait for a free one: with the
  // completion model on all of them, a completion would wait for the text being embedded. The embedding's own thread
  // comes on top, so the two run side by side and the completion never waits on indexing.
  llama.maxThreads = params.threads + EMBEDDING_THREADS;
  try {
    // A non-causal model (BERT) needs the whole text in one batch.
    context = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads: EMBEDDING_THREADS });
  } catch (error) {
    llama.maxThreads = params.threads;
    await model.dispose();
    throw describeLoadError(lib, error, params.modelPath, fileInfo);
  }
  const info: ModelInfo = {
    path: params.modelPath,
    name: modelName(fileInfo, params.modelPath),
    architecture: String(fileInfo.metadata.general?.architecture ?? "unknown"),
    sizeBytes: (await stat(params.modelPath)).size,
    trainContextSize: model.trainContextSize,
    contextSize,
    chatContextSize: contextSize,
    fimSupported: false,
    fimFormat: null,
    chatTemplate: null,
    chatWrapper: "none",
    gpu: llama.gpu,
    threads: EMBEDDING_THREADS,
    loadMs: Math.round(performance.now() - started),
    estimatedMemory: { ramBytes: footprint.ramBytes, vramBytes: footprint.vramBytes },
    embeddingDimensions: model.embeddingVectorSize,
  };
  log("info", `loaded ${info.name} for embedding (${info.architecture}, ${(info.sizeBytes / 2 ** 20).toFixed(1)} MiB, ${info.embeddingDimensions} dimensions) in ${info.loadMs} ms; window ${contextSize} tokens, ${EMBEDDING_THREADS} thread`);
  return { kind: "embedding", llama, model, context, info, params, footprint };
}

export async function disposeEmbeddingModel(loaded: LoadedEmbeddingModel): Promise<void> {
  await loaded.context.dispose();
  await loaded.model.dispose();
  // The embedding's thread goes with it (unless the binding was already replaced by one with other settings).
  if (loaded.llama.maxThreads === loaded.params.threads + EMBEDDING_THREADS) loaded.llama.maxThreads = loaded.params.threads;
}

/** Whether `loaded` is what `params` ask for. */
export function sameEmbeddingLoad(loaded: LoadedEmbeddingModel, params: LoadParams): boolean {
  return loaded.params.modelPath === params.modelPath && loaded.params.contextSize === params.contextSize;
}

/**
 * One vector per text, L2-normalised. Texts are code from the workspace: their special-token lookalikes stay text. A
 * text longer than the window is embedded from its beginning (its index is in `truncated`); an empty one gets zeros.
 */
export async function embedTexts(loaded: LoadedEmbeddingModel, params: EmbedParams, { signal, mayContinue, onEmbedded }: EmbedCallbacks): Promise<EmbedResult> {
  const started = performance.now();
  const dimensions = loaded.model.embeddingVectorSize;
  // Room for the model's own begin and end tokens; llama.cpp refuses an input that fills the whole window.
  const maxTokens = Math.max(1, loaded.info.contextSize - 3);
  const result: EmbedResult = { vectors: [], dimensions, modelPath: loaded.info.path, tokens: [], truncated: [], waitedMs: 0, totalMs: 0 };
  for (const [index, text] of params.texts.entries()) {
    const waitStarted = performance.now();
    await mayContinue();
    result.waitedMs += performance.now() - waitStarted;
    if (signal.aborted) throw cancelled();
    let tokens: Token[] = loaded.model.tokenize(text, false);
    if (tokens.length > maxTokens) {
      tokens = tokens.slice(0, maxTokens);
      result.truncated.push(index);
    }
    if (tokens.length === 0) {
      result.vectors.push(new Array<number>(dimensions).fill(0));
      result.tokens.push(0);
    } else {
      result.tokens.push(loaded.context.calculateInputLength([...tokens]));
      const embedding = await loaded.context.getEmbeddingFor(tokens);
      result.vectors.push(normalised(embedding.vector, dimensions));
    }
    onEmbedded(index + 1);
  }
  result.waitedMs = Math.round(result.waitedMs);
  result.totalMs = Math.round(performance.now() - started);
  return result;
}

function normalised(vector: readonly number[], dimensions: number): number[] {
  if (vector.length !== dimensions) throw new EngineFailure({ code: "internal", message: `The embedding model returned ${vector.length} numbers for a ${dimensions}-dimension vector.` });
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 && Number.isFinite(norm) ? vector.map((x) => x / norm) : vector.map(() => 0);
}

/** A model that declares no pooling (a completion model chosen by mistake) or ranks pairs is refused with its reason. */
function refuseUnlessEmbedding(fileInfo: GgufFileInfo, modelPath: string): void {
  const architecture = String(fileInfo.metadata.general?.architecture ?? "");
  const archMetadata = (fileInfo.metadata as unknown as Record<string, { pooling_type?: unknown } | undefined>)[architecture];
  const pooling = archMetadata?.pooling_type;
  const check = checkEmbeddingModel({
    name: modelName(fileInfo, modelPath),
    architecture,
    poolingType: typeof pooling === "number" ? pooling : undefined,
    fimSupported: detectFimFormat(vocabInfoFromGgufMetadata(fileInfo.metadata)) !== null,
  });
  if (!check.ok) throw new EngineFailure({ code: "model-unsupported", message: check.message });
}
