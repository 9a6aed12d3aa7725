import { detectFimFormat } from "../../fim/detect";
import { CODEGEMMA_TOKENS, CODELLAMA_TOKENS, CODESTRAL_TOKENS, DEEPSEEK_TOKENS, QWEN_TOKENS, STARCODER_TOKENS, knownFormats } from "../../fim/formats";
import { fitFimPrompt } from "../../fim/fit-prompt";
import { promptToText } from "../../fim/layout";
import type { FimFormat, PromptPiece } from "../../fim/types";
import type { InfillParams } from "../protocol";
import type { OpenAiApi } from "./openai-api";
import { breakKnownSpecialTokens } from "./special-text";

/** Every special-token text FIM detection looks for: asked of the server's tokenizer in one request. */
export function candidateTokens(): string[] {
  const texts = [
    ...knownFormats().flatMap((format) => format.specialTokens),
    ...[QWEN_TOKENS, DEEPSEEK_TOKENS, STARCODER_TOKENS, CODEGEMMA_TOKENS, CODESTRAL_TOKENS, CODELLAMA_TOKENS].flatMap((tokens) => Object.values(tokens) as string[]),
  ];
  return [...new Set(texts)];
}

/**
 * The completion model's FIM format. A llama-server tells through /tokenize which special tokens its vocabulary has
 * (each one comes back as a single piece), and the same detection as for a local GGUF picks the family from them.
 * Elsewhere (vLLM, Ollama) the setting hearth.server.fimFormat names the family; "auto" without a tokenizer takes
 * Qwen2.5-Coder's, the format of the models Hearth recommends.
 */
export async function serverFimFormat(api: OpenAiApi, modelName: string, setting: string, signal?: AbortSignal): Promise<FimFormat | null> {
  if (setting !== "auto") {
    const chosen = knownFormats().find((format) => format.id === setting);
    if (chosen) return { ...chosen, detectedBy: "setting hearth.server.fimFormat" };
  }
  const candidates = candidateTokens();
  const pieces = await api.tokenize(candidates.join("\n"), { withPieces: true, parseSpecial: true, ...(signal ? { signal } : {}) });
  if (!pieces) return { ...knownFormats()[0], detectedBy: "no tokenizer on the server; Qwen2.5-Coder's format assumed (setting hearth.server.fimFormat)" };
  const single = new Set(pieces.map((token) => token.piece).filter((piece): piece is string => piece !== undefined && candidates.includes(piece)));
  return detectFimFormat({ architecture: "", name: modelName, tokens: [...single], fimTokenIds: {} });
}

/** Characters per token at the least: code rarely packs more, so a prompt within this estimate fits. */
const MIN_CHARS_PER_TOKEN = 2.5;

/**
 * The raw prompt for /v1/completions: the same windows and layout the local engine renders (worker/infill.mts). Like the
 * local engine it keeps the prompt within the context with room for the answer (other files' snippets go first, then
 * the prefix window halves), judged by a conservative estimate instead of a tokenizer round trip per keystroke;
 * `contextSize` 0 (unknown) keeps the prompt whole. `pieces` is the prompt as text and special tokens, for
 * serverFimTokens; `prompt` is it as text, special tokens written out and every special-token spelling in the file's
 * text broken (special-text.ts), for a server without a tokenizer Hearth can ask.
 */
export function serverFimPrompt(format: FimFormat, params: InfillParams, contextSize = 0): { prompt: string; pieces: PromptPiece[]; stop: string[] } {
  const budget = contextSize > 0 ? (contextSize - Math.min(params.maxTokens, Math.floor(contextSize / 2)) - 1) * MIN_CHARS_PER_TOKEN : Infinity;
  const fitted = fitFimPrompt(format, params, (rendered) => promptToText(rendered.pieces), (prompt) => prompt.length <= budget);
  const rendered = fitted.prompt;
  const extra = format.specialTokens;
  const prompt = rendered.pieces.map((piece) => (piece.kind === "text" ? breakKnownSpecialTokens(piece.text, extra) : piece.token)).join("");
  return { prompt, pieces: rendered.pieces, stop: [...new Set([...rendered.stopTokens, ...rendered.stopStrings, ...(params.stop ?? [])])] };
}

/**
 * The ids of the format's special tokens in the served model's vocabulary (each spelled alone is one token); none where
 * the server parses special tokens even when asked not to (an older llama-server ignores `parse_special`), since its
 * /tokenize could then not turn the file's text into tokens as text.
 */
export async function serverFimTokenIds(api: OpenAiApi, format: FimFormat, signal?: AbortSignal): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const spelled = format.specialTokens.join("\n");
  const pieces = await api.tokenize(spelled, { withPieces: true, parseSpecial: true, ...(signal ? { signal } : {}) });
  for (const token of pieces ?? []) if (token.piece !== undefined && format.specialTokens.includes(token.piece)) ids.set(token.piece, token.id);
  if (ids.size === 0) return ids;
  const asText = await api.tokenize(spelled, signal ? { signal } : {});
  return asText && !asText.some((token) => [...ids.values()].includes(token.id)) ? ids : new Map();
}

/**
 * The FIM prompt as token ids, for a llama-server: it parses special tokens in a text prompt, so a file holding
 * "<|fim_middle|>" or "<|endoftext|>" would end the prompt there. Its /tokenize turns the file's text into tokens
 * without parsing them, Hearth's own special tokens go in as ids, and the leading "" keeps the server's own choice of
 * a BOS token (it adds one before a prompt that starts with text). Null where a special token has no known id.
 */
export async function serverFimTokens(api: OpenAiApi, pieces: readonly PromptPiece[], ids: ReadonlyMap<string, number>, signal?: AbortSignal): Promise<(string | number)[] | null> {
  const content: (string | number)[] = [];
  for (const piece of pieces) {
    if (piece.kind === "special") {
      const id = ids.get(piece.token);
      if (id === undefined) return null;
      content.push(id);
    } else if (typeof content.at(-1) === "string") {
      content[content.length - 1] += piece.text;
    } else if (piece.text) {
      content.push(piece.text);
    }
  }
  const tokens = await api.tokenize(content, signal ? { signal } : {});
  return tokens ? ["", ...tokens.map((token) => token.id)] : null;
}
