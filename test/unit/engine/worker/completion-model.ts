// A completion model as the engine worker holds it (model-loader.mts's LoadedModel), on a context of its own, with
// Qwen2.5's FIM format: what the suffix reuse and refresh tests run the worker's generateInfill on.
import type { Llama, LlamaContext, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { qwenFormat } from "../../../../src/fim/formats";
import { ensureTestModel } from "../../../fixtures/models/test-models";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Infill = typeof import("../../../../src/engine/worker/infill.mjs", { with: { "resolution-mode": "import" } });
export type LoadedModel = Parameters<Infill["generateInfill"]>[0];

/** Loads test model `name` for completions; the model and its context go into `owned`, which the caller disposes. */
export async function loadCompletionModel(
  nlc: NodeLlamaCpp,
  llama: Llama,
  name: "tiny" | "scripted",
  owned: { models: LlamaModel[]; contexts: LlamaContext[] },
): Promise<LoadedModel> {
  const model = await llama.loadModel({ modelPath: await ensureTestModel(name), gpuLayers: 0 });
  owned.models.push(model);
  const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
  owned.contexts.push(context);
  const sequence = context.getSequence();
  const format = qwenFormat();
  return {
    model,
    context,
    completionSequence: sequence,
    completion: new nlc.LlamaCompletion({ contextSequence: sequence }),
    fim: { format, stopTokens: format.stopTokens.flatMap((text) => model.tokenize(text, true)) },
    info: { contextSize: context.contextSize, name },
  } as unknown as LoadedModel;
}
