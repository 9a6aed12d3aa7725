// The conversation log: one EntryView per message, rendered newest first a few per task, streamed text flushed once per
// animation frame, and a view at its end kept at its end.
import type { ViewConversation, ViewEntry } from "../protocol";
import { h } from "./dom";
import { EntryView, type EntryActions } from "./entry-view";
import type { Highlighter } from "./highlighter";

/** Time spent rendering entries per task when a whole conversation arrives, so 300 messages never block the view. */
const RENDER_BUDGET_MS = 12;
/** Time spent per animation frame putting highlighted code into the DOM. */
const HIGHLIGHT_FRAME_MS = 6;

export class ConversationLog {
  readonly el: HTMLElement;
  private readonly welcome: HTMLElement;
  private readonly views = new Map<string, EntryView>();
  private shownId = "";
  private renderToken = 0;
  private frame: number | undefined;
  /** The log grew while the user was at its end: scroll to the end at the start of the next frame. */
  private followTail = false;

  constructor(
    private readonly highlighter: Highlighter,
    private readonly actions: EntryActions,
  ) {
    highlighter.onResults(() => this.scheduleFlush());
    this.welcome = h(
      "div",
      { class: "welcome" },
      h("h2", {}, "Ask Hearth about your code"),
      h("p", {}, "The selection and the current file go with your question as context — the chips under the conversation; remove one to leave it out. Type @ to attach other files, or to choose @codebase and search the whole workspace."),
      h("p", {}, "Everything runs on this machine: nothing is sent anywhere."),
    );
    this.el = h("main", { class: "log", role: "log", "aria-label": "Conversation", "aria-live": "polite", tabindex: "-1" }, this.welcome);
  }

  /** The id of the conversation on screen ("" before the first). */
  get conversationId(): string {
    return this.shownId;
  }

  view(entryId: string): EntryView | undefined {
    return this.views.get(entryId);
  }

  /** The last question on screen (entries are rendered newest first, so the map's order is not the conversation's). */
  lastQuestion(): EntryView | undefined {
    const lastId = [...this.el.querySelectorAll<HTMLElement>(".entry.user")].pop()?.dataset.entryId;
    return lastId ? this.views.get(lastId) : undefined;
  }

  setStreaming(streaming: boolean): void {
    this.el.classList.toggle("is-streaming", streaming);
  }

  show(conversation: ViewConversation): void {
    const token = ++this.renderToken;
    this.shownId = conversation.id;
    this.views.clear();
    this.highlighter.dropAll();
    this.followTail = false;
    this.welcome.hidden = conversation.entries.length > 0;
    this.el.replaceChildren(this.welcome);
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
    this.el.append(anchor, ...renderSome().map((v) => v.el));
    this.scrollToBottom();
    const renderOlder = () => {
      if (token !== this.renderToken || next === 0) return;
      const fragment = document.createDocumentFragment();
      fragment.append(...renderSome().map((v) => v.el));
      const before = this.el.scrollHeight - this.el.scrollTop;
      anchor.after(fragment);
      this.el.scrollTop = this.el.scrollHeight - before;
      setTimeout(renderOlder, 0);
    };
    setTimeout(renderOlder, 0);
  }

  append(entryId: string, text: string): void {
    const view = this.views.get(entryId);
    if (!view) return;
    view.append(text);
    this.scheduleFlush();
  }

  /** An entry changed (its final text, a note): a view at its end stays there. */
  update(entry: ViewEntry): void {
    const stick = this.followTail || this.nearBottom();
    this.views.get(entry.id)?.update(entry);
    if (stick) {
      this.followTail = true;
      this.scheduleFlush();
    }
  }

  private createView(entry: ViewEntry): EntryView {
    const view = new EntryView(entry, this.actions, this.highlighter);
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

  private nearBottom(): boolean {
    return this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 48;
  }

  private scrollToBottom(): void {
    this.el.scrollTop = this.el.scrollHeight;
  }
}
