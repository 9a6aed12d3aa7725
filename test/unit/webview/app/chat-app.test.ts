// The chat view's question box and code blocks in a DOM (jsdom): the `/` menu (typing, arrow keys, Enter/Tab, Escape,
// what is posted to the extension) and the code blocks' word wrap. Only what the webview posts leaves it, so the tests
// read the posted messages as the extension would.
import { strict as assert } from "node:assert";
import { JSDOM } from "jsdom";
import type { HostToWebview, ViewSlashCommand, WebviewToHost } from "../../../../src/webview/protocol";
import { InProcessHighlightWorker } from "../../helpers/highlight-worker";
import { loadWebviewModules } from "../../helpers/webview-modules";

type ChatAppModule = typeof import("../../../../src/webview/app/chat-app");
type HighlighterModule = typeof import("../../../../src/webview/app/highlighter");
type ServiceModule = typeof import("../../../../src/webview/app/highlight-service");

const GLOBALS = ["window", "document", "Node", "Text", "Element", "HTMLElement", "DocumentFragment", "DOMParser", "NodeFilter", "requestAnimationFrame", "cancelAnimationFrame", "KeyboardEvent", "InputEvent", "Event", "MouseEvent"] as const;

const COMMANDS: ViewSlashCommand[] = [
  { name: "explain", description: "Explain the selection", argument: "" },
  { name: "fix", description: "Fix the problems", argument: "" },
  { name: "doc", description: "Document the code", argument: "" },
  { name: "tests", description: "Write tests", argument: "" },
  { name: "edit", description: "Change the code", argument: "what to change" },
  { name: "commit", description: "Write a commit message", argument: "" },
  { name: "review", description: "Review this code", argument: "more to ask (optional)" },
];

describe("chat view question box and code blocks (jsdom)", function () {
  this.timeout(30_000);
  let mods: { "chat-app": ChatAppModule; highlighter: HighlighterModule; "highlight-service": ServiceModule };
  let dom: JSDOM;
  const saved = new Map<string, unknown>();

  before(() => {
    dom = new JSDOM("<!DOCTYPE html><body></body>", { pretendToBeVisual: true });
    const g = globalThis as Record<string, unknown>;
    for (const name of GLOBALS) {
      saved.set(name, g[name]);
      const value = (dom.window as unknown as Record<string, unknown>)[name];
      g[name] = name === "window" ? dom.window : typeof value === "function" && /^[a-z]/.test(name) ? (value as (...a: unknown[]) => unknown).bind(dom.window) : value;
    }
    mods = loadWebviewModules(["chat-app", "highlighter", "highlight-service"]);
  });
  after(() => {
    const g = globalThis as Record<string, unknown>;
    for (const name of GLOBALS) g[name] = saved.get(name);
    dom.window.close();
  });

  const setup = () => {
    const worker = new InProcessHighlightWorker(mods["highlight-service"].HighlightService);
    const highlighter = new mods.highlighter.Highlighter(() => undefined, () => worker as never);
    const root = document.createElement("div");
    document.documentElement.className = "";
    document.body.replaceChildren(root);
    const posted: WebviewToHost[] = [];
    const app = new mods["chat-app"].ChatApp(root, { post: (m) => posted.push(m), saveDraft: () => undefined, loadDraft: () => "" }, highlighter);
    const send = (message: HostToWebview) => app.handle(message);
    send({ type: "slashCommands", commands: COMMANDS });
    const input = root.querySelector<HTMLTextAreaElement>("textarea.input")!;
    const menu = root.querySelector<HTMLElement>("[role=listbox]")!;
    /** Types text at the cursor as a keyboard would: an input event per character. */
    const type = (text: string) => {
      for (const ch of text) {
        const at = input.selectionStart;
        input.value = input.value.slice(0, at) + ch + input.value.slice(input.selectionEnd);
        input.setSelectionRange(at + 1, at + 1);
        input.dispatchEvent(new dom.window.InputEvent("input", { inputType: "insertText", data: ch, bubbles: true }));
      }
    };
    const press = (key: string, options: KeyboardEventInit = {}) => {
      const event = new dom.window.KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...options });
      input.dispatchEvent(event);
      return event.defaultPrevented;
    };
    const options = () => [...menu.querySelectorAll<HTMLElement>("[role=option]")];
    const names = () => options().map((o) => o.querySelector(".slash-name")?.textContent);
    const active = () => menu.querySelector<HTMLElement>("[aria-selected=true]");
    return { app, root, input, menu, posted, send, type, press, options, names, active };
  };

  describe("the / menu", () => {
    it("opens with every command when / is typed at the start of the box, as the box's listbox", () => {
      const { input, menu, type, names, active } = setup();
      assert.equal(menu.hidden, true);
      type("/");
      assert.equal(menu.hidden, false);
      assert.deepEqual(names(), COMMANDS.map((c) => `/${c.name}`));
      assert.equal(input.getAttribute("role"), "combobox");
      assert.equal(input.getAttribute("aria-controls"), menu.id);
      assert.equal(input.getAttribute("aria-expanded"), "true");
      assert.equal(input.getAttribute("aria-activedescendant"), active()?.id);
      assert.equal(active()?.textContent?.startsWith("/explain"), true, "the first command is active");
    });

    it("lists only the commands whose names start with what follows the /, in any case", () => {
      const { type, names } = setup();
      type("/E");
      assert.deepEqual(names(), ["/explain", "/edit"]);
      type("d");
      assert.deepEqual(names(), ["/edit"]);
    });

    it("closes when nothing matches, and does not open for a / inside a question", () => {
      const { menu, type, input } = setup();
      type("/zz");
      assert.equal(menu.hidden, true);
      input.value = "";
      type("what does a/b do");
      assert.equal(menu.hidden, true);
    });

    it("moves the active command with the arrow keys, wrapping around, and Enter puts it in the box", () => {
      const { input, menu, press, type, active, posted } = setup();
      type("/");
      assert.equal(press("ArrowDown"), true);
      assert.equal(press("ArrowDown"), true);
      assert.match(active()!.textContent!, /^\/doc/);
      assert.equal(input.getAttribute("aria-activedescendant"), active()!.id);
      press("ArrowUp");
      press("ArrowUp");
      press("ArrowUp");
      assert.match(active()!.textContent!, /^\/review/, "up from the first is the last");
      press("ArrowDown");
      press("ArrowDown");
      press("ArrowDown");
      assert.equal(press("Enter"), true, "Enter is the menu's, not a send");
      assert.equal(input.value, "/doc ");
      assert.equal(input.selectionStart, 5);
      assert.equal(menu.hidden, true);
      assert.equal(input.getAttribute("aria-expanded"), "false");
      assert.deepEqual(posted, [], "picking sends nothing");
    });

    it("picks with Tab too", () => {
      const { input, type, press } = setup();
      type("/te");
      assert.equal(press("Tab"), true);
      assert.equal(input.value, "/tests ");
    });

    it("closes with Escape and leaves what was typed", () => {
      const { input, menu, type, press, posted } = setup();
      type("/fi");
      assert.equal(press("Escape"), true);
      assert.equal(menu.hidden, true);
      assert.equal(input.value, "/fi");
      assert.deepEqual(posted, []);
    });

    it("picks a command clicked with the mouse", () => {
      const { input, type, options } = setup();
      type("/");
      options()[4]!.dispatchEvent(new dom.window.MouseEvent("click", { bubbles: true }));
      assert.equal(input.value, "/edit ");
    });

    it("runs a picked command with Enter: the extension gets its name and the text after it, not a question", () => {
      const { type, press, posted, input } = setup();
      type("/d");
      press("Enter");
      press("Enter");
      assert.deepEqual(posted, [{ type: "slash", name: "doc", text: "" }]);
      assert.equal(input.value, "", "the box is empty again");
    });

    it("sends the text after /edit as its instruction, and after a prompt file's name as more to ask", () => {
      const { type, press, posted, input } = setup();
      type("/edit rename x to count");
      press("Enter");
      input.value = "";
      type("/Review   look at the error handling ");
      press("Escape");
      press("Enter");
      assert.deepEqual(posted, [
        { type: "slash", name: "edit", text: "rename x to count" },
        { type: "slash", name: "review", text: "look at the error handling" },
      ]);
    });

    it("keeps text typed after a command that takes none in the box, and says why", () => {
      const { type, press, posted, input, root } = setup();
      type("/fix the loop");
      press("Enter");
      assert.deepEqual(posted, []);
      assert.equal(input.value, "/fix the loop");
      assert.match(root.querySelector(".banner.notice")!.textContent!, /\/fix takes no text after its name/);
    });

    it("sends a question that starts with / but names no command as a question", () => {
      const { type, press, posted } = setup();
      type("/usr/bin is where?");
      press("Enter");
      assert.deepEqual(posted, [{ type: "send", text: "/usr/bin is where?" }]);
    });

    it("leaves Escape to stop a streaming answer while the menu is closed, and only closes the menu while it is open", () => {
      const { type, press, posted, send } = setup();
      send({ type: "conversation", conversation: { id: "c1", title: "t", streamingId: "e-a", entries: [{ id: "e-u", role: "user", content: "q", status: "done" }, { id: "e-a", role: "assistant", content: "", status: "streaming" }] } });
      type("/");
      press("Escape");
      assert.deepEqual(posted, [], "the first Escape closes the menu");
      press("Escape");
      assert.deepEqual(posted, [{ type: "stop" }]);
    });

    it("lists the commands the extension sends last (prompt files come and go)", () => {
      const { type, names, send } = setup();
      send({ type: "slashCommands", commands: [COMMANDS[0]!, { name: "security-review", description: "", argument: "" }] });
      type("/");
      assert.deepEqual(names(), ["/explain", "/security-review"]);
    });
  });

  describe("code blocks", () => {
    const answer = (content: string): HostToWebview => ({
      type: "conversation",
      conversation: { id: "c1", title: "t", streamingId: null, entries: [{ id: "e-u", role: "user", content: "q", status: "done" }, { id: "e-a", role: "assistant", content, status: "done" }] },
    });
    const longCode = "```ts\nexport function add(a: number, b: number): number { return a + b; } // a line wider than the sidebar\n```\n";

    it("wraps long lines where the editor wraps words, and scrolls them where it does not", () => {
      const { root, send } = setup();
      send(answer(longCode));
      const toggle = () => root.querySelector(".code-block .code-wrap")!;
      assert.equal(document.documentElement.classList.contains("wrap-code"), false);
      assert.equal(toggle().getAttribute("aria-pressed"), "false");
      send({ type: "display", display: { wrapCode: true } });
      assert.equal(document.documentElement.classList.contains("wrap-code"), true);
      assert.equal(toggle().getAttribute("aria-pressed"), "true");
      // A block rendered after the setting arrived starts with it too.
      send(answer(longCode + "\n" + longCode));
      assert.deepEqual([...root.querySelectorAll(".code-wrap")].map((t) => t.getAttribute("aria-pressed")), ["true", "true"]);
    });

    it("lets each block's Wrap toggle override the editor's setting for that block only, and keep it when the setting changes", () => {
      const { root, send } = setup();
      send({ type: "display", display: { wrapCode: true } });
      send(answer(longCode + "\n" + longCode));
      const [first, second] = [...root.querySelectorAll<HTMLElement>(".code-block")];
      first!.querySelector<HTMLButtonElement>(".code-wrap")!.click();
      assert.ok(first!.classList.contains("nowrap"));
      assert.equal(first!.querySelector(".code-wrap")!.getAttribute("aria-pressed"), "false");
      assert.equal(second!.querySelector(".code-wrap")!.getAttribute("aria-pressed"), "true");
      send({ type: "display", display: { wrapCode: false } });
      assert.equal(first!.querySelector(".code-wrap")!.getAttribute("aria-pressed"), "false");
      assert.equal(second!.querySelector(".code-wrap")!.getAttribute("aria-pressed"), "false");
      first!.querySelector<HTMLButtonElement>(".code-wrap")!.click();
      send({ type: "display", display: { wrapCode: false } });
      assert.ok(first!.classList.contains("wrap"));
      assert.equal(first!.querySelector(".code-wrap")!.getAttribute("aria-pressed"), "true", "the block keeps the user's choice");
    });
  });

  describe("the budget line", () => {
    const budget = { used: 900, limit: 3000, estimated: false, droppedMessages: 0, trimmed: [] as string[] };

    it("says how many tokens of project rules go with the question, and names their files on hover", () => {
      const { root, send } = setup();
      send({ type: "context", context: { chips: [], budget: { ...budget, rules: { tokens: 120, files: ["AGENTS.md", ".hearth/rules.md"] } } } });
      const line = root.querySelector<HTMLElement>(".budget")!;
      assert.equal(line.textContent, "900 / 3,000 tokens of context · rules 120 tok");
      assert.equal(line.title, "Project rules sent with every question: AGENTS.md, .hearth/rules.md");
    });

    it("says nothing of rules when the project has none", () => {
      const { root, send } = setup();
      send({ type: "context", context: { chips: [], budget } });
      const line = root.querySelector<HTMLElement>(".budget")!;
      assert.equal(line.textContent, "900 / 3,000 tokens of context");
      assert.equal(line.title, "");
    });
  });

  describe("codebase chips", () => {
    const budget = { used: 900, limit: 3000, estimated: false, droppedMessages: 0, trimmed: [] as string[] };
    const chips = [
      { id: "file", kind: "file" as const, label: "orders.ts", detail: "src/orders.ts", tokens: 300, sentTokens: 300 },
      { id: "codebase-1", kind: "codebase" as const, label: "retry.ts:10-24", detail: "src/uploads/retry.ts:10-24", tokens: 120, sentTokens: 120, opens: true },
    ];
    const opened = (posted: WebviewToHost[]) => posted.filter((m) => m.type === "openChip");

    it("opens a codebase chip's place when its label is clicked, naming only the chip", () => {
      const { root, send, posted } = setup();
      send({ type: "context", context: { chips, budget } });
      const label = root.querySelector<HTMLButtonElement>('[data-chip-id="codebase-1"] button.chip-open')!;
      assert.equal(label.textContent, "retry.ts:10-24");
      assert.equal(label.getAttribute("aria-label"), "Open src/uploads/retry.ts:10-24 in the editor");
      label.click();
      assert.deepEqual(opened(posted), [{ type: "openChip", chipId: "codebase-1" }]);
    });

    it("opens a focused codebase chip with Enter, once", () => {
      const { root, send, posted } = setup();
      send({ type: "context", context: { chips, budget } });
      const label = root.querySelector<HTMLButtonElement>('[data-chip-id="codebase-1"] button.chip-open')!;
      label.focus();
      assert.equal(document.activeElement, label, "the chip's label takes the keyboard's focus");
      const enter = new dom.window.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
      label.dispatchEvent(enter);
      assert.equal(enter.defaultPrevented, true, "the browser's own click on Enter is prevented, so it opens once");
      assert.deepEqual(opened(posted), [{ type: "openChip", chipId: "codebase-1" }]);
    });

    it("puts @codebase chosen in the @ picker into the question where the @ was typed, as a word of its own", async () => {
      const { input, send, type, posted } = setup();
      type("where do we retry@");
      assert.equal(input.value, "where do we retry@", "an @ inside a word is text");
      input.value = "where do we retry uploads";
      input.setSelectionRange(12, 12);
      type("@");
      assert.deepEqual(posted.filter((m) => m.type === "attachFile"), [{ type: "attachFile" }], "an @ at a word's start opens the picker");
      assert.equal(input.value, "where do we retry uploads", "the @ itself is taken out");
      send({ type: "mention", mention: "codebase" });
      assert.equal(input.value, "where do we @codebase retry uploads");
      assert.equal(input.selectionStart, "where do we @codebase ".length, "the cursor goes after it");
      input.value = "uploads";
      input.setSelectionRange(7, 7);
      send({ type: "mention", mention: "codebase" });
      assert.equal(input.value, "uploads @codebase ");
      assert.equal(document.activeElement, input, "the box has the focus back, to go on writing");
      // The focus starts the composing notice's timer: let it post while this DOM exists.
      while (!posted.some((m) => m.type === "composing")) await new Promise((resolve) => setTimeout(resolve, 20));
    });

    it("leaves chips that stand for no place as plain labels", () => {
      const { root, send, posted } = setup();
      send({ type: "context", context: { chips, budget } });
      const file = root.querySelector<HTMLElement>('[data-chip-id="file"]')!;
      assert.equal(file.querySelector(".chip-open"), null);
      file.querySelector<HTMLElement>(".chip-label")!.click();
      assert.deepEqual(opened(posted), []);
    });
  });
});
