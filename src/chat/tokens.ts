// The chat uses the context module's estimate (about 3.5 characters per token on code, indentation counted for less);
// the view labels every number computed from it as an estimate.
export { estimateTokens, type CountTokens } from "../context/token-estimate";

/** Tokens each chat message costs on top of its text (role markers of the chat template). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
