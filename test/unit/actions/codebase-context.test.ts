// Fix and Generate Tests take context from codebase search (the memory's hybrid search over a real LanceDB store, full
// text and the symbol index, no embedding model): the definition a problem names, the project's existing tests of the
// code. The snippets are quoted as workspace data in the prompt the real engine gets, within a budget, and logged.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runAction, type ActionDeps } from "../../../src/actions/action-runner";
import { fixQuery, isTestPath, testsQuery, type ActionCodebaseSearch } from "../../../src/actions/codebase-context";
import { SNIPPET_FRAME } from "../../../src/chat/prompt";
import { MemoryLogger, silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import { InThreadSymbolIndex } from "../../../src/context/index/symbol-index";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatParams } from "../../../src/engine/protocol";
import { searchCodebase } from "../../../src/memory/codebase-search";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { ACTION_ANSWER } from "../../fixtures/actions/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir } from "../context/fixtures";
import { createClient, testSettings } from "../helpers/engine";
import { MemoryEditor } from "./memory-editor";

const PROJECT: Record<string, string> = {
  "package.json": JSON.stringify({ name: "shop", devDependencies: { vitest: "^1.0.0" } }),
  "src/cart.ts": "export function cartTotal(prices: number[]): number {\n  return prices.reduce((sum, price) => sum + priceWithTax(price), 0);\n}\n",
  "src/tax.ts": "// The VAT rate of the shop's country.\nexport const VAT_RATE = 0.2;\n\nexport function priceWithTax(price: number): number {\n  return Math.round(price * (1 + VAT_RATE) * 100) / 100;\n}\n",
  "src/money.ts": "/** An amount in a currency's smallest unit. */\nexport interface Money {\n  cents: number;\n  currency: string;\n}\n",
  "src/shipping.ts": "export function shippingCost(weightKg: number): number {\n  return weightKg > 10 ? 0 : 4.9;\n}\n",
  "test/checkout.test.ts": 'import { describe, expect, it } from "vitest";\nimport { cartTotal } from "../src/cart";\n\ndescribe("cartTotal", () => {\n  it("adds the prices with tax", () => {\n    expect(cartTotal([10, 20])).toBe(36);\n  });\n});\n',
};

describe("actions: context from codebase search", function () {
  this.timeout(120_000);
  let base: string;
  let root: string;
  let index: InThreadSymbolIndex;
  let syntax: ContextEngine;
  let memory: MemoryIndexer;
  let client: EngineClient;
  let sent: ChatParams[];
  let logger: MemoryLogger;
  let searches: string[];
  let ready: boolean;

  /** The memory's real hybrid search, as the editor's codebase host answers it. */
  const codebase = (): ActionCodebaseSearch => ({
    ready: () => ready,
    search: async (query, budgetTokens, signal) => {
      searches.push(query);
      const result = await searchCodebase(memory, query, { budgetTokens, signal, symbols: (names, s) => syntax.findDefinitions(names, 300, s) });
      return result.snippets;
    },
  });
  const deps = (search: ActionCodebaseSearch | undefined = codebase()): ActionDeps => ({
    host: new MemoryEditor(root),
    model: {
      chat: (params, options) => {
        sent.push(params);
        return client.chat(params, options);
      },
      contextWindow: () => 4096,
    },
    syntax,
    context: syntax,
    logger,
    ...(search && { codebase: search }),
  });
  const prompt = () => sent.at(-1)!.messages.at(-1)!.content;
  const run = async (action: "fix" | "tests", d: ActionDeps, diagnostics?: { line: number; message: string }[]) => {
    const host = d.host as MemoryEditor;
    const document = await host.open("src/cart.ts");
    const position = { line: 1, character: 4 };
    return runAction(d, {
      action,
      document,
      selection: { start: position, end: position },
      ...(diagnostics && { diagnostics: diagnostics.map((p) => ({ range: { start: { line: p.line, character: 0 }, end: { line: p.line, character: 60 } }, message: p.message, severity: "error" as const })) }),
    });
  };

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "hearth-action-codebase-"));
    root = join(base, "workspace");
    for (const [path, text] of Object.entries(PROJECT)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    await index.indexFolders([root]);
    syntax = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: (path) => Promise.resolve(readFileSync(path, "utf8")), symbolIndex: index });
    memory = new MemoryIndexer({ storeDir: join(base, "store"), grammarsDir, logger: silentLogger, embedder: null });
    const summary = await memory.indexFolders([root]);
    assert.equal(summary.indexed, 5);
    client = createClient();
    await client.configure(testSettings(await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ACTION_ANSWER } }), { contextSize: 4096 }));
  });
  beforeEach(() => {
    sent = [];
    searches = [];
    logger = new MemoryLogger();
    ready = true;
  });
  after(async () => {
    await client?.dispose();
    memory?.dispose();
    syntax?.dispose();
    index?.dispose();
    await rm(base, { recursive: true, force: true });
  });

  it("gives Fix the definition of a type its problem names and the code does not, quoted as workspace data, and logs it", async () => {
    await run("fix", deps(), [{ line: 1, message: "Type 'number' is not assignable to type 'Money'." }]);
    assert.equal(searches[0]?.split(" ")[0], "Money", "the quoted name leads the query");
    const text = prompt();
    const quoted = text.indexOf(`${SNIPPET_FRAME} src/money.ts:`);
    assert.ok(quoted >= 0, text);
    assert.ok(text.indexOf("export interface Money {", quoted) > quoted, `the definition is inside the quote:\n${text}`);
    assert.ok(quoted < text.indexOf("The code, from src/cart.ts"), "retrieved code comes before the code to fix");
    assert.ok(logger.lines.some((l) => /fix used [1-9]\d* codebase snippet\(s\) for "Money .*src\/money\.ts:\d+-\d+/.test(l)), logger.lines.join("\n"));
  });

  it("does not send again a definition the context assembly already gives", async () => {
    await run("fix", deps(), [{ line: 1, message: "Cannot find name 'priceWithTax'." }]);
    const text = prompt();
    assert.equal(text.split("export function priceWithTax(price: number)").length - 1, 1, text);
  });

  it("never quotes the code being fixed back to the model as retrieved code", async () => {
    await run("fix", deps(), [{ line: 1, message: "Cannot find name 'priceWithTax'." }]);
    assert.ok(!prompt().includes(`${SNIPPET_FRAME} src/cart.ts:`), prompt());
  });

  it("gives Generate Tests the project's existing tests of the code, and only tests", async () => {
    await run("tests", deps());
    assert.match(searches[0] ?? "", /^cartTotal vitest test$/);
    const text = prompt();
    assert.match(text, /Existing tests in this project, found by codebase search/);
    assert.ok(text.includes(`${SNIPPET_FRAME} test/checkout.test.ts:`), text);
    assert.ok(text.includes('expect(cartTotal([10, 20])).toBe(36);'));
    assert.ok(!text.includes(`${SNIPPET_FRAME} src/`), "sources are not offered as tests");
  });

  it("keeps the retrieved code within the action's budget: an eighth of a small window", async () => {
    const small = deps();
    small.model.contextWindow = () => 320;
    let budget = 0;
    const search = small.codebase!;
    small.codebase = { ready: () => true, search: (q, b, s) => ((budget = b), search.search(q, b, s)) };
    await run("fix", small, [{ line: 1, message: "Cannot find name 'priceWithTax'." }]);
    assert.equal(budget, 40);
  });

  it("goes without codebase search until the memory has finished a pass", async () => {
    ready = false;
    await run("fix", deps(), [{ line: 1, message: "Cannot find name 'priceWithTax'." }]);
    assert.deepEqual(searches, []);
    assert.ok(!prompt().includes(SNIPPET_FRAME));
  });

  it("goes on without it, and says so in the log, when search fails", async () => {
    const failing: ActionCodebaseSearch = { ready: () => true, search: () => Promise.reject(new Error("the store is locked by another window")) };
    const outcome = await run("fix", deps(failing), [{ line: 1, message: "Cannot find name 'priceWithTax'." }]);
    assert.notEqual(outcome.status, "cancelled");
    assert.equal(sent.length, 1, "the model was still asked");
    assert.ok(logger.lines.some((l) => l.includes("codebase search for fix failed: the store is locked by another window; going without it")), logger.lines.join("\n"));
  });

  describe("queries", () => {
    const target = (text: string) => ({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, start: 0, end: text.length, label: "the selected code" });

    it("asks Fix's search for the names the problems quote first, then the names on their lines, without keywords, strings or comments", () => {
      const text = 'const total = sumOf(items); // add taxRate later\nlog("discountCode missing");\n';
      const query = fixQuery({ text, target: target(text), diagnostics: [{ line: 1, message: "Cannot find name 'sumOf'." }, { line: 2, message: "Unused" }] });
      assert.equal(query, "sumOf total items log");
    });

    it("asks Generate Tests' search for the code's name with the framework's", () => {
      const text = "export async function refundOrder(id: string) {}\n";
      assert.equal(testsQuery({ text, target: target(text), framework: { id: "jest", name: "Jest" } as never }), "refundOrder Jest test");
    });

    it("tells test files by the usual layouts", () => {
      for (const path of ["test/a.ts", "tests/test_cart.py", "src/__tests__/a.ts", "src/cart.test.ts", "pkg/cart_test.go", "spec/cart.spec.js"]) assert.ok(isTestPath(path), path);
      for (const path of ["src/cart.ts", "src/latest.ts", "src/contest/a.ts", "docs/testing.md"]) assert.ok(!isTestPath(path), path);
    });
  });
});
