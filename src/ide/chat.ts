import { join } from "node:path";
import * as vscode from "vscode";
import { ChatSession } from "../chat/chat-session";
import { countLongLinesInPieces } from "../chat/long-line-count";
import { ConversationStore } from "../chat/conversation-store";
import { exportFileName } from "../chat/export-markdown";
import { toDisposable } from "../common/disposable";
import { scopedLogger } from "../common/logger";
import { ModelTokenCounter } from "../context/model-token-counter";
import type { Engine } from "../engine/engine-api";
import { onModelChange } from "../engine/model-change";
import { ChatContextTracker } from "./chat-context";
import { ChatEdits } from "./chat-edits";
import { CHAT_VIEW_ID, ChatViewProvider } from "./chat-view-provider";
import { COMMANDS } from "./command-ids";
import { readConfig } from "./config";
import type { HearthLog } from "./log";
import { ProjectRulesTracker } from "./project-rules";

/** The chat's part of the extension's API (extension-host tests use it). */
export interface ChatApi {
  readonly session: ChatSession;
  readonly view: ChatViewProvider;
  readonly edits: ChatEdits;
  /** The context chips: the selection, the current file and attached files. */
  readonly context: ChatContextTracker;
  /** The project rules sent with questions (for the chat's file) and actions (for their document). */
  readonly rules: ProjectRulesTracker;
  /** Where conversations are stored; a new ConversationStore on it sees what the next activation will see. */
  readonly storageDir: string;
  readonly ready: Promise<void>;
}

/** Builds the chat (session, context chips, edits, view) and registers its view and commands. */
export function registerChat(context: vscode.ExtensionContext, deps: { engine: Engine; log: HearthLog }): { api: ChatApi; disposables: vscode.Disposable[] } {
  const { engine, log } = deps;
  const storageDir = join((context.storageUri ?? context.globalStorageUri).fsPath, "chat");
  const store = new ConversationStore(storageDir, scopedLogger(log, "chat"));
  // The chat weighs its context with the tokenizer of the model that answers (estimated until that model has counted).
  const tokens = new ModelTokenCounter({ tokenCounts: (texts, options) => engine.tokenCounts(texts, { ...options, role: "chat" }) }, scopedLogger(log, "chat tokens"));
  const windowTokens = () => (engine.chatStatus.kind === "ready" ? engine.chatStatus.model.chatContextSize : readConfig().engine.contextSize);
  const rules = new ProjectRulesTracker(scopedLogger(log, "chat"), windowTokens);
  // A long paragraph goes to the counter in pieces: it estimates any line over 2,000 characters (long-line-count.ts).
  const session = new ChatSession({ engine, store, logger: scopedLogger(log, "chat"), count: countLongLinesInPieces(tokens.count), rules: () => rules.current.text });
  const ready = session.init().catch((error: unknown) => log.error(`chat: reading the history failed: ${String(error)}`));
  const chatContext = new ChatContextTracker();
  const edits = new ChatEdits(log);
  const view = new ChatViewProvider({
    extensionUri: context.extensionUri,
    session,
    sessionReady: ready,
    context: chatContext,
    edits,
    engine,
    log,
    configuredContextSize: () => readConfig().engine.contextSize,
    tokens,
    rules,
  });

  const focus = async (draft?: string) => {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    view.focusInput(draft);
  };

  const disposables: vscode.Disposable[] = [
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
    chatContext,
    rules,
    // The rules follow the file the chat works on.
    chatContext.onDidChange(() => void rules.follow(chatContext.targetEditor?.document.uri)),
    edits,
    view,
    toDisposable(() => void session.dispose()),
    toDisposable(() => void store.dispose()),
    // One message when saving starts failing (disk full, permission denied, read-only disk), not one per keystroke;
    // the store keeps the conversations in memory and retries.
    store.onDidChangeSaveProblem((problem) => {
      if (problem) void vscode.window.showErrorMessage(problem.message, "Show Log").then((choice) => {
          if (choice) log.show();
        });
      else void vscode.window.showInformationMessage("Hearth: saving the chat history works again.");
    }),
    tokens,
    onModelChange(engine.onDidChangeChatStatus, () => tokens.forget()),
    vscode.commands.registerCommand(COMMANDS.chatFocus, () => focus()),
    vscode.commands.registerCommand(COMMANDS.chatAskAboutSelection, () => {
      chatContext.includeSelection();
      return focus();
    }),
    vscode.commands.registerCommand(COMMANDS.chatNewConversation, async () => {
      await session.newConversation();
      await focus();
    }),
    vscode.commands.registerCommand(COMMANDS.chatShowHistory, () => showHistory(session)),
    vscode.commands.registerCommand(COMMANDS.chatExport, () => exportConversation(session, engine)),
    vscode.commands.registerCommand(COMMANDS.chatAcceptProposal, () => edits.accept()),
    vscode.commands.registerCommand(COMMANDS.chatDiscardProposal, () => edits.discard()),
  ];
  void rules.follow(chatContext.targetEditor?.document.uri);
  return { api: { session, view, edits, context: chatContext, rules, storageDir, ready }, disposables };
}

/** The conversation list: pick one to switch to it, or its trash button to delete it. */
async function showHistory(session: ChatSession): Promise<void> {
  const picker = vscode.window.createQuickPick<vscode.QuickPickItem & { id: string }>();
  const trash: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("trash"), tooltip: "Delete conversation" };
  const fill = () => {
    picker.items = session.history().map((item) => ({
      id: item.id,
      label: item.title,
      description: `${item.messages} message${item.messages === 1 ? "" : "s"}${item.id === session.conversation.id ? " · open" : ""}`,
      detail: new Date(item.updatedAt).toLocaleString(),
      buttons: [trash],
    }));
  };
  picker.title = "Hearth: conversations";
  picker.placeholder = "Pick a conversation to open it";
  picker.matchOnDetail = true;
  fill();
  picker.onDidTriggerItemButton(async ({ item }) => {
    const confirm = await vscode.window.showWarningMessage(`Delete the conversation “${item.label}”?`, { modal: true }, "Delete");
    if (confirm === "Delete") await session.delete(item.id);
    fill();
    picker.show();
  });
  picker.onDidAccept(async () => {
    const item = picker.selectedItems[0];
    picker.hide();
    if (item && !(await session.switchTo(item.id))) void vscode.window.showWarningMessage("Hearth: that conversation could not be read.");
  });
  picker.onDidHide(() => picker.dispose());
  picker.show();
}

async function exportConversation(session: ChatSession, engine: Engine): Promise<vscode.Uri | undefined> {
  const conversation = session.conversation;
  if (conversation.entries.length === 0) {
    void vscode.window.showInformationMessage("Hearth: this conversation is empty; there is nothing to export.");
    return undefined;
  }
  const status = engine.chatStatus;
  const model = status.kind === "ready" ? status.model.name : undefined;
  const text = await session.exportMarkdown(conversation.id, model);
  if (text === undefined) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: "Hearth: export the conversation as Markdown",
    filters: { Markdown: ["md"] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, exportFileName(conversation)) } : {}),
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, "utf8"));
  void vscode.window.showInformationMessage(`Hearth: conversation exported to ${vscode.workspace.asRelativePath(target)}.`, "Open").then((open) => {
    if (open) void vscode.window.showTextDocument(target);
  });
  return target;
}
