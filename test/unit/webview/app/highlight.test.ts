// Syntax highlighting for the chat view, under Node: highlight.ts and the worker's queue (highlight-service.ts) are
// DOM-free, so they are bundled here with esbuild, as the build bundles them into the view's worker.
import { strict as assert } from "node:assert";
import type { FromHighlighter, ToHighlighter } from "../../../../src/webview/app/highlight-protocol";
import { loadWebviewModules } from "../../helpers/webview-modules";

type HighlightModule = typeof import("../../../../src/webview/app/highlight");
type ServiceModule = typeof import("../../../../src/webview/app/highlight-service");

/** TypeScript with a block comment and a template string that run over many lines, so some slice ends inside them. */
function longCode(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 40 === 10) out.push("/* a comment", ...Array.from({ length: 30 }, (_, j) => ` * line ${j} of a long comment with "quotes" and \`ticks\``), " */");
    else if (i % 40 === 30) out.push("const text = `a template", ...Array.from({ length: 30 }, (_, j) => `  line ${j} \${value${j}} inside it`), "`;");
    else out.push(`export function step${i}(input: number): string { return String(input * ${i}) + "/${i}"; } // step ${i}`);
  }
  return out.join("\n") + "\n";
}

describe("chat syntax highlighting (the view's worker, under Node)", function () {
  this.timeout(30_000);
  let hl: HighlightModule;
  let service: ServiceModule;

  before(() => ({ highlight: hl, "highlight-service": service } = loadWebviewModules<{ highlight: HighlightModule; "highlight-service": ServiceModule }>(["highlight", "highlight-service"])));

  it("highlights TypeScript by its alias and knows no made-up language", () => {
    assert.match(hl.highlight("export function add(a: number): number { return a; }", "ts"), /^<span class="hljs-keyword">export<\/span>/);
    assert.equal(hl.highlight("x < y", "klingon"), "");
    assert.equal(hl.canHighlight("ts title=x", "x"), true, "the first word of the info string is the language");
    assert.equal(hl.canHighlight("ts", "x".repeat(60_001)), false, "too long to highlight at all");
  });

  it("escapes the code it highlights: markup in code comes out as text", () => {
    const html = hl.highlight('const s = "<img src=x onerror=alert(1)>";', "ts");
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img/);
  });

  for (const lines of [1, 50, 300]) {
    it(`highlights ${lines} lines in slices that add up to one pass over the whole`, () => {
      const code = longCode(lines);
      const slices = [...hl.highlightSlices(code, "ts")];
      const ends = slices.map((s) => s.end);
      assert.equal(ends.at(-1), code.length);
      assert.ok(ends.every((end, i) => end > (ends[i - 1] ?? 0) && (end === code.length || code[end - 1] === "\n")), "whole lines, in order");
      if (code.length > 5000) assert.ok(slices.length >= 3, `${slices.length} slices for ${code.length} characters`);
      assert.equal(slices.map((s) => s.html).join(""), hl.highlight(code, "ts"));
    });
  }

  it("says where a run of lines ends inside an open comment, so the view sends it again with more lines", () => {
    assert.equal(hl.highlightPart("const a = 1;\n/* open\n", "ts")?.atTop, false);
    assert.equal(hl.highlightPart("const a = 1;\n/* closed */\n", "ts")?.atTop, true);
    assert.equal(hl.highlightPart("x\n", "klingon"), undefined);
  });

  describe("the worker's queue", () => {
    /** A service whose turns run only when the test says so. */
    const harness = () => {
      const posted: FromHighlighter[] = [];
      const turns: (() => void)[] = [];
      const queue = new service.HighlightService(
        (m) => posted.push(m),
        (run) => turns.push(run),
      );
      const send = (m: ToHighlighter) => queue.receive(m);
      const runAll = () => {
        while (turns.length > 0) turns.shift()!();
      };
      return { posted, send, runAll, queue };
    };

    it("answers a block with slices in order, the last one done, that add up to the whole block highlighted", () => {
      const { posted, send, runAll } = harness();
      const code = longCode(120);
      send({ type: "block", id: 1, code, language: "ts" });
      runAll();
      const slices = posted.filter((m) => m.type === "slice");
      assert.ok(slices.length >= 3);
      assert.deepEqual(slices.map((m) => m.done), [...slices.slice(1).map(() => false), true]);
      assert.equal(slices.map((m) => m.html).join(""), hl.highlight(code, "ts"));
    });

    it("answers plain for an unknown language or empty code", () => {
      const { posted, send, runAll } = harness();
      send({ type: "block", id: 1, code: "x\n", language: "klingon" });
      send({ type: "block", id: 2, code: "", language: "ts" });
      send({ type: "lines", id: 3, code: "x\n", language: "klingon" });
      runAll();
      assert.deepEqual(posted, [{ type: "plain", id: 1 }, { type: "plain", id: 2 }, { type: "plain", id: 3 }]);
    });

    it("answers streaming lines before the blocks queued ahead of them", () => {
      const { posted, send, runAll } = harness();
      send({ type: "block", id: 1, code: longCode(300), language: "ts" });
      send({ type: "lines", id: 2, code: "const a = 1;\n", language: "ts" });
      runAll();
      assert.equal(posted[0]?.type, "lines");
      assert.equal(posted[0]?.id, 2);
    });

    it("drops the blocks the view no longer shows, and only those", () => {
      const { posted, send, runAll, queue } = harness();
      for (const id of [1, 2, 3]) send({ type: "block", id, code: longCode(200), language: "ts" });
      send({ type: "drop", ids: [1, 3] });
      runAll();
      assert.deepEqual([...new Set(posted.map((m) => m.id))], [2]);
      send({ type: "block", id: 4, code: longCode(200), language: "ts" });
      send({ type: "drop", ids: "all" });
      runAll();
      assert.equal(queue.queuedBlocks, 0);
      assert.ok(!posted.some((m) => m.id === 4));
    });
  });
});
