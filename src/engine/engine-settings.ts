import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { HearthConfig } from "../common/settings";
import { PSM_REUSE_WINDOW, SPM_WINDOW } from "../fim/layout";
import type { EngineSettings } from "./client-types";

/**
 * What the engine is configured with for Hearth's settings; the extension and the CLI both take it from here.
 * `resolvePath` turns a path as the user wrote it into an absolute one (see resolveUserPath).
 */
export function engineSettingsOf(config: HearthConfig, resolvePath: (path: string) => string): EngineSettings {
  return {
    modelPath: resolvePath(config.model.path),
    threads: config.engine.threads,
    contextSize: config.engine.contextSize,
    completionContextSize: completionContextSize(config.engine.contextSize, config.completion.contextTokens),
    gpu: config.engine.gpu,
    idleUnloadMs: config.engine.idleUnloadMinutes * 60_000,
    loraAdapters: config.model.loraAdapters.map(resolvePath),
    chatModelPath: resolvePath(config.chat.modelPath),
    embeddingModelPath: resolvePath(config.embedding.modelPath),
    nextEditModelPath: resolvePath(config.nextEdit.modelPath),
  };
}

/**
 * The completion model's own context, for hearth.engine.contextSize `contextSize` and hearth.completion.contextTokens
 * `contextTokens`: room for the largest completion prompt those budgets make, in steps of 1,024, from 4,096 up, and
 * never more than `contextSize`. Not `contextSize` itself, which users raise for chat: the suffix reuse moves cells on
 * most keystrokes, and every move makes llama.cpp rotate the keys of every cell of the context (bench-0.5b at one
 * thread: 39 ms at 4,096 cells, 177 ms at 16,384; bench "Engine: what a decode costs by its shape"). The largest
 * prompt: the counted budget, the prefix growing past it by up to half of it while the user types (context-hold), the
 * uncounted suffix of a suffix-first or reused prompt (64 lines, at most 5,120 characters: 1,552 tokens) and the
 * longest answer (160).
 */
export function completionContextSize(contextSize: number, contextTokens: number): number {
  const largestPrompt = Math.ceil(contextTokens * 1.5) + COMPLETION_SUFFIX_TOKENS + COMPLETION_ANSWER_TOKENS;
  return Math.min(contextSize, Math.max(MIN_COMPLETION_CONTEXT, Math.ceil(largestPrompt / 1024) * 1024));
}

const MIN_COMPLETION_CONTEXT = 4096;
/** Code runs about 3.3 characters a token on the tokenizers the FIM formats use. */
const COMPLETION_SUFFIX_TOKENS = Math.ceil(Math.max(SPM_WINDOW.maxSuffixChars, PSM_REUSE_WINDOW.maxSuffixChars) / 3.3);
/** generate-suggestion.ts's multi-line answer (DEFAULT_GENERATION.maxTokensMultiLine; a test keeps them in step). */
export const COMPLETION_ANSWER_TOKENS = 160;

/** Users write paths like ~/models/x.gguf or paths relative to the workspace; both should just work. Empty stays empty. */
export function resolveUserPath(path: string, base: string): string {
  if (!path) return "";
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  if (isAbsolute(path)) return path;
  return resolve(base, path);
}
