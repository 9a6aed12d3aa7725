// Fill-in-the-middle prompt formats: detection from GGUF metadata, the families' formats, and the KV-cache-friendly
// layout. Plain TypeScript (no vscode, no node-llama-cpp); the engine turns the pieces into tokens with
// src/engine/worker/prompt-tokens.mts. The parts live in ./fim/.
export type { CommentSyntax, FimFamilyId, FimFormat, FimRenderInput, FimSnippet, FimTokenIds, ModelVocabInfo, PromptPiece } from "./fim/types";
export {
  CODEGEMMA_TOKENS,
  CODELLAMA_TOKENS,
  CODESTRAL_TOKENS,
  DEEPSEEK_TOKENS,
  DEFAULT_FILE_PATH,
  DEFAULT_REPO_NAME,
  QWEN_TOKENS,
  STARCODER_TOKENS,
  codegemmaFormat,
  codellamaFormat,
  codestralFormat,
  deepseekFormat,
  genericFormat,
  knownFormats,
  mellumFormat,
  qwenFormat,
  starcoder2Format,
  starcoderFormat,
} from "./fim/formats";
export type { GenericFimTokens } from "./fim/formats";
export { detectFimFormat, vocabInfoFromGgufMetadata } from "./fim/detect";
export { PSM_WINDOW, SPM_WINDOW, cutPrefixWindow, cutSuffixWindow, defaultFimWindow, promptToText, renderFimPrompt } from "./fim/layout";
export type { FimPrompt, FimWindowOptions, RenderFimPromptInput } from "./fim/layout";
export { commentSyntaxFor, renderCommentedSnippets } from "./fim/comments";
