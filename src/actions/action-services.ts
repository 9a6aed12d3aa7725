import type { ChatEngine } from "../chat/chat-session";
import type { EngineStatus } from "../engine/client";

// The parts of the core an action uses, as narrow interfaces: the extension passes its EngineClient and ContextEngine,
// the CLI and the tests theirs, and the runner does not depend on how those are built.

/** The model that answers an action (the chat model). */
export interface ActionModel extends ChatEngine {
  /** Tokens the chat model's context window holds now: the answer gets what the prompt leaves of it. */
  contextWindow(): number;
}

/**
 * The engine's chat role as an action's model (the completion model unless another is set for chat): its window once
 * a chat model is loaded, else the configured context size. `signal`, when given, also stops every answer (the CLI's).
 */
export function chatActionModel(
  engine: ChatEngine & { readonly chatStatus: EngineStatus },
  configuredContextSize: () => number,
  signal?: AbortSignal,
): ActionModel {
  const prefill = engine.prefillChat?.bind(engine);
  return {
    chat: (params, options) => engine.chat(params, signal ? { ...options, signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal } : options),
    ...(prefill && {
      prefillChat: (params, options) => prefill(params, signal ? { signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal } : options),
    }),
    contextWindow: () => (engine.chatStatus.kind === "ready" ? engine.chatStatus.model.chatContextSize : configuredContextSize()),
  };
}

/** A declaration's extent in a text, as offsets, and its grammar node type ("function_declaration" …). */
export interface DeclarationExtent {
  startIndex: number;
  endIndex: number;
  nodeType: string;
}

/** Syntax facts from the grammars; null where the language has no grammar. */
export interface ActionSyntax {
  /** The function, method or class around `offset` (with its doc comment), or null. */
  findDeclaration(languageId: string, text: string, offset: number): Promise<DeclarationExtent | null>;
  hasSyntaxErrors(languageId: string, text: string): Promise<boolean | null>;
}

/** A piece of context about a document: its imports, or the definition of a symbol it uses. */
export interface ActionContextItem {
  kind: string;
  /** The file it comes from: a path, or a document's URI. */
  path: string;
  text: string;
}

/** Context about the code an action works on (the completion's context assembly). */
export interface ActionContextSource {
  assemble(request: { uri: string; languageId: string; text: string; offset: number; budgetTokens: number }): Promise<{ items: readonly ActionContextItem[] }>;
}
