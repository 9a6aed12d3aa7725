import type { Logger } from "../../common/logger";
import type { FimFormat } from "../../fim/types";
import type { ModelInfo, ModelRole } from "../protocol";
import type { ListedModel, OpenAiApi } from "./openai-api";
import { ServerFailure } from "./server-failure";
import { serverFimFormat, serverFimTokenIds } from "./server-fim";

/** What the server engine knows of a role's model once the server answered for it. */
export interface RoleModel {
  info: ModelInfo;
  /** The name sent as `model` in each request. */
  id: string;
  fim: FimFormat | null;
  /** llama-server's /tokenize answers for this model. */
  tokenizer: boolean;
  /** The ids of the FIM format's special tokens, where the server's tokenizer gave them. */
  fimIds: ReadonlyMap<string, number>;
}

export interface ProbeRequest {
  role: ModelRole;
  /** The model the role's setting names; "" takes the first the server lists. */
  wanted: string;
  /** hearth.server.fimFormat: "auto" or a family id. */
  fimFormat: string;
  /** The role's model as its statuses name it (`RoleModel.info.path`). */
  path: string;
  logger: Logger;
}

/**
 * Asks the server for a role's model, the counterpart of a local load: is it served, what context does it have, does
 * the server tokenize (llama-server's /tokenize), and for completions which FIM format it speaks.
 */
export async function probeServerModel(api: OpenAiApi, probe: ProbeRequest): Promise<RoleModel> {
  const started = performance.now();
  const { role, wanted } = probe;
  const listed = await api.models();
  const id = wanted || listed[0]?.id;
  if (!id) throw new ServerFailure("server-model-missing", `The inference server at ${api.base.origin} lists no models.`, undefined, false);
  if (wanted && !listed.some((model) => model.id === wanted)) {
    throw new ServerFailure(
      "server-model-missing",
      `The inference server at ${api.base.origin} does not serve "${wanted}" (setting hearth.server.${role}Model); it serves ${servedList(listed)}.`,
      undefined,
      false,
    );
  }
  const contextSize = (await api.contextSize()) ?? 0;
  const fim = role === "completion" ? await serverFimFormat(api, id, probe.fimFormat) : null;
  const tokenizer = (await api.tokenize("a")) !== null;
  const fimIds = fim && tokenizer ? await serverFimTokenIds(api, fim) : new Map<string, number>();
  const info: ModelInfo = {
    // The same name as the role's idle and loading statuses: a load that ends is no change of model (onModelChange),
    // which would reset the completion pipeline and abort the request that asked for the load.
    path: probe.path,
    name: id,
    architecture: `server ${api.base.origin}`,
    sizeBytes: 0,
    trainContextSize: contextSize,
    contextSize,
    chatContextSize: contextSize,
    fimSupported: role === "completion" && fim !== null,
    fimFormat: fim?.familyName ?? null,
    // The server applies the model's own chat template.
    chatTemplate: "the server's",
    chatWrapper: "server",
    gpu: false,
    threads: 0,
    loadMs: performance.now() - started,
  };
  if (fim) probe.logger.info(`server model ${id}: completion prompt format ${fim.familyName} (${fim.detectedBy ?? "detected"})`);
  return { info, id, fim, tokenizer, fimIds };
}

/** The server's models for a message: a few names, and how many more (a gateway may list thousands). */
function servedList(listed: readonly ListedModel[]): string {
  if (listed.length === 0) return "nothing";
  const named = listed.slice(0, 8).map((model) => `"${model.id}"`).join(", ");
  return listed.length > 8 ? `${named} and ${listed.length - 8} more (Hearth: Select Server Model… lists them)` : named;
}
