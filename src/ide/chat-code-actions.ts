import * as vscode from "vscode";
import type { ChatSession } from "../chat/chat-session";
import type { Logger } from "../common/logger";
import type { WebviewToHost } from "../webview/protocol";
import type { ChatContextTracker } from "./chat-context";
import type { ChatEdits } from "./chat-edits";

export interface CodeActionDeps {
  session: Pick<ChatSession, "conversation">;
  context: Pick<ChatContextTracker, "targetEditor">;
  edits: Pick<ChatEdits, "insert" | "apply">;
  log: Logger;
}

/** A code block's Copy, Insert or Apply button, for code that an answer in this conversation holds. */
export async function runCodeAction(deps: CodeActionDeps, message: Extract<WebviewToHost, { type: "code" }>): Promise<void> {
  const { session, context, edits } = deps;
  // The code must come from an answer in this conversation: the webview cannot make Hearth write other text.
  const entry = session.conversation.entries.find((e) => e.id === message.entryId && e.role === "assistant");
  if (!entry || !entry.content.includes(message.code.replace(/\n$/, ""))) {
    deps.log.warn("chat: ignored a code action whose code is not in the conversation");
    return;
  }
  if (message.action === "copy") {
    await vscode.env.clipboard.writeText(message.code);
    vscode.window.setStatusBarMessage("Hearth: code copied", 2000);
  } else if (message.action === "insert") {
    await edits.insert(context.targetEditor, message.code);
  } else {
    await edits.apply(context.targetEditor, message.code);
  }
}
