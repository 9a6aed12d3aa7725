// Chat on a model's chat sequence: the conversation as node-llama-cpp's history, answered with the model's chat wrapper.
import type { ChatHistoryItem } from "node-llama-cpp";
import type { ChatParams, GenerationResult } from "../protocol.js";
import { toStopReason, watchProgress, type GenerationCallbacks } from "./generation.mjs";
import type { LoadedModel } from "./model-loader.mjs";

export async function generateChat(loaded: LoadedModel, params: ChatParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
  const sequence = loaded.chatSequence;
  const before = sequence.tokenMeter.getState();
  const history: ChatHistoryItem[] = params.messages.map((message) =>
    message.role === "assistant"
      ? { type: "model", response: [message.content] }
      : message.role === "system"
        ? { type: "system", text: message.content }
        : { type: "user", text: message.content },
  );
  history.push({ type: "model", response: [] });
  const stopWatching = watchProgress(sequence, callbacks.onProgress);
  const response = await loaded.chat
    .generateResponse(history, {
      maxTokens: params.maxTokens,
      signal: callbacks.signal,
      stopOnAbortSignal: true,
      onTextChunk: (chunk) => callbacks.onChunk(chunk),
    })
    .finally(stopWatching);
  const used = sequence.tokenMeter.diff(before);
  return {
    text: response.response,
    stopReason: toStopReason(response.metadata.stopReason),
    promptTokens: used.usedInputTokens,
    generatedTokens: used.usedOutputTokens,
  };
}
