// Hostile model answers through the chat view's real rendering path, under jsdom with scripts enabled: the view's
// EntryView (markdown-it, DOMPurify, the highlighting worker's service run in-process) renders each case twice, as a
// finished answer and streamed in chunks. Then every element of the answer gets the events that fire handlers, and:
// - ran-code: a trap fired (alert/confirm/prompt/open/print, window.__hearthPwned, a script error in the page, a key
//   on a built-in prototype);
// - unsafe: an element, attribute or link outside what the view produces (a handler that did not fire, a script, a
//   javascript:/data: link, a style or a src that loads remote content);
// - crashed: rendering threw; otherwise accepted (rendered inert). Model output is never refused.
import { JSDOM, VirtualConsole } from "jsdom";
import MarkdownIt from "markdown-it";
import type { ViewEntry } from "../../src/webview/protocol";
import { HOSTILE_MARKDOWN_CASES, markdownText } from "../../test/fixtures/chat/hostile-markdown";
import { InProcessHighlightWorker } from "../../test/unit/helpers/highlight-worker";
import { loadWebviewModules } from "../../test/unit/helpers/webview-modules";
import type { CaseVerdict } from "./case-pool";
import { pollutionSince, snapshotPrototypes } from "./canary";
import { describeError, hasControlCharacter } from "./outcomes";

type EntryViewModule = typeof import("../../src/webview/app/entry-view");
type HighlighterModule = typeof import("../../src/webview/app/highlighter");
type ServiceModule = typeof import("../../src/webview/app/highlight-service");

export const MARKDOWN_CORPUS = HOSTILE_MARKDOWN_CASES.map((c, index) => ({ index, name: c.name, large: c.large === true }));

const GLOBALS = ["window", "document", "Node", "Text", "Element", "HTMLElement", "DocumentFragment", "DOMParser", "NodeFilter"] as const;

/** Tags the view itself makes around an answer, plus sanitize.ts's allow-list. */
const VIEW_TAGS = new Set([
  "article", "div", "span", "button", "pre", "code",
  "a", "blockquote", "br", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "s", "strong", "sub",
  "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
]);
const VIEW_ATTRIBUTES = new Set(["href", "title", "class", "start", "type", "aria-label", "aria-busy", "data-entry-id", "role", "hidden", "aria-pressed"]);
const SAFE_HREF = /^(https?:|mailto:|#)/i;
const PROVOKED = 400;
/** The view's budget per animation frame for highlighted code (chat-app.ts). */
const HIGHLIGHT_FRAME_MS = 6;
const EVENTS = [
  "click", "dblclick", "auxclick", "mouseover", "mouseenter", "mousedown", "pointerover", "pointerdown", "focus", "focusin",
  "blur", "load", "error", "abort", "animationstart", "animationend", "transitionend", "toggle", "input", "change",
  "submit", "keydown", "keyup", "scroll", "wheel", "copy", "paste", "beforeprint", "begin", "end", "repeat", "invalid", "select",
];

/**
 * "view": the chat view's real path. "unsanitised": the control, markdown-it with raw HTML and every link allowed put
 * in with innerHTML; the same traps must catch most of the corpus there, or they would not catch anything.
 */
export interface MarkdownCasesInit {
  renderer: "view" | "unsanitised";
}

export async function openCases(init: unknown): Promise<(index: number) => Promise<CaseVerdict>> {
  const options = (init ?? { renderer: "view" }) as MarkdownCasesInit;
  const unsanitised = new MarkdownIt({ html: true, linkify: true });
  unsanitised.validateLink = () => true;
  const trips: string[] = [];
  const consoleSink = new VirtualConsole();
  consoleSink.on("jsdomError", (error: Error & { type?: string }) => {
    // A script that ran and threw (a handler calling something that is not there) is still a script that ran.
    if (error.type === "unhandled exception" || /^Uncaught/.test(error.message)) trips.push(`a script ran and threw: ${error.message}`);
  });
  const dom = new JSDOM("<!DOCTYPE html><body></body>", { runScripts: "dangerously", pretendToBeVisual: true, virtualConsole: consoleSink });
  const win = dom.window as unknown as Record<string, unknown>;
  for (const name of ["alert", "confirm", "prompt", "open", "print", "fetch"]) {
    win[name] = () => {
      trips.push(`window.${name}() was called`);
      return null;
    };
  }
  Object.defineProperty(win, "__hearthPwned", { configurable: false, set: (value: unknown) => trips.push(`window.__hearthPwned = ${String(value)}`), get: () => undefined });
  const g = globalThis as Record<string, unknown>;
  for (const name of GLOBALS) g[name] = name === "window" ? dom.window : win[name];
  // DOMPurify binds to the window when its module loads: load the view's modules after the globals are set.
  const mods = loadWebviewModules<{ "entry-view": EntryViewModule; highlighter: HighlighterModule; "highlight-service": ServiceModule }>([
    "entry-view",
    "highlighter",
    "highlight-service",
  ]);
  const pageObject = (dom.window as unknown as { Object: ObjectConstructor }).Object;
  const pagePrototypes: [string, object][] = [["page Object", pageObject.prototype]];
  const problems: string[] = [];
  const actions = { code: () => undefined, edit: () => undefined, regenerate: () => undefined };

  return async (index) => {
    const spec = HOSTILE_MARKDOWN_CASES[index];
    if (!spec) throw new Error(`no markdown case ${index}`);
    const text = markdownText(spec);
    trips.length = 0;
    problems.length = 0;
    const host = snapshotPrototypes();
    const page = snapshotPrototypes(pagePrototypes);
    const worker = new InProcessHighlightWorker(mods["highlight-service"].HighlightService);
    const highlighter = new mods.highlighter.Highlighter(
      (problem) => problems.push(problem),
      () => worker as never,
    );
    highlighter.onResults(() => undefined);
    let stallMs = 0;
    const timed = <T>(step: () => T): T => {
      const started = performance.now();
      const value = step();
      stallMs = Math.max(stallMs, performance.now() - started);
      return value;
    };
    // The worker's work happens on its own thread (not timed); its answers go into the DOM a frame's budget at a time.
    const settle = () => {
      for (let frame = 0; frame < 100_000; frame++) {
        const working = worker.drain();
        const more = timed(() => highlighter.applyReady(HIGHLIGHT_FRAME_MS));
        if (!working && !more) return;
      }
    };
    const unsafe: string[] = [];
    if (options.renderer === "unsanitised") {
      const root = document.createElement("div");
      root.innerHTML = `<div class="markdown">${unsanitised.render(text)}</div>`;
      document.body.replaceChildren(root);
      await provoke(dom, root);
      unsafe.push(...inspect(root));
      document.body.replaceChildren();
      return verdict();
    }
    try {
      // A finished answer, rendered whole.
      const done: ViewEntry = { id: `e-done-${index}`, role: "assistant", content: text, status: "done" };
      const view = timed(() => new mods["entry-view"].EntryView(done, actions, highlighter));
      document.body.replaceChildren(view.el);
      settle();
      await provoke(dom, view.el);
      unsafe.push(...inspect(view.el));
      // jsdom's nodes are heavy: the finished view goes before the streamed one is built.
      document.body.replaceChildren();

      // The same answer streamed: chunks appended and flushed as the view does per animation frame.
      const streaming: ViewEntry = { id: `e-stream-${index}`, role: "assistant", content: "", status: "streaming" };
      const live = timed(() => new mods["entry-view"].EntryView(streaming, actions, highlighter));
      document.body.replaceChildren(live.el);
      const chunk = Math.max(7, Math.ceil(text.length / 40));
      for (let at = 0; at < text.length; at += chunk) {
        live.append(text.slice(at, at + chunk));
        timed(() => live.flush());
        settle();
      }
      timed(() => live.update({ ...streaming, content: text, status: "done" }));
      settle();
      await provoke(dom, live.el);
      unsafe.push(...inspect(live.el).map((p) => `streamed: ${p}`));
      document.body.replaceChildren();
    } catch (error) {
      return { outcome: "crashed", detail: `rendering threw: ${describeError(error)}`, stallMs };
    }
    return verdict();

    function verdict(): CaseVerdict {
      const polluted = [...pollutionSince(host), ...pollutionSince(page, pagePrototypes)];
      if (trips.length || polluted.length) return { outcome: "ran-code", detail: [...trips, ...polluted.map((k) => `${k} appeared`)].join("; "), stallMs };
      if (unsafe.length) return { outcome: "unsafe", detail: [...new Set(unsafe)].slice(0, 5).join("; "), stallMs };
      return { outcome: "accepted", detail: problems.length ? `rendered inert (the view reported: ${problems[0]})` : "rendered inert", stallMs };
    }
  };
}

/**
 * Fires every event that has run an inline handler at the answer's elements (the first PROVOKED of them: a huge answer
 * repeats itself, and inspect() still reads every element), then lets queued tasks run.
 */
async function provoke(dom: JSDOM, root: HTMLElement): Promise<void> {
  const Event = (dom.window as unknown as { Event: typeof globalThis.Event }).Event;
  const elements = [...root.querySelectorAll(".markdown, .markdown *")].slice(0, PROVOKED);
  for (const element of elements) {
    for (const type of EVENTS) element.dispatchEvent(new Event(type, { bubbles: true, cancelable: true }));
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** What in the answer's DOM could run code or load something: anything the view and its sanitiser never produce. */
function inspect(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const element of root.querySelectorAll("*")) {
    const tag = element.localName;
    if (!VIEW_TAGS.has(tag) || element.namespaceURI !== "http://www.w3.org/1999/xhtml") found.push(`a <${tag}> element`);
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) found.push(`a ${name} handler on <${tag}>`);
      else if (!VIEW_ATTRIBUTES.has(name)) found.push(`a ${name} attribute on <${tag}>`);
      else if (name === "href" && (!SAFE_HREF.test(attribute.value) || hasControlCharacter(attribute.value))) found.push(`a link to ${attribute.value.slice(0, 60)}`);
    }
  }
  return found;
}
