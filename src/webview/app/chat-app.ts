// The chat view: conversation log, context chips with the token budget, and the question box. Keyboard first:
// Enter sends, Shift+Enter adds a line, ↑ in an empty box edits the last question, Escape stops an answer, @ attaches
// files, / at the start lists the commands (slash-menu.ts). Every action is a message to the extension; nothing in an answer can act without a click.
import type { HostToWebview, ViewContext, ViewConversation, ViewEntry, ViewModel, WebviewToHost } from "../protocol";
import { clear, h } from "./dom";
import { EntryView, setCodeWrapDefault } from "./entry-view";
import type { Highlighter } from "./highlighter";
import { SlashMenu } from "./slash-menu";

export interface AppHost {
  post(message: WebviewToHost): void;
  /** Survives a reload of the webview (vscode.setState). */
  saveDraft(draft: string): void;
  loadDraft(): string;
}

/** Time spent rendering entries per task when a whole conversation arrives, so 300 messages never block the view. */
const RENDER_BUDGET_MS = 12;
/** Time spent per animation frame putting highlighted code into the DOM. */
const HIGHLIGHT_FRAME_MS = 6;
/** Quiet time after focus, typing or a chip change before the extension is told the user is composing. */
const COMPOSING_DEBOUNCE_MS = 300;

export class ChatApp {
  private readonly log: HTMLElement;
  private readonly welcome: HTMLElement;
  private readonly modelLabel: HTMLElement;
  private readonly modelButtons: HTMLElement;
  private readonly warning: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly budget: HTMLElement;
  private readonly trimmed: HTMLElement;
  private readonly editBanner: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly slash: SlashMenu;
  private views = new Map<string, EntryView>();
  private conversationId = "";
  private streamingId: string | null = null;
  private editing: ViewEntry | undefined;
  private renderToken = 0;
  private frame: number | undefined;
  /** The log grew while the user was at its end: scroll to the end at the start of the next frame. */
  private followTail = false;
  private composingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    root: HTMLElement,
    private readonly host: AppHost,
    private readonly highlighter: Highlighter,
  ) {
    highlighter.onResults(() => this.scheduleFlush());
    this.modelLabel = h("span", { class: "model-label" }, "Starting…");
    this.modelButtons = h("span", { class: "model-buttons" });
    this.warning = h("div", { class: "banner warning", role: "note", hidden: true });
    this.notice = h("div", { class: "banner notice", hidden: true });
    this.welcome = h(
      "div",
      { class: "welcome" },
      h("h2", {}, "Ask Hearth about your code"),
      h("p", {}, "The selection and the current file go with your question as context — the chips under the conversation; remove one to leave it out. Type @ to attach other files."),
      h("p", {}, "Everything runs on this machine: nothing is sent anywhere."),
    );
    this.log = h("main", { class: "log", role: "log", "aria-label": "Conversation", "aria-live": "polite", tabindex: "-1" }, this.welcome);
    this.chips = h("div", { class: "chips", role: "list", "aria-label": "Context sent with the next question" });
    this.budget = h("div", { class: "budget", "aria-live": "polite" });
    this.trimmed = h("ul", { class: "trimmed", hidden: true });
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
      h("header", { class: "model-bar" }, this.modelLabel, this.modelButtons),
      this.warning,
      this.notice,
      this.log,
      h(
        "footer",
        { class: "composer" },
        h("div", { class: "context-row" }, this.chips, attach),
        h("div", { class: "budget-row" }, this.budget),
        this.trimmed,
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
    this.log.addEventListener("click", (e) => this.onLogClick(e));
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case "conversation":
        return this.showConversation(message.conversation);
      case "append": {
        const view = this.views.get(message.entryId);
        if (!view) return;
        view.append(message.text);
        this.scheduleFlush();
        return;
      }
      case "entry": {
        const view = this.views.get(message.entry.id);
        const stick = this.followTail || this.nearBottom();
        view?.update(message.entry);
        this.setStreaming(message.streamingId);
        if (message.entry.role === "assistant" && message.entry.status !== "streaming") {
          this.announce(message.entry.status === "done" ? "Answer complete." : (message.entry.note ?? "Answer ended."));
        }
        if (stick) {
          this.followTail = true;
          this.scheduleFlush();
        }
        return;
      }
      case "context":
        if (document.activeElement === this.input) this.composing();
        return this.showContext(message.context);
      case "model":
        return this.showModel(message.model);
      case "history":
        return;
      case "notice":
        return this.showNotice(message.level, message.text);
      case "slashCommands":
        return this.slash.setCommands(message.commands);
      case "display":
        return setCodeWrapDefault(message.display.wrapCode);
      case "focus":
        if (message.draft !== undefined) this.input.value = message.draft;
        this.input.focus();
        return;
    }
  }

  private showConversation(conversation: ViewConversation): void {
    const token = ++this.renderToken;
    const sameConversation = conversation.id === this.conversationId;
    this.conversationId = conversation.id;
    if (!sameConversation) this.cancelEdit();
    this.views.clear();
    this.highlighter.dropAll();
    this.followTail = false;
    this.welcome.hidden = conversation.entries.length > 0;
    this.log.replaceChildren(this.welcome);
    this.setStreaming(conversation.streamingId);
    // The newest entries first, so what the user looks at appears at once; older ones are added a few per task, as many
    // as fit in RENDER_BUDGET_MS (at least one), so the view never stops answering for long.
    const entries = conversation.entries;
    let next = entries.length;
    const renderSome = (): EntryView[] => {
      const started = performance.now();
      const views: EntryView[] = [];
      while (next > 0 && (views.length === 0 || performance.now() - started < RENDER_BUDGET_MS)) views.unshift(this.createView(entries[--next]!));
      return views;
    };
    const anchor = document.createComment("older");
    this.log.append(anchor, ...renderSome().map((v) => v.el));
    this.scrollToBottom();
    const renderOlder = () => {
      if (token !== this.renderToken || next === 0) return;
      const fragment = document.createDocumentFragment();
      fragment.append(...renderSome().map((v) => v.el));
      const before = this.log.scrollHeight - this.log.scrollTop;
      anchor.after(fragment);
      this.log.scrollTop = this.log.scrollHeight - before;
      setTimeout(renderOlder, 0);
    };
    setTimeout(renderOlder, 0);
  }

  private createView(entry: ViewEntry): EntryView {
    const view = new EntryView(entry, {
      code: (action, entryId, code, language) => this.host.post({ type: "code", action, entryId, code, language }),
      edit: (e) => this.startEdit(e),
      regenerate: () => this.host.post({ type: "regenerate" }),
    }, this.highlighter);
    this.views.set(entry.id, view);
    return view;
  }

  /**
   * Streamed text is rendered once per frame. The frame starts with the layout clean, so reading the scroll position
   * (and scrolling to the end for the text added in the previous frame) costs nothing there; after the DOM changes the
   * frame's own rendering lays it out once, instead of a read from script forcing that layout early. A view at its end
   * stays at its end, one frame behind the text.
   */
  private scheduleFlush(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      if (this.followTail) this.scrollToBottom();
      const stick = this.nearBottom();
      let changed = false;
      for (const view of this.views.values()) {
        if (!view.dirty) continue;
        view.flush();
        changed = true;
      }
      this.followTail = stick && changed;
      // Highlighted code last: DOM writes after the frame's one read of the layout.
      const more = this.highlighter.applyReady(HIGHLIGHT_FRAME_MS);
      if (this.followTail || more) this.scheduleFlush();
    });
  }

  private setStreaming(id: string | null): void {
    this.streamingId = id;
    this.log.classList.toggle("is-streaming", id !== null);
    this.stopButton.hidden = id === null;
    this.sendButton.hidden = id !== null;
  }

  private showContext({ chips, budget }: ViewContext): void {
    clear(this.chips);
    // Counts the chat model has not made itself are estimates, and say so.
    const about = budget.estimated ? "≈ " : "";
    const note = budget.estimated ? " (estimate)" : "";
    for (const chip of chips) {
      const cut = chip.sentTokens < chip.tokens;
      const state = chip.sentTokens === 0 ? " — left out, it does not fit" : cut ? ` — cut to ${chip.sentTokens} of ${chip.tokens} tokens` : "";
      const remove = h("button", { class: "chip-remove", type: "button", "aria-label": `Remove ${chip.label} from the context`, title: "Remove" }, "×");
      remove.addEventListener("click", () => this.host.post({ type: "removeChip", chipId: chip.id }));
      this.chips.append(
        h(
          "span",
          { class: `chip ${chip.kind}${cut ? " cut" : ""}`, role: "listitem", title: `${chip.detail} · ${about}${chip.tokens} tokens${note}${state}`, "data-chip-id": chip.id },
          h("span", { class: "chip-kind" }, chip.kind === "selection" ? "Selection" : chip.kind === "file" ? "File" : chip.kind === "codebase" ? "Codebase" : "Attached"),
          h("span", { class: "chip-label" }, chip.label),
          cut ? h("span", { class: "chip-cut" }, chip.sentTokens === 0 ? "left out" : "cut") : null,
          remove,
        ),
      );
    }
    const over = budget.used > budget.limit * 0.9;
    // The rules are sent without a chip (they are the project's, not the user's choice): the line says they are there.
    const rules = budget.rules && budget.rules.tokens > 0 ? ` · rules ${budget.rules.tokens.toLocaleString("en")} tok` : "";
    this.budget.textContent = `${about}${budget.used.toLocaleString("en")} / ${budget.limit.toLocaleString("en")} tokens of context${note}${rules}`;
    this.budget.title = budget.rules && budget.rules.tokens > 0 ? `Project rules sent with every question: ${budget.rules.files.join(", ")}` : "";
    this.budget.classList.toggle("over", over);
    clear(this.trimmed);
    for (const line of budget.trimmed) this.trimmed.append(h("li", {}, line));
    this.trimmed.hidden = budget.trimmed.length === 0;
  }

  private showModel(model: ViewModel): void {
    this.modelLabel.textContent = model.label;
    this.modelLabel.className = `model-label ${model.state}`;
    clear(this.modelButtons);
    const button = (label: string, command: "chooseModel" | "loadModel" | "showLog") => {
      const b = h("button", { class: "link-button", type: "button" }, label);
      b.addEventListener("click", () => this.host.post({ type: "command", command }));
      return b;
    };
    if (model.state === "none") this.modelButtons.append(button("Choose model file…", "chooseModel"));
    if (model.state === "error") this.modelButtons.append(button("Show log", "showLog"));
    clear(this.warning);
    if (model.warning) this.warning.append(model.warning);
    this.warning.hidden = !model.warning;
  }

  private showNotice(level: "info" | "warning" | "error", text: string): void {
    clear(this.notice);
    const close = h("button", { class: "chip-remove", type: "button", "aria-label": "Dismiss" }, "×");
    close.addEventListener("click", () => (this.notice.hidden = true));
    this.notice.append(h("span", {}, text), close);
    this.notice.className = `banner notice ${level}`;
    this.notice.setAttribute("role", level === "error" ? "alert" : "status");
    this.notice.hidden = false;
  }

  private onKey(e: KeyboardEvent): void {
    if (this.slash.onKey(e)) return;
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === "ArrowUp" && this.input.value === "" && !this.streamingId) {
      // The last question on screen (entries are rendered newest first, so the map's order is not the conversation's).
      const lastId = [...this.log.querySelectorAll<HTMLElement>(".entry.user")].pop()?.dataset.entryId;
      const last = lastId ? this.views.get(lastId) : undefined;
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
      this.showNotice("warning", `/${invoked.command.name} takes no text after its name. Remove the text to run it, or ask without the "/" to send it as a question.`);
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
    this.views.get(entry.id)?.el.classList.add("editing");
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
    this.views.get(this.editing.id)?.el.classList.remove("editing");
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

  private nearBottom(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 48;
  }

  private scrollToBottom(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private announce(text: string): void {
    this.status.textContent = text;
  }
}
