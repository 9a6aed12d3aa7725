import { estimateTokens } from "../context/token-estimate";
import type { ChatMessage, GenerationResult } from "../engine/protocol";
import type { ActionModel } from "./action-services";
import type { EditAction } from "./prompts";

/** At most one render of the partial answer per this many milliseconds (each one cleans the whole answer so far). */
const STREAM_RENDER_MS = 80;

/** Tokens the answer may take: what the prompt leaves of the chat model's window, within bounds per action. */
export function answerBudget(model: ActionModel, messages: readonly ChatMessage[], action: EditAction): number {
  const promptTokens = messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  return Math.max(256, Math.min(action === "tests" ? 2048 : 1536, model.contextWindow() - promptTokens - 64));
}

export interface StreamedAnswer {
  result: GenerationResult;
  /** Everything the model streamed (may be longer than `result.text` when it was cut). */
  raw: string;
}

/** Asks the model and hands the answer so far (and how many chunks, about a token each, came) to `render` while it writes, throttled. */
export async function streamAnswer(
  model: ActionModel,
  messages: ChatMessage[],
  maxTokens: number,
  signal: AbortSignal,
  render: (partial: string, chunks: number) => void,
): Promise<StreamedAnswer> {
  let raw = "";
  let chunks = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    render(raw, chunks);
  };
  try {
    const result = await model.chat(
      { messages, maxTokens },
      {
        signal,
        onChunk: (chunk) => {
          raw += chunk;
          chunks++;
          timer ??= setTimeout(flush, STREAM_RENDER_MS);
        },
      },
    );
    return { result, raw };
  } finally {
    clearTimeout(timer);
  }
}
