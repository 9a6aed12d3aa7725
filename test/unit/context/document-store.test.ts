import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import { DocumentStore } from "../../../src/context/document-store";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";
import { hasLineLongerThan, nestsDeeperThan } from "../../../src/context/text-shape";
import { cpuMs } from "../helpers/cpu-time";
import { fixturesDir, grammarsDir } from "./fixtures";

describe("DocumentStore", function () {
  this.timeout(20_000);
  const logger = new MemoryLogger("warn");
  let runtime: SyntaxRuntime;
  let store: DocumentStore;

  beforeEach(() => {
    runtime = new SyntaxRuntime(grammarsDir, logger);
    store = new DocumentStore(runtime, logger);
  });
  afterEach(() => {
    store.dispose();
    runtime.dispose();
  });

  it("keeps the tree equal to a full parse across incremental edits", async () => {
    const text = readFileSync(join(fixturesDir, "ts-app/src/service.ts.fixture"), "utf8");
    store.open("a", "typescript", text, 1);
    assert.equal(await store.whenParsed("a"), true);
    let current = text;
    const edits = [
      { startOffset: current.indexOf("    \n  }") + 4, endOffset: current.indexOf("    \n  }") + 4, text: "user.name = name;" },
      { startOffset: 0, endOffset: 0, text: "// header\n" },
      { startOffset: current.indexOf("unknown"), endOffset: current.indexOf("unknown") + 7, text: "missing" },
    ];
    let version = 1;
    for (const e of edits) {
      const at = e.startOffset + (current.length - text.length);
      const edit = { startOffset: at, endOffset: at + (e.endOffset - e.startOffset), text: e.text };
      current = current.slice(0, edit.startOffset) + edit.text + current.slice(edit.endOffset);
      store.applyEdits("a", [edit], ++version);
    }
    assert.equal(store.getText("a"), current);
    assert.equal(await store.whenParsed("a"), true);
    const incremental = store.getTree("a");
    const grammar = await runtime.load("typescript");
    const full = grammar?.parser.parse(current);
    assert.ok(incremental && full);
    assert.equal(incremental.rootNode.toString(), full.rootNode.toString());
    full.delete();
  });

  it("spends one parse slice per text on callers, however often they ask, and finishes the parse in the background", async () => {
    const text = readFileSync(join(fixturesDir, "ts-app/src/service.ts.fixture"), "utf8");
    let parses = 0;
    const createParser = runtime.createParser.bind(runtime);
    runtime.createParser = (grammar) => {
      const parser = createParser(grammar);
      const parse = parser.parse.bind(parser);
      parser.parse = (...args: Parameters<typeof parse>) => {
        parses++;
        return parse(...args);
      };
      return parser;
    };
    const slow = new DocumentStore(runtime, logger, { parseSliceMs: 0, typingPauseMs: 20 });
    slow.open("a", "typescript", text, 1);
    assert.equal(await slow.whenParsed("a"), true);
    slow.applyEdits("a", [{ startOffset: 0, endOffset: 0, text: "// header\n" }], 2);
    parses = 0;
    for (let i = 0; i < 3; i++) slow.getTree("a");
    assert.equal(parses, 1);
    // Waits for the background parse itself; the cut-off only turns a parse that never comes into a clear failure.
    const until = Date.now() + 15_000;
    while (!slow.isFresh("a") && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.equal(slow.isFresh("a"), true);
    slow.dispose();
  });

  it("parses a file with syntax errors everywhere without throwing", async () => {
    const text = readFileSync(join(fixturesDir, "ts-app/src/broken.ts.fixture"), "utf8");
    store.open("broken", "typescript", text, 1);
    assert.equal(await store.whenParsed("broken"), true);
    assert.equal(store.getTree("broken")?.rootNode.hasError, true);
  });

  it("does not parse a 10 MB minified line, and never blocks on it", () => {
    const text = "var a=1;".repeat(1_310_720);
    // CPU time, not the wall clock (a loaded machine): a look at the line takes milliseconds, a parse of it seconds.
    const ms = cpuMs(() => {
      store.open("min", "javascript", text, 1);
      store.applyEdits("min", [{ startOffset: 5, endOffset: 5, text: "2" }], 2);
    });
    assert.equal(store.getTree("min"), null);
    assert.ok(ms < 200, `${ms.toFixed(1)} ms of CPU`);
  });

  it("does not parse a file with one line longer than the limit, nor one made long by an edit", async () => {
    const normal = "let a = 1;\n".repeat(2000);
    store.open("long", "javascript", normal + "x".repeat(20_000) + "\n", 1);
    assert.equal(store.isParseable("long"), false);
    store.open("grows", "javascript", normal, 1);
    assert.equal(await store.whenParsed("grows"), true);
    store.applyEdits("grows", [{ startOffset: 5, endOffset: 5, text: "y".repeat(20_000) }], 2);
    assert.equal(store.isParseable("grows"), false);
    assert.equal(store.getTree("grows"), null);
  });

  it("parses a large file of ordinary lines (the minified check reads its lines, not its length)", async () => {
    store.open("big", "javascript", "let a = 1;\n".repeat(30_000), 1);
    assert.equal(store.isParseable("big"), true);
  });

  it("does not parse brackets nested deeper than the limit, opened so or pasted in", async () => {
    store.open("deep", "javascript", "x = " + "[\n".repeat(5000) + "1" + "\n]".repeat(5000), 1);
    assert.equal(store.isParseable("deep"), false);
    store.open("pasted", "javascript", "let a = 1;\n", 1);
    assert.equal(await store.whenParsed("pasted"), true);
    store.applyEdits("pasted", [{ startOffset: 0, endOffset: 0, text: "(".repeat(300) }], 2);
    assert.equal(store.isParseable("pasted"), false);
    assert.equal(nestsDeeperThan("f(g(h[i]))".repeat(1000), 3), false);
  });

  it("finds a line longer than a limit, and none where there is none", () => {
    assert.equal(hasLineLongerThan("ab\n".repeat(10_000), 2), false);
    assert.equal(hasLineLongerThan("ab\n".repeat(10_000) + "abc", 2), true);
    assert.equal(hasLineLongerThan("x".repeat(101), 100), true);
    assert.equal(hasLineLongerThan("x".repeat(100) + "\n" + "x".repeat(100), 100), false);
  });

  it("follows a document larger than it keeps by version only", () => {
    const big = "let a = 1;\n".repeat(300_000);
    store.open("huge", "javascript", big, 1);
    store.applyEdits("huge", [{ startOffset: 0, endOffset: 0, text: "// x\n" }], 2);
    assert.equal(store.has("huge"), true);
    assert.equal(store.getText("huge"), null);
    assert.equal(store.getVersion("huge"), 2);
  });

  it("keeps the tree equal to a full parse through a Replace All of hundreds of edits, applied in one pass", async () => {
    const text = Array.from({ length: 500 }, (_, i) => `const value${i} = compute(${i});`).join("\n");
    store.open("many", "typescript", text, 1);
    assert.equal(await store.whenParsed("many"), true);
    const edits = [...text.matchAll(/compute/g)].reverse().map((m) => ({ startOffset: m.index, endOffset: m.index + 7, text: "calc\n" }));
    store.applyEdits("many", edits, 2);
    const expected = text.replaceAll("compute", "calc\n");
    assert.equal(store.getText("many"), expected);
    assert.equal(await store.whenParsed("many"), true);
    const grammar = await runtime.load("typescript");
    const full = grammar?.parser.parse(expected);
    assert.ok(full);
    assert.equal(store.getTree("many")?.rootNode.toString(), full.rootNode.toString());
    assert.equal(store.lineAt("many", expected.indexOf("value499")), 998);
    full.delete();
  });

  it("gives no tree for a language without a grammar", async () => {
    store.open("sql", "sql", "select 1", 1);
    assert.equal(await store.whenParsed("sql", 100), false);
    assert.equal(store.getTree("sql"), null);
  });

  it("clamps edits outside the text instead of throwing", () => {
    store.open("b", "python", "x = 1\n", 1);
    store.applyEdits("b", [{ startOffset: 50, endOffset: 10, text: "y" }], 2);
    assert.equal(store.getText("b"), "x = 1\ny");
  });

  it("frees the tree when the document closes", async () => {
    store.open("c", "go", "package main\n", 1);
    await store.whenParsed("c");
    store.close("c");
    assert.equal(store.getTree("c"), null);
    assert.equal(store.getText("c"), null);
  });
});
