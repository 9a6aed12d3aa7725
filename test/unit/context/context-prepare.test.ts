import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import type { DefinitionQuery } from "../../../src/context/symbol-types";
import { copyFixtures, cursor, grammarsDir, indexedFolderForSuite, sharedIndex } from "./fixtures";

describe("ContextEngine.prepare", function () {
  this.timeout(20_000);
  let queries: DefinitionQuery[];
  let engine: ContextEngine;

  const folder = indexedFolderForSuite(copyFixtures);
  const makeEngine = () =>
    new ContextEngine({
      grammarsDir,
      logger: silentLogger,
      readFile: async (p) => readFileSync(p, "utf8"),
      symbolIndex: sharedIndex(folder.index, (query) => queries.push(query)),
      indexTimeoutMs: 5000,
    });
  beforeEach(() => {
    queries = [];
    engine = makeEngine();
  });
  afterEach(() => engine.dispose());

  async function open(anchor: string) {
    const path = join(folder.dir, "ts-app/src/service.ts");
    const original = readFileSync(path, "utf8");
    const at = original.indexOf(anchor) + anchor.length;
    const { text, offset } = cursor(original.slice(0, at) + "█" + original.slice(at));
    engine.openDocument(path, "typescript", text, 1);
    await engine.whenParsed(path);
    return { uri: path, languageId: "typescript", text, offset, budgetTokens: 1024 };
  }

  it("starts the index lookup that the assembly after the typing pause then finds answered", async () => {
    const req = await open("async rename(user: User, name: string): Promise<void> {\n    ");
    engine.prepare(req);
    assert.equal(queries.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ctx = await engine.assemble(req);
    assert.equal(ctx.indexAnswered, true);
    assert.ok(ctx.items.some((i) => i.kind === "definition" && i.symbol === "User"));
    assert.equal(queries.length, 1);
  });

  it("assembles the same context with or without a prepared lookup", async () => {
    const req = await open("async rename(user: User, name: string): Promise<void> {\n    ");
    const cold = await engine.assemble(req);
    engine.dispose();
    engine = makeEngine();
    const again = await open("async rename(user: User, name: string): Promise<void> {\n    ");
    engine.prepare(again);
    const warm = await engine.assemble(again);
    assert.deepEqual(warm.items.map((i) => i.text), cold.items.map((i) => i.text));
  });
});
