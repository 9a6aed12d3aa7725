import * as assert from "node:assert/strict";
import { silentLogger } from "../../../src/common/logger";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";
import { SyntaxService } from "../../../src/context/syntax-service";
import { cursor, grammarsDir } from "./fixtures";

describe("SyntaxService", () => {
  let runtime: SyntaxRuntime;
  let syntax: SyntaxService;
  beforeEach(() => {
    runtime = new SyntaxRuntime(grammarsDir, silentLogger);
    syntax = new SyntaxService(runtime);
  });
  afterEach(() => {
    syntax.dispose();
    runtime.dispose();
  });

  it("finds the method around an offset, with its doc comment", async () => {
    const source = "class A {\n  /** Adds. */\n  add(a: number) {\n    return a█ + 1;\n  }\n}\n";
    const { text, offset } = cursor(source);
    const found = await syntax.findDeclaration("typescript", text, offset);
    assert.ok(found);
    assert.equal(text.slice(found.startIndex, found.endIndex), "/** Adds. */\n  add(a: number) {\n    return a + 1;\n  }");
    assert.equal(found.nodeType, "method_definition");
  });

  it("finds no declaration outside every function and class", async () => {
    assert.equal(await syntax.findDeclaration("python", "x = 1\n", 2), null);
  });

  it("tells a text with a syntax error from one without", async () => {
    assert.equal(await syntax.hasSyntaxErrors("python", "def f(:\n  pass\n"), true);
    assert.equal(await syntax.hasSyntaxErrors("python", "def f():\n    pass\n"), false);
  });

  it("answers null for a language without a grammar", async () => {
    assert.equal(await syntax.hasSyntaxErrors("sql", "SELECT 1"), null);
    assert.equal(await syntax.findDeclaration("sql", "SELECT 1", 3), null);
  });

  it("answers null once disposed, for a parse that was under way", async () => {
    const text = "function f() { return 1; }\n".repeat(20_000);
    const pending = syntax.hasSyntaxErrors("typescript", text);
    syntax.dispose();
    assert.equal(await pending, null);
  });
});
