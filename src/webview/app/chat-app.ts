// The chat view: conversation log, context chips with the token budget, and the question box. Keyboard first:
// Enter sends, Shift+Enter adds a line, ↑ in an empty box edits the last question, Escape stops an answer, @ attaches
// files, / at the start lists the commands (slash-menu.ts). Every action is a message to the extension; nothing in an answer can act without a click.
// This file routes the extension's messages and owns the question box; the log, the chips and the header are their own modules.
import type { HostToWebview, ViewConversation, ViewEntry, WebviewToHost } from "../protocol";
import { clear, h } from "./dom";
import { ContextChips } from "./context-chips";
import { ConversationLog } from "./conversation-log";
import { setCodeWrapDefault } from "./entry-view";
import type { Highlighter } from "./highlighter";
import { ModelHeader } from "./model-header";
import { SlashMenu } from "./slash-menu";

export interface AppHost {
  post(message: WebviewToHost): void;
  /** Survives a reload of the webview (vscode.setState). */
  saveDraft(draft: string): void;
  loadDraft(): string;
}

/** Quiet time after focus, typing or a chip change before the extension is told the user is composing. */
const COMPOSING_DEBOUNCE_MS = 300;

export class ChatApp {
  private readonly log: ConversationLog;
  private readonly header: ModelHeader;
  private readonly context: ContextChips;
  private readonly editBanner: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly slash: SlashMenu;
  private streamingId: string | null = null;
  private editing: ViewEntry | undefined;
  private composingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    root: HTMLElement,
    private readonly host: AppHost,
    highlighter: Highlighter,
  ) {
    const post = (message: WebviewToHost) => this.host.post(message);
    this.log = new ConversationLog(highlighter, {
      code: (action, entryId, code, language) => this.host.post({ type: "code", action, entryId, code, language }),
      edit: (e) => this.startEdit(e),
      regenerate: () => this.host.post({ type: "regenerate" }),
    });
    this.header = new ModelHeader(post);
    this.context = new ContextChips(post);
    this.editBanner = h("div", { class: "banner edit-banner", hidden: true });
    this.input = h("textarea", {
      class: "input",
      rows: "3",
      "aria-label": "Ask Hearth",
      placeholder: "Ask about your code (Enter to send, Shift+Enter for a new line, @ to attach a file, / for commands)",
    });
    this.slash = new SlashMenu(this.input);
    this.sendButton = h("button", { class: "primary send", type: "button", "aria-label": "Send the question (Enter)", title: "Send (Enter)" }, "Send");
    this.stopButton = h("button", { class: "secondary stop", type: "button", "aria-label": "Stop the answer (Escape)", title: "Stop (Escape)", hidden: true }, "Stop");
    const attach = h("button", { class: "secondary attach", type: "button", "aria-label": "Attach files to the question (@)", title: "Attach files (@)" }, "@ Add file");
    this.status = h("div", { class: "visually-hidden", role: "status" });

    root.append(
      this.header.header,
      this.header.warning,
      this.header.notice,
      this.log.el,
      h(
        "footer",
        { class: "composer" },
        h("div", { class: "context-row" }, this.context.chips, attach),
        h("div", { class: "budget-row" }, this.context.budget),
        this.context.trimmed,
        this.editBanner,
        h("div", { class: "input-wrap" }, this.slash.el, this.input),
        h("div", { class: "composer-actions" }, this.stopButton, this.sendButton),
      ),
      this.status,
    );

    this.input.value = host.loadDraft();
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("input", (e) => this.onInput(e as InputEvent));
    this.input.addEventListener("blur", () => this.slash.close());
    // The extension evaluates the question's known prompt (system, history, chips) while the user writes it.
    this.input.addEventListener("focus", () => this.composing());
    this.sendButton.addEventListener("click", () => this.submit());
    this.stopButton.addEventListener("click", () => this.host.post({ type: "stop" }));
    attach.addEventListener("click", () => this.host.post({ type: "attachFile" }));
    root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.streamingId && e.target !== this.input) this.host.post({ type: "stop" });
    });
    this.log.el.addEventListener("click", (e) => this.onLogClick(e));
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case "conversation":
        return this.showConversation(message.conversation);
      case "append":
        return this.log.append(message.entryId, message.text);
      case "entry":
        this.log.update(message.entry);
        this.setStreaming(message.streamingId);
        if (message.entry.role === "assistant" && message.entry.status !== "streaming") {
          this.announce(message.entry.status === "done" ? "Answer complete." : (message.entry.note ?? "Answer ended."));
        }
        return;
      case "context":
        if (document.activeElement === this.input) this.composing();
        return this.context.show(message.context);
      case "model":
        return this.header.showModel(message.model);
      case "history":
        return;
      case "notice":
        return this.header.showNotice(message.level, message.text);
      case "slashCommands":
        return this.slash.setCommands(message.commands);
      case "display":
        return setCodeWrapDefault(message.display.wrapCode);
      case "focus":
        if (message.draft !== undefined) this.input.value = message.draft;
        this.input.focus();
        return;
      case "mention":
        return this.insertMention(message.mention);
    }
  }

  /** `@codebase` chosen in the `@` picker: into the question where the `@` was typed, as a word of its own. */
  private insertMention(mention: string): void {
    const { value, selectionStart: at, selectionEnd: end } = this.input;
    const before = value.slice(0, at);
    const text = `${before && !/\s$/.test(before) ? " " : ""}@${mention} `;
    this.input.value = before + text + value.slice(end);
    this.input.setSelectionRange(at + text.length, at + text.length);
    this.host.saveDraft(this.input.value);
    this.input.focus();
  }

  private showConversation(conversation: ViewConversation): void {
    if (conversation.id !== this.log.conversationId) this.cancelEdit();
    this.setStreaming(conversation.streamingId);
    this.log.show(conversation);
  }

  private setStreaming(id: string | null): void {
    this.streamingId = id;
    this.log.setStreaming(id !== null);
    this.stopButton.hidden = id === null;
    this.sendButton.hidden = id !== null;
  }

  private onKey(e: KeyboardEvent): void {
    if (this.slash.onKey(e)) return;
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === "ArrowUp" && this.input.value === "" && !this.streamingId) {
      const last = this.log.lastQuestion();
      if (last) {
        e.preventDefault();
        this.startEdit(last.entry);
      }
    } else if (e.key === "Escape") {
      if (this.streamingId) {
        e.preventDefault();
        this.host.post({ type: "stop" });
      } else if (this.editing) {
        e.preventDefault();
        this.cancelEdit();
      }
    }
  }

  /** Tells the extension, once things settle, that a question is being written with the chips shown. */
  private composing(): void {
    clearTimeout(this.composingTimer);
    this.composingTimer = setTimeout(() => {
      if (!this.streamingId && document.activeElement === this.input) this.host.post({ type: "composing" });
    }, COMPOSING_DEBOUNCE_MS);
  }

  private onInput(e: InputEvent): void {
    this.host.saveDraft(this.input.value);
    this.slash.update();
    this.composing();
    if (e.inputType !== "insertText" || e.data !== "@") return;
    const at = this.input.selectionStart - 1;
    const before = at > 0 ? this.input.value[at - 1] : "";
    if (this.input.value[at] !== "@" || (before !== "" && !/\s/.test(before ?? ""))) return;
    // `@` at the start of a word opens the file picker; the attached file becomes a chip.
    this.input.value = this.input.value.slice(0, at) + this.input.value.slice(at + 1);
    this.input.selectionStart = this.input.selectionEnd = at;
    this.host.saveDraft(this.input.value);
    this.host.post({ type: "attachFile" });
  }

  private submit(): void {
    const text = this.input.value;
    if (!text.trim() || this.streamingId) return;
    const invoked = this.editing ? undefined : this.slash.match(text);
    if (invoked && !invoked.command.argument && invoked.text) {
      // Kept in the box: nothing the user wrote is dropped.
      this.header.showNotice("warning", `/${invoked.command.name} takes no text after its name. Remove the text to run it, or ask without the "/" to send it as a question.`);
      return;
    }
    if (this.editing) this.host.post({ type: "edit", entryId: this.editing.id, text });
    else if (invoked) this.host.post({ type: "slash", name: invoked.command.name, text: invoked.text });
    else this.host.post({ type: "send", text });
    this.slash.close();
    this.cancelEdit();
    this.input.value = "";
    this.host.saveDraft("");
  }

  private startEdit(entry: ViewEntry): void {
    if (this.streamingId) return;
    this.editing = entry;
    this.log.view(entry.id)?.el.classList.add("editing");
    this.input.value = entry.content;
    clear(this.editBanner);
    const cancel = h("button", { class: "link-button", type: "button" }, "Cancel");
    cancel.addEventListener("click", () => this.cancelEdit());
    this.editBanner.append(h("span", {}, "Editing a question: Enter sends it again and replaces the answers after it. Escape cancels. "), cancel);
    this.editBanner.hidden = false;
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  private cancelEdit(): void {
    if (!this.editing) return;
    this.log.view(this.editing.id)?.el.classList.remove("editing");
    this.editing = undefined;
    this.editBanner.hidden = true;
    this.input.value = "";
    this.host.saveDraft("");
  }

  private onLogClick(e: MouseEvent): void {
    const link = (e.target as Element | null)?.closest?.("a");
    if (!link) return;
    e.preventDefault();
    const href = link.getAttribute("href") ?? "";
    if (/^https?:\/\//i.test(href)) this.host.post({ type: "openLink", href });
  }

  private announce(text: string): void {
    this.status.textContent = text;
  }
}
