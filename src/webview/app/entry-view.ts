// One message of the conversation in the DOM. Assistant answers are Markdown from the model (untrusted): rendered by
// markdown-it, sanitised by DOMPurify, and while streaming only the growing tail is rendered again (segments.ts).
import type { CodeAction, ViewEntry } from "../protocol";
import { clear, h } from "./dom";
import { MAX_HIGHLIGHT_CHARS } from "./highlight-protocol";
import type { Highlighter } from "./highlighter";
import { renderMarkdown } from "./markdown";
import { toSafeFragment } from "./sanitize";
import { newSplitState, openFence, takeStable, type SplitState } from "./segments";

export interface EntryActions {
  code(action: CodeAction, entryId: string, code: string, language: string): void;
  edit(entry: ViewEntry): void;
  regenerate(): void;
}

/** A tail longer than this is shown as plain text until it becomes stable: rendering it per token would be slow. */
const MAX_TAIL_RENDER = 16_000;

/**
 * A code block still streaming. Its code is highlighted (by the worker) a run of whole lines at a time, each run
 * starting where highlight.js was back at the language's top level, and the lines not highlighted yet are one text node
 * at its end; only the lines that arrived since the last run are sent. When the fence closes, the highlighted nodes
 * move into the finished block, so what is already coloured never flickers back to plain.
 */
interface LiveCode {
  /** Where the fence's opening line starts in the answer. */
  start: number;
  bodyStart: number;
  /** The fence's language, while the code is still highlighted as it streams. */
  language: string | undefined;
  /** Characters of the code in highlighted nodes, before `plain`. */
  highlighted: number;
  /** Where the last run sent to the worker ended; `asking` while its answer is awaited. */
  asked: number;
  asking: boolean;
  /** The rest of the code, not highlighted (yet): always the code element's last child. */
  plain: Text;
  code: HTMLElement;
}

/** Code not highlighted yet beyond this (an open comment or string that never ends) stays plain until the block ends. */
const MAX_PENDING_HIGHLIGHT = 1_000;

export class EntryView {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly note: HTMLElement;
  private stableEl: HTMLElement | undefined;
  private tailEl: HTMLElement | undefined;
  private split: SplitState = newSplitState();
  private live: LiveCode | undefined;
  private content: string;
  private rendered = 0;
  entry: ViewEntry;

  constructor(
    entry: ViewEntry,
    private readonly actions: EntryActions,
    private readonly highlighter: Highlighter,
  ) {
    this.entry = entry;
    this.content = entry.content;
    const isUser = entry.role === "user";
    this.body = h("div", { class: "entry-body" });
    this.note = h("div", { class: "entry-note" });
    const tools = h("div", { class: "entry-tools" });
    if (isUser) {
      const edit = h("button", { class: "icon-button edit", type: "button", title: "Edit and resend (↑ in an empty box)", "aria-label": "Edit and resend this message" }, "Edit");
      edit.addEventListener("click", () => this.actions.edit(this.entry));
      tools.append(edit);
    } else {
      const regenerate = h("button", { class: "icon-button regenerate", type: "button", title: "Ask again for a new answer", "aria-label": "Regenerate this answer" }, "Regenerate");
      regenerate.addEventListener("click", () => this.actions.regenerate());
      tools.append(regenerate);
    }
    this.el = h(
      "article",
      { class: `entry ${entry.role}`, "data-entry-id": entry.id, "aria-label": isUser ? "Your message" : "Hearth's answer" },
      h("div", { class: "entry-head" }, h("span", { class: "role" }, isUser ? "You" : "Hearth"), tools),
      this.body,
      this.note,
    );
    this.renderStatic();
  }

  get id(): string {
    return this.entry.id;
  }

  get streaming(): boolean {
    return this.entry.status === "streaming";
  }

  /** Streamed text; rendered on the next `flush`. */
  append(text: string): void {
    this.content += text;
  }

  get dirty(): boolean {
    return this.rendered !== this.content.length;
  }

  /** Renders what became stable since the last flush, and the tail again (or, in a long open code block, its new code). */
  flush(): void {
    if (this.entry.role !== "assistant" || !this.stableEl || !this.tailEl) return;
    this.rendered = this.content.length;
    const stableStart = this.split.stable;
    const stable = takeStable(this.content, this.split);
    if (stable) this.stableEl.append(this.renderStable(stable, stableStart));
    if (this.appendLiveCode()) return;
    this.live = undefined;
    const tail = this.content.slice(this.split.stable);
    clear(this.tailEl);
    if (tail.length > MAX_TAIL_RENDER) this.tailEl.append(h("pre", { class: "raw-tail" }, tail));
    else if (tail) this.tailEl.append(this.renderFragment(tail));
  }

  /**
   * While a code block streams, the tail is that block (and the prose just before it): rendering it again per batch
   * would parse, highlight and sanitise the whole block each time, and a long block is most of a long answer. Instead the
   * first flush builds the block as markdown-it would, and later flushes add to it only what is new. Returns false where
   * the tail is not such a block. When the fence closes, the whole block is rendered once as a stable block.
   */
  private appendLiveCode(): boolean {
    const fence = openFence(this.content, this.split);
    if (!fence) return false;
    let live = this.live;
    if (!live || live.start !== fence.start) {
      const fragment = document.createDocumentFragment();
      const prose = this.content.slice(this.split.stable, fence.start);
      if (prose.trim()) fragment.append(this.renderFragment(prose));
      const plain = document.createTextNode("");
      const code = h("code", fence.language ? { class: `language-${fence.language}` } : {}, plain);
      const pre = h("pre", {}, code);
      fragment.append(pre);
      this.decorateCode(pre, false);
      clear(this.tailEl!);
      this.tailEl!.append(fragment);
      live = { start: fence.start, bodyStart: fence.bodyStart, language: fence.language || undefined, highlighted: 0, asked: 0, asking: false, plain, code };
      this.live = live;
    }
    const body = this.content.slice(live.bodyStart);
    this.askForLines(live, body);
    const rest = body.slice(live.highlighted);
    if (rest.startsWith(live.plain.data)) live.plain.appendData(rest.slice(live.plain.data.length));
    else live.plain.data = rest;
    return true;
  }

  /** Sends the live block's complete lines that are not highlighted yet, one run at a time. */
  private askForLines(live: LiveCode, body: string): void {
    if (body.length > MAX_HIGHLIGHT_CHARS) live.language = undefined;
    const lines = body.lastIndexOf("\n") + 1;
    if (!live.language || live.asking || lines <= live.asked) return;
    const from = live.highlighted;
    live.asked = lines;
    live.asking = true;
    void this.highlighter.highlightLines(body.slice(from, lines), live.language).then((part) => {
      live.asking = false;
      if (this.live !== live) return;
      if (part?.atTop) {
        // The plain node holds at least the text of this run: it was shown when the run was sent.
        live.plain.before(toSafeFragment(part.html));
        live.plain.data = live.plain.data.slice(lines - from);
        live.highlighted = lines;
      } else if (!part || lines - from > MAX_PENDING_HIGHLIGHT) live.language = undefined;
      // Lines that arrived meanwhile are sent by the next flush.
    });
  }

  /** The entry changed status (the answer ended) or was replaced by the host's copy. */
  update(entry: ViewEntry): void {
    const textChanged = entry.content !== this.content;
    this.entry = entry;
    if (textChanged) {
      this.content = entry.content;
      this.renderStatic();
      return;
    }
    if (entry.role === "assistant" && entry.status !== "streaming") this.finishStream();
    this.renderMeta();
  }

  private renderStatic(): void {
    clear(this.body);
    this.split = newSplitState();
    this.rendered = 0;
    if (this.entry.role === "user") {
      this.body.append(h("div", { class: "user-text" }, this.content));
      if (this.entry.context?.length) this.body.append(h("div", { class: "sent-context", title: "Context sent with this question" }, `Context: ${this.entry.context.join(", ")}`));
      this.stableEl = undefined;
      this.tailEl = undefined;
    } else {
      this.stableEl = h("div", { class: "markdown" });
      this.tailEl = h("div", { class: "markdown tail" });
      this.body.append(this.stableEl, this.tailEl);
      this.live = undefined;
      // A finished answer is rendered once, whole; only a streaming one is cut into stable blocks and a tail.
      if (this.entry.status === "streaming") this.flush();
      else this.finishStream();
    }
    this.renderMeta();
  }

  private finishStream(): void {
    if (!this.stableEl || !this.tailEl) return;
    const restStart = this.split.stable;
    const rest = this.content.slice(restStart);
    this.split.stable = this.content.length;
    this.split.scanned = this.content.length;
    clear(this.tailEl);
    if (rest) this.stableEl.append(this.renderStable(rest, restStart));
    this.live = undefined;
    this.rendered = this.content.length;
  }

  private renderMeta(): void {
    const { status, note } = this.entry;
    this.el.classList.toggle("streaming", status === "streaming");
    this.el.classList.toggle("stopped", status === "stopped");
    this.el.classList.toggle("error", status === "error");
    this.el.setAttribute("aria-busy", status === "streaming" ? "true" : "false");
    clear(this.note);
    if (note) this.note.append(note);
    this.note.hidden = !note;
    if (status === "error") this.note.setAttribute("role", "alert");
    else this.note.removeAttribute("role");
    if (this.entry.role === "assistant" && status === "streaming" && !this.content) {
      this.tailEl?.replaceChildren(h("span", { class: "thinking" }, "Thinking…"));
    }
  }

  /** Markdown still streaming (the tail): its code blocks are not complete, so they get no buttons and stay plain. */
  private renderFragment(markdown: string): DocumentFragment {
    const fragment = toSafeFragment(renderMarkdown(markdown));
    for (const pre of [...fragment.querySelectorAll("pre")]) this.decorateCode(pre, false);
    return fragment;
  }

  /**
   * Markdown that is final, starting at `start` in the answer. The block that was highlighted while it streamed, if it
   * ends here, keeps those nodes: the Markdown is rendered in two parts, split where that block's fence starts (a
   * top-level fence, so the parts render as the whole does), and the block is the second part's first element.
   */
  private renderStable(markdown: string, start: number): DocumentFragment {
    const live = this.live;
    const at = live ? live.start - start : -1;
    if (!live || live.highlighted === 0 || at < 0 || at >= markdown.length) return this.renderFinal(markdown);
    const fragment = document.createDocumentFragment();
    if (at > 0) fragment.append(this.renderFinal(markdown.slice(0, at)));
    const rest = toSafeFragment(renderMarkdown(markdown.slice(at)));
    const first = rest.firstElementChild;
    const code = first?.tagName === "PRE" ? first.querySelector("code") : null;
    const text = code?.textContent ?? "";
    const done = this.content.slice(live.bodyStart, live.bodyStart + live.highlighted);
    for (const pre of [...rest.querySelectorAll("pre")]) {
      if (pre === first && code && text.length <= MAX_HIGHLIGHT_CHARS && text.startsWith(done)) {
        // One node moved, however many highlighted spans it holds.
        code.replaceWith(live.code);
        this.decorateCode(pre, true, text.slice(live.highlighted));
      } else this.decorateCode(pre, true);
    }
    fragment.append(rest);
    return fragment;
  }

  private renderFinal(markdown: string): DocumentFragment {
    const fragment = toSafeFragment(renderMarkdown(markdown));
    for (const pre of [...fragment.querySelectorAll("pre")]) this.decorateCode(pre, true);
    return fragment;
  }

  /**
   * Wraps a code block with its language and, once the block is complete, Wrap / Copy / Insert / Apply buttons; a complete
   * block goes to the highlighter (`rest`: the code after what was highlighted while it streamed).
   */
  private decorateCode(pre: HTMLPreElement, complete: boolean, rest?: string): void {
    const code = pre.querySelector("code");
    const language = /\blanguage-([\w+#.-]+)/.exec(code?.className ?? "")?.[1] ?? "";
    if (complete && code && language) this.highlighter.highlightBlock(code, language, rest);
    const wrapper = h("div", { class: "code-block" });
    const toolbar = h("div", { class: "code-toolbar" }, h("span", { class: "code-language" }, language || "text"));
    if (complete) {
      const text = () => code?.textContent ?? pre.textContent ?? "";
      const button = (action: CodeAction, label: string, aria: string) => {
        const b = h("button", { class: `code-action ${action}`, type: "button", "aria-label": aria, title: aria }, label);
        b.addEventListener("click", () => {
          this.actions.code(action, this.entry.id, text(), language);
          if (action === "copy") {
            b.textContent = "Copied";
            setTimeout(() => (b.textContent = label), 1500);
          }
        });
        return b;
      };
      toolbar.append(
        wrapToggle(wrapper),
        button("copy", "Copy", "Copy the code"),
        button("insert", "Insert", "Insert the code at the cursor"),
        button("apply", "Apply…", "Apply the code to the file: shows a diff first"),
      );
    }
    pre.replaceWith(wrapper);
    wrapper.append(toolbar, pre);
  }
}

/**
 * A block's Wrap toggle. Blocks follow the view's default (the editor's `editor.wordWrap`, a class on the document's
 * root) until the user toggles one; then that block keeps its own choice.
 */
function wrapToggle(block: HTMLElement): HTMLButtonElement {
  const toggle = h("button", { class: "code-action code-wrap", type: "button", "aria-label": "Wrap long lines", title: "Wrap long lines", "aria-pressed": String(wrapsByDefault()) }, "Wrap");
  toggle.addEventListener("click", () => {
    const wrap = toggle.getAttribute("aria-pressed") !== "true";
    block.classList.toggle("wrap", wrap);
    block.classList.toggle("nowrap", !wrap);
    toggle.setAttribute("aria-pressed", String(wrap));
  });
  return toggle;
}

/** The class on the document's root that makes code blocks wrap unless the user chose otherwise for one. */
export const WRAP_CODE_CLASS = "wrap-code";

function wrapsByDefault(): boolean {
  return document.documentElement.classList.contains(WRAP_CODE_CLASS);
}

/** Sets the default of every code block (the editor's word wrap changed); blocks the user toggled keep their choice. */
export function setCodeWrapDefault(wrap: boolean): void {
  document.documentElement.classList.toggle(WRAP_CODE_CLASS, wrap);
  for (const toggle of document.querySelectorAll(".code-block:not(.wrap):not(.nowrap) .code-wrap")) toggle.setAttribute("aria-pressed", String(wrap));
}
