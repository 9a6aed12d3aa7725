import { strict as assert } from "node:assert";
import { silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import type { SymbolIndex } from "../../../src/context/index/symbol-index";
import { grammarsDir } from "../context/fixtures";

const noIndex: SymbolIndex = {
  indexFolders: () => Promise.resolve(null),
  updateFile: () => {},
  removeFile: () => {},
  query: () => Promise.resolve([]),
  stats: () => Promise.resolve(null),
  dispose: () => {},
} as unknown as SymbolIndex;

describe("the code an action works on, from tree-sitter", function () {
  this.timeout(20_000);
  let engine: ContextEngine;
  before(() => {
    engine = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: () => Promise.resolve(null), symbolIndex: noIndex });
  });
  after(() => engine.dispose());

  const target = async (languageId: string, source: string) => {
    const offset = source.indexOf("█");
    const text = source.replace("█", "");
    const found = await engine.findDeclaration(languageId, text, offset);
    return found && { type: found.nodeType, text: text.slice(found.startIndex, found.endIndex) };
  };

  it("takes the exported function with its doc comment, not the statement around the cursor", async () => {
    const ts = "import { x } from './x';\n\n/** Adds. */\nexport function add(a: number, b: number): number {\n  return a +█ b;\n}\n";
    assert.deepEqual(await target("typescript", ts), { type: "function_declaration", text: "/** Adds. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}" });
  });

  it("takes the method, not its class, and a const arrow function with its const", async () => {
    const ts = "class List {\n  // Counts.\n  size(): number {\n    return █1;\n  }\n}\nconst double = (n: number) => n *█ 2;\n";
    assert.equal((await target("typescript", ts.replace(/█(?=\s*2)/, "")))?.text, "// Counts.\n  size(): number {\n    return 1;\n  }");
    const arrow = await target("typescript", ts.replace("█", ""));
    assert.equal(arrow?.text, "const double = (n: number) => n * 2;");
  });

  it("skips a callback and takes the function that passes it", async () => {
    const ts = "function total(xs: number[]) {\n  return xs.map((x) => x█ * 2);\n}\n";
    assert.equal((await target("typescript", ts))?.type, "function_declaration");
  });

  it("takes a decorated Python method and a Go function", async () => {
    const py = "class A:\n    @property\n    def size(self):\n        return █1\n";
    assert.equal((await target("python", py))?.text, "@property\n    def size(self):\n        return 1");
    const go = "package m\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a █+ b\n}\n";
    assert.equal((await target("go", go))?.text, "// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}");
  });

  it("finds nothing at the top level or without a grammar", async () => {
    assert.equal(await target("typescript", "const a = 1;█\n"), null);
    assert.equal(await target("plaintext", "hello █world"), null);
  });

  it("tells whether text parses", async () => {
    assert.equal(await engine.hasSyntaxErrors("typescript", "function f() { return 1; }"), false);
    assert.equal(await engine.hasSyntaxErrors("typescript", "function f() { return 1; "), true);
    assert.equal(await engine.hasSyntaxErrors("plaintext", "anything"), null);
  });
});
