import * as vscode from "vscode";
import type { ChatBudget, ChatSession } from "../chat/chat-session";
import { toShownEntry } from "../chat/chat-types";
import type { Conversation } from "../chat/conversation";
import { DisposableStore } from "../common/disposable";
import { errorMessage } from "../common/errors";
import { Emitter, type Event } from "../common/event";
import type { Engine } from "../engine/engine-api";
import {
  parseWebviewMessage,
  PROTOCOL_VERSION,
  type HostToWebview,
  type ViewCommand,
  type WebviewToHost,
} from "../webview/protocol";
import { openChip } from "./chat-chip-open";
import type { ChatContextTracker } from "./chat-context";
import type { ChatEdits } from "./chat-edits";
import { runCodeAction } from "./chat-code-actions";
import { ChatSlashCommands } from "./chat-slash-commands";
import { ChatContextLine, type ChatTokenCounts, type SentRules } from "./chat-view-context";
import { chatViewHtml } from "./chat-view-html";
import { toViewModel } from "./chat-view-model";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

export const CHAT_VIEW_ID = "hearth.chatView";

/** How often streamed text is forwarded to the webview: fewer, larger messages keep both sides responsive. */
const APPEND_FLUSH_MS = 40;

export interface ChatViewDeps {
  extensionUri: vscode.Uri;
  session: ChatSession;
  /** Resolves when the session has read its history. */
  sessionReady: Promise<void>;
  context: ChatContextTracker;
  edits: ChatEdits;
  engine: Engine;
  log: HearthLog;
  /** The context window to plan for when no model is loaded yet (the setting). */
  configuredContextSize: () => number;
  /** The chat model's token counter (the session counts with it): tells whether a count was the model's own. */
  tokens?: ChatTokenCounts;
  /** The project rules the session sends (their tokens are in the budget): a change re-plans the budget. */
  rules?: { readonly onDidChange: Event<void>; readonly current?: SentRules };
}

/**
 * The chat webview view: serves the app (media/dist/chat.js) under a strict CSP, validates every message from it,
 * forwards the user's actions to the ChatSession and streams the session's events back. A reloaded webview posts
 * `ready` again and gets the whole state, a running answer included.
 */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private pendingFocus: { draft?: string } | undefined;
  private readonly appendBuffer = new Map<string, string>();
  private appendTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions = new DisposableStore();
  /** What belongs to the current webview; cleared when a new one is resolved. */
  private readonly viewSubscriptions = new DisposableStore();
  /** What the posted budget was planned for (see onDidChangeChatStatus). */
  private budgetKey = "";
  /** The chips and the budget line. */
  private readonly contextLine: ChatContextLine;
  /** Tests and the e2e harness read this: every message the host posted, counted by type. */
  readonly posted = new Map<HostToWebview["type"], number>();
  private readonly postEmitter = new Emitter<HostToWebview>();
  /** Every message posted to the webview (tests follow what the view is shown). */
  readonly onDidPost: Event<HostToWebview> = this.postEmitter.event;
  /** `/explain`, `/fix`, … and the workspace's prompt files, typed in the question box. */
  readonly slash: ChatSlashCommands;

  constructor(private readonly deps: ChatViewDeps) {
    const { session } = deps;
    this.contextLine = new ChatContextLine({
      session,
      context: deps.context,
      ...(deps.tokens && { tokens: deps.tokens }),
      ...(deps.rules && { rules: deps.rules }),
      budget: () => this.budget(),
      isReady: () => this.ready,
      post: (context) => this.post({ type: "context", context }),
    });
    this.slash = new ChatSlashCommands({
      context: deps.context,
      log: deps.log,
      ask: async (question) => session.send(question, await deps.context.piecesFor(question), this.budget()),
      notify: (level, text) => this.post({ type: "notice", level, text }),
    });
    this.subscriptions.add(
      this.postEmitter,
      this.slash,
      this.slash.onDidChange(() => this.postSlashCommands()),
      session.onDidChangeConversation((c) => {
        this.postConversation(c);
        this.postModel();
      }),
      session.onDidAppend(({ entryId, text }) => this.bufferAppend(entryId, text)),
      session.onDidChangeEntry((entry) => {
        this.flushAppends();
        this.post({ type: "entry", entry: toShownEntry(entry), streamingId: session.streamingId });
        this.postModel();
        void this.postContext();
      }),
      session.onDidChangeHistory(() => this.postHistory()),
      deps.context.onDidChange(() => void this.postContext()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("editor.wordWrap")) this.postDisplay();
      }),
      ...(deps.rules ? [deps.rules.onDidChange(() => void this.postContext())] : []),
      // The header names the model that answers: the separate chat model where one is set (hearth.chat.modelPath).
      deps.engine.onDidChangeChatStatus((status) => {
        this.postModel();
        // The budget depends on which model answers and its window, not on whether it is busy or how far it has loaded.
        const key = status.kind === "ready" ? `ready ${status.model.path} ${status.model.chatContextSize}` : status.kind;
        if (key === this.budgetKey) return;
        this.budgetKey = key;
        void this.postContext();
      }),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.deps.extensionUri, "media");
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [media] };
    view.webview.html = chatViewHtml(view.webview, media);
    this.viewSubscriptions.add(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
      }),
      view.onDidChangeVisibility(() => {
        if (view.visible) void this.postContext();
      }),
    );
  }

  /** Focuses the question box, optionally with a draft; works before the view exists (it is applied on `ready`). */
  focusInput(draft?: string): void {
    const message = draft === undefined ? {} : { draft };
    if (this.ready) this.post({ type: "focus", ...message });
    else this.pendingFocus = message;
  }

  /** The room a question gets now: the model's window (or the setting's) minus the answer's share. */
  budget(): ChatBudget {
    const status = this.deps.engine.chatStatus;
    const window = status.kind === "ready" ? status.model.chatContextSize : this.deps.configuredContextSize();
    const maxAnswerTokens = Math.max(128, Math.min(4096, Math.floor(window / 4)));
    return { windowTokens: window, limitTokens: window - maxAnswerTokens, maxAnswerTokens };
  }

  dispose(): void {
    clearTimeout(this.appendTimer);
    this.disposeView();
    this.subscriptions.dispose();
  }

  private disposeView(): void {
    this.viewSubscriptions.clear();
  }

  /**
   * A message from the webview, checked before anything is done with it; resolves when it has been handled (tests
   * post the webview's messages here, exactly as the view would).
   */
  receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn(`chat: ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return Promise.resolve();
    }
    return this.handle(message).catch((error: unknown) => {
      this.deps.log.error(error instanceof Error ? error : String(error));
      this.post({ type: "notice", level: "error", text: errorMessage(error) });
    });
  }

  private async handle(message: WebviewToHost): Promise<void> {
    const { session, context, edits } = this.deps;
    switch (message.type) {
      case "ready":
        if (message.version !== PROTOCOL_VERSION) this.deps.log.warn(`chat: webview protocol ${message.version}, expected ${PROTOCOL_VERSION}`);
        await this.deps.sessionReady;
        this.ready = true;
        this.contextLine.reset();
        this.appendBuffer.clear();
        this.postModel();
        this.postDisplay();
        this.postSlashCommands();
        this.postHistory();
        this.postConversation(session.conversation);
        await this.postContext();
        if (this.pendingFocus) {
          this.post({ type: "focus", ...this.pendingFocus });
          this.pendingFocus = undefined;
        }
        return;
      case "send":
        return session.send(message.text, await context.piecesFor(message.text), this.budget());
      case "edit":
        return session.edit(message.entryId, message.text, await context.piecesFor(message.text), this.budget());
      case "regenerate":
        return session.regenerate(this.budget());
      case "stop":
        return session.stop();
      case "composing":
        // Evaluated while the user types; not awaited: the next message must not wait for it.
        void session.prefill(await context.pieces(), this.budget());
        return;
      case "removeChip":
        return context.remove(message.chipId);
      case "openChip":
        await openChip({ locationOf: (id) => context.locationOf(id), log: this.deps.log }, message.chipId);
        return;
      case "attachFile":
        if ((await context.pickFiles()) === "codebase") this.post({ type: "mention", mention: "codebase" });
        return;
      case "openLink":
        await vscode.env.openExternal(vscode.Uri.parse(message.href, true));
        return;
      case "command":
        await vscode.commands.executeCommand(VIEW_COMMANDS[message.command]);
        return;
      case "problem":
        this.deps.log.warn(`chat view: ${message.text}`);
        return;
      case "slash":
        return this.slash.run(message.name, message.text);
      case "code":
        return runCodeAction({ session, context, edits, log: this.deps.log }, message);
    }
  }

  private post(message: HostToWebview): void {
    if (!this.ready || !this.view) return;
    this.posted.set(message.type, (this.posted.get(message.type) ?? 0) + 1);
    this.postEmitter.fire(message);
    void this.view.webview.postMessage(message).then(undefined, () => undefined);
  }

  private postConversation(conversation: Conversation): void {
    // The snapshot holds all text so far: buffered chunks are in it already.
    this.appendBuffer.clear();
    this.post({
      type: "conversation",
      conversation: { id: conversation.id, title: conversation.title, entries: conversation.entries.map(toShownEntry), streamingId: this.deps.session.streamingId },
    });
    void this.postContext();
  }

  private postSlashCommands(): void {
    this.post({ type: "slashCommands", commands: this.slash.list() });
  }

  /** The editor's settings the view follows: code blocks wrap where the editor wraps words. */
  private postDisplay(): void {
    const wordWrap = vscode.workspace.getConfiguration("editor").get<string>("wordWrap", "off");
    this.post({ type: "display", display: { wrapCode: wordWrap !== "off" } });
  }

  /** The header: the answering model and what it is doing for the chat. */
  private postModel(): void {
    this.post({ type: "model", model: toViewModel(this.deps.engine.chatStatus, { answering: this.deps.session.streamingId !== null }, this.deps.engine.target) });
  }

  private postHistory(): void {
    this.post({ type: "history", items: this.deps.session.history(), currentId: this.deps.session.conversation.id });
  }

  private postContext(): Promise<void> {
    return this.contextLine.post();
  }

  private bufferAppend(entryId: string, text: string): void {
    this.appendBuffer.set(entryId, (this.appendBuffer.get(entryId) ?? "") + text);
    this.appendTimer ??= setTimeout(() => this.flushAppends(), APPEND_FLUSH_MS);
  }

  private flushAppends(): void {
    clearTimeout(this.appendTimer);
    this.appendTimer = undefined;
    for (const [entryId, text] of this.appendBuffer) this.post({ type: "append", entryId, text });
    this.appendBuffer.clear();
  }
}

const VIEW_COMMANDS: Record<ViewCommand, string> = {
  chooseModel: COMMANDS.chooseModelFile,
  loadModel: COMMANDS.loadModel,
  showLog: COMMANDS.showLog,
  showHistory: COMMANDS.chatShowHistory,
  newConversation: COMMANDS.chatNewConversation,
  export: COMMANDS.chatExport,
};
