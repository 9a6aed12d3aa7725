// The chat view's code blocks in a DOM (jsdom), with the highlighting worker's queue (HighlightService) run in-process
// behind an in-process Worker, so a test decides when the worker answers. What a user copies, inserts or applies is a code
// element's text: whatever order streaming, highlighting and rendering happen in, it must equal the code in the answer.
import { strict as assert } from "node:assert";
import { JSDOM } from "jsdom";
import type { ViewEntry } from "../../../../src/webview/protocol";
import { InProcessHighlightWorker } from "../../helpers/highlight-worker";
import { loadWebviewModules } from "../../helpers/webview-modules";

type EntryViewModule = typeof import("../../../../src/webview/app/entry-view");
type HighlighterModule = typeof import("../../../../src/webview/app/highlighter");
type ServiceModule = typeof import("../../../../src/webview/app/highlight-service");

const GLOBALS = ["window", "document", "Node", "Text", "Element", "HTMLElement", "DocumentFragment", "DOMParser", "NodeFilter"] as const;

describe("chat code blocks in the DOM (jsdom, worker in-process)", function () {
  this.timeout(30_000);
  let mods: { "entry-view": EntryViewModule; highlighter: HighlighterModule; "highlight-service": ServiceModule };
  let dom: JSDOM;
  const saved = new Map<string, unknown>();

  before(() => {
    dom = new JSDOM("<!DOCTYPE html><body></body>");
    const g = globalThis as Record<string, unknown>;
    for (const name of GLOBALS) {
      saved.set(name, g[name]);
      g[name] = name === "window" ? dom.window : (dom.window as unknown as Record<string, unknown>)[name];
    }
    // DOMPurify binds to the window when its module loads: load the modules after the globals are set.
    mods = loadWebviewModules(["entry-view", "highlighter", "highlight-service"]);
  });
  after(() => {
    const g = globalThis as Record<string, unknown>;
    for (const name of GLOBALS) g[name] = saved.get(name);
    dom.window.close();
  });

  /** An answer view in the document, its highlighter and the fake worker behind it. */
  const setup = (options: { failWorker?: boolean } = {}) => {
    const worker = new InProcessHighlightWorker(mods["highlight-service"].HighlightService);
    const problems: string[] = [];
    const highlighter = new mods.highlighter.Highlighter(
      (text) => problems.push(text),
      () => {
        if (options.failWorker) throw new Error("blocked by the page's Content-Security-Policy");
        return worker as never;
      },
    );
    const entry: ViewEntry = { id: "e-a1", role: "assistant", content: "", status: "streaming" };
    const view = new mods["entry-view"].EntryView(entry, { code: () => undefined, edit: () => undefined, regenerate: () => undefined }, highlighter);
    document.body.replaceChildren(view.el);
    /** The worker answers and the next frame applies what it said (and the promise callbacks after it run). */
    const settle = async () => {
      worker.drain();
      highlighter.applyReady(Infinity);
      await new Promise((resolve) => setImmediate(resolve));
    };
    const stream = (text: string) => {
      view.append(text);
      view.flush();
    };
    const finish = (content: string) => view.update({ ...entry, content, status: "done" });
    const blocks = () =>
      [...view.el.querySelectorAll(".code-block")].map((b) => ({
        language: b.querySelector(".code-language")?.textContent,
        text: b.querySelector("code")?.textContent,
        highlighted: (b.querySelector("code")?.querySelectorAll("span[class^=hljs-]").length ?? 0) > 0,
      }));
    return { view, worker, highlighter, problems, settle, stream, finish, blocks };
  };

  const tsCode = (lines: number, from = 0) => Array.from({ length: lines }, (_, i) => `export const v${from + i}: number = ${i} * 2; // line ${i}`).join("\n") + "\n";

  it("shows exactly the answer's code after every flush while it streams in pieces of any size, and highlights it", async () => {
    const code = tsCode(60) + "/* a comment\n that spans lines */\n" + tsCode(20, 60);
    const answer = `Here is the file:\n\n\`\`\`ts\n${code}\`\`\`\n\nThat is all.\n`;
    const { stream, settle, finish, blocks, view } = setup();
    let sent = 0;
    for (let step = 1; sent < answer.length; step = (step * 7 + 3) % 97 + 1) {
      stream(answer.slice(sent, sent + step));
      sent += step;
      if (step % 3 === 0) await settle();
      const shown = view.el.querySelector("pre code")?.textContent;
      if (shown !== undefined) assert.ok(code.startsWith(shown), `after ${sent} characters the block shows ${JSON.stringify(shown.slice(-40))}`);
    }
    finish(answer);
    await settle();
    assert.deepEqual(blocks(), [{ language: "ts", text: code, highlighted: true }]);
  });

  it("keeps the code exact when the fence closes while the worker is still highlighting its last lines", async () => {
    const code = tsCode(10);
    const { stream, settle, finish, blocks } = setup();
    stream("```ts\n" + code.slice(0, 200));
    await settle();
    stream(code.slice(200));
    stream("```\n\nDone.\n");
    finish("```ts\n" + code + "```\n\nDone.\n");
    await settle();
    assert.deepEqual(blocks(), [{ language: "ts", text: code, highlighted: true }]);
  });

  it("moves the streamed block's highlighting into that block, not into a later block that starts with the same lines", async () => {
    const shared = "import { readFile } from \"node:fs\";\n";
    const first = shared + "const a = 1;\n";
    const second = shared + "print('python here')\n";
    const { stream, settle, finish, blocks } = setup();
    stream("```ts\n" + first);
    await settle();
    const rest = "```\n\nAnd in Python:\n\n```python\n" + second + "```\n";
    stream(rest);
    finish("```ts\n" + first + rest);
    await settle();
    assert.deepEqual(
      blocks().map((b) => [b.language, b.text]),
      [
        ["ts", first],
        ["python", second],
      ],
    );
  });

  it("keeps a form feed that starts a highlighted run of lines in the code's text", async () => {
    const { stream, settle, finish, blocks } = setup();
    stream("```c\nint a;\n");
    await settle();
    stream("\fint b;\n");
    await settle();
    stream("```\n");
    finish("```c\nint a;\n\fint b;\n```\n");
    await settle();
    assert.equal(blocks()[0]?.text, "int a;\n\fint b;\n");
  });

  it("leaves code plain and says why once when the worker cannot start", async () => {
    const { stream, settle, finish, blocks, problems } = setup({ failWorker: true });
    stream("```ts\n" + tsCode(3));
    finish("```ts\n" + tsCode(3) + "```\n\n```ts\nconst b = 2;\n```\n");
    await settle();
    assert.deepEqual(blocks(), [
      { language: "ts", text: tsCode(3), highlighted: false },
      { language: "ts", text: "const b = 2;\n", highlighted: false },
    ]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /without syntax highlighting.*Content-Security-Policy/);
  });

  it("drops the highlighting of blocks that left the view, and applies nothing to them", async () => {
    const { finish, settle, highlighter, blocks } = setup();
    finish("```ts\n" + tsCode(5) + "```\n");
    assert.equal(highlighter.pending, 1);
    highlighter.dropAll();
    await settle();
    assert.equal(highlighter.pending, 0);
    assert.deepEqual(blocks(), [{ language: "ts", text: tsCode(5), highlighted: false }]);
  });
});
