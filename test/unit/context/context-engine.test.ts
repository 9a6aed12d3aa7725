import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../../src/common/logger";
import { completionContextRequest } from "../../../src/completion/generate-suggestion";
import { ContextEngine } from "../../../src/context/context-engine";
import type { AssembledContext } from "../../../src/context/context-types";
import { copyFixtures, cursor, grammarsDir, indexedFolderForSuite, sharedIndex } from "./fixtures";

const readFile = async (p: string): Promise<string | null> => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return null;
  }
};

describe("ContextEngine", function () {
  this.timeout(20_000);
  let engine: ContextEngine;

  const folder = indexedFolderForSuite(copyFixtures);
  beforeEach(() => {
    engine = new ContextEngine({
      grammarsDir,
      logger: silentLogger,
      readFile,
      symbolIndex: sharedIndex(folder.index),
      indexTimeoutMs: 5000,
    });
  });
  afterEach(() => engine.dispose());

  /** Opens a fixture file with the cursor at the first "█" inserted after `anchor` (or on the blank line). */
  async function assembleAt(relPath: string, languageId: string, anchor: string, budgetTokens = 1024): Promise<AssembledContext> {
    const path = join(folder.dir, relPath);
    const original = readFileSync(path, "utf8");
    const at = original.indexOf(anchor) + anchor.length;
    const { text, offset } = cursor(original.slice(0, at) + "█" + original.slice(at));
    engine.openDocument(path, languageId, text, 1);
    await engine.whenParsed(path);
    return engine.assemble({ uri: path, languageId, text, offset, budgetTokens });
  }

  const definitionOf = (ctx: AssembledContext, symbol: string) => ctx.items.find((i) => i.kind === "definition" && i.symbol === symbol);

  it("brings the definitions of imported TypeScript symbols, through relative imports and tsconfig paths", async () => {
    const ctx = await assembleAt("ts-app/src/service.ts", "typescript", "async rename(user: User, name: string): Promise<void> {\n    ");
    assert.equal(ctx.parsed, true);
    assert.equal(ctx.indexAnswered, true);
    assert.equal(definitionOf(ctx, "User")?.source, "imported-file");
    assert.match(definitionOf(ctx, "User")?.text ?? "", /interface User \{[\s\S]*email: string;/);
    assert.equal(definitionOf(ctx, "UserRepository")?.path, join(folder.dir, "ts-app/src/models/user.ts"));
    assert.equal(definitionOf(ctx, "formatDate")?.source, "imported-file");
  });

  it("describes the cursor's surroundings from the tree: an empty method body, the middle of a statement", async () => {
    const inBody = await assembleAt("ts-app/src/service.ts", "typescript", "async rename(user: User, name: string): Promise<void> {\n    ");
    assert.equal(inBody.surroundings.inEmptyBlock, true);
    assert.equal(inBody.surroundings.linePrefix, "    ");
    const midStatement = await assembleAt("ts-app/src/service.ts", "typescript", "const role: UserRole = DEF");
    assert.equal(midStatement.surroundings.inEmptyBlock, false);
    assert.match(midStatement.surroundings.linePrefix, /const role: UserRole = DEF$/);
  });

  it("brings Python definitions through relative imports", async () => {
    const ctx = await assembleAt("py-app/shop/pricing.py", "python", "def total_with_tax(cart: Cart) -> int:\n    ");
    assert.equal(definitionOf(ctx, "Cart")?.source, "imported-file");
    assert.match(definitionOf(ctx, "Cart")?.text ?? "", /class Cart:/);
    assert.ok(definitionOf(ctx, "TAX_RATE"), "the imported constant");
    assert.equal(ctx.surroundings.linePrefix, "    ");
  });

  it("finds Go definitions of a package's members in the workspace index", async () => {
    const ctx = await assembleAt("go-app/main.go", "go", "if err != nil {\n\t\t");
    assert.match(definitionOf(ctx, "Get")?.text ?? "", /func \(s \*Store\) Get\(key string\)/);
    assert.ok(definitionOf(ctx, "New"));
  });

  it("finds Rust definitions named in a use declaration", async () => {
    const ctx = await assembleAt("rust-app/src/main.rs", "rust", "if config.port != DEFAULT_PORT {\n        ");
    assert.ok(definitionOf(ctx, "Config"));
    assert.match(definitionOf(ctx, "DEFAULT_PORT")?.text ?? "", /pub const DEFAULT_PORT: u16 = 8080;/);
  });

  it("finds a Java class used in the same package", async () => {
    const ctx = await assembleAt("java-app/src/main/java/com/example/shop/OrderService.java", "java", "public boolean canOrder(String sku, int quantity) {\n        ");
    assert.match(definitionOf(ctx, "Inventory")?.text ?? "", /public class Inventory/);
  });

  it("gives the enclosing scopes that the prefix window no longer shows", async () => {
    const ctx = await assembleAt("ts-app/src/service.ts", "typescript", "async rename(user: User, name: string): Promise<void> {\n    ", 64);
    const scope = ctx.items.find((i) => i.kind === "scope");
    assert.ok(scope, "a scope item");
    assert.match(scope.text, /^export class UserService\n\s*async rename\(user: User, name: string\)/);
  });

  it("includes the file's imports when the prefix window does not reach them", async () => {
    const ctx = await assembleAt("ts-app/src/service.ts", "typescript", "async rename(user: User, name: string): Promise<void> {\n    ", 160);
    const imports = ctx.items.find((i) => i.kind === "imports");
    assert.ok(imports);
    assert.match(imports.text, /from "\.\/models\/user"/);
  });

  it("spends a completion's budget on other files and the prefix, not on items from the file itself", async () => {
    const full = await assembleAt("ts-app/src/service.ts", "typescript", "async rename(user: User, name: string): Promise<void> {\n    ", 160);
    assert.ok(full.items.some((i) => i.source === "same-file"));
    const path = join(folder.dir, "ts-app/src/service.ts");
    const original = readFileSync(path, "utf8");
    const at = original.indexOf("async rename(user: User, name: string): Promise<void> {\n    ") + "async rename(user: User, name: string): Promise<void> {\n    ".length;
    const { text, offset } = cursor(original.slice(0, at) + "█" + original.slice(at));
    const completion = await engine.assemble({ uri: path, languageId: "typescript", text, offset, budgetTokens: 160, otherFilesOnly: true });
    assert.equal(completion.items.filter((i) => i.source === "same-file").length, 0);
    const elsewhere = (c: typeof full): number => c.tokens.prefix + c.items.filter((i) => i.source !== "same-file").reduce((n, i) => n + i.tokens, 0);
    assert.ok(elsewhere(completion) > elsewhere(full), "the budget the file's own items took goes to other files' items and the prefix");
  });

  it("shares the budget as the request's split says: the suffix gets no more than its part", async () => {
    const path = join(folder.dir, "ts-app/src/service.ts");
    const original = readFileSync(path, "utf8");
    const { text, offset } = cursor(original.replace("export class UserService {", "█export class UserService {"));
    engine.openDocument(path, "typescript", text, 1);
    const at = (suffixTokens: number) => engine.assemble({ uri: path, languageId: "typescript", text, offset, budgetTokens: 512, split: { suffixTokens, extrasTokens: 100, minPrefixTokens: 412 - suffixTokens } });
    const [narrow, wide] = [await at(20), await at(200)];
    assert.ok(narrow.tokens.suffix <= 20 && narrow.tokens.suffix > 0, `${narrow.tokens.suffix} suffix tokens`);
    assert.ok(wide.tokens.suffix > 20 && wide.tokens.suffix <= 200, `${wide.tokens.suffix} suffix tokens`);
  });

  it("stays within the token budget and orders other files before the current file", async () => {
    for (const budget of [128, 512, 2048]) {
      const ctx = await assembleAt("ts-app/src/service.ts", "typescript", "const user = await this.repo.findById(id);\n", budget);
      assert.ok(ctx.tokens.prefix + ctx.tokens.suffix + ctx.tokens.items <= budget, `within ${budget}`);
      const firstSameFile = ctx.items.findIndex((i) => i.source === "same-file");
      const lastOther = ctx.items.map((i) => i.source !== "same-file").lastIndexOf(true);
      assert.ok(firstSameFile < 0 || lastOther < firstSameFile);
    }
  });

  it("adds snippets from recently viewed files that resemble the code at the cursor", async () => {
    engine.noteVisited(join(folder.dir, "ts-app/src/models/user.ts"));
    assert.equal(await engine.whenRecentFilesReady(), true);
    const ctx = await assembleAt("ts-app/src/service.ts", "typescript", "const user = await this.repo.findById(id);\n");
    assert.ok(ctx.items.some((i) => i.kind === "snippet" || (i.kind === "definition" && i.path.endsWith("user.ts"))));
  });

  it("cuts the prefix at a line start and keeps the text right before the cursor", async () => {
    const ctx = await assembleAt("ts-app/src/service.ts", "typescript", "const role: UserRole = DEF", 96);
    assert.ok(ctx.prefix.endsWith("const role: UserRole = DEF"));
    assert.equal(ctx.prefixStart === 0 || ctx.prefix.startsWith("\n") || /^\s*\S/.test(ctx.prefix), true);
    assert.equal(readFileSync(join(folder.dir, "ts-app/src/service.ts"), "utf8").slice(0, ctx.prefixStart).endsWith("\n") || ctx.prefixStart === 0, true);
  });

  it("completes in a document too large to keep from the editor's window, with the imports of the window's head", async () => {
    const path = join(folder.dir, "ts-app/src/service.ts");
    const original = readFileSync(path, "utf8");
    const anchor = "async rename(user: User, name: string): Promise<void> {\n    ";
    const at = original.indexOf(anchor) + anchor.length;
    // The file with a megabyte of comments after its imports: the cursor is far from them.
    const importsEnd = original.indexOf("\n\n", original.lastIndexOf("import ")) + 1;
    const text = original.slice(0, importsEnd) + "// padding line of a very large file\n".repeat(30_000) + original.slice(importsEnd);
    const offset = at + (text.length - original.length);
    const start = offset - 50_000;
    engine.openDocument(path, "typescript", null, 3);
    const snapshot = { uri: path, languageId: "typescript", text: text.slice(start, offset + 10_000), offset: offset - start, version: 3, cursorLine: 99 };
    const ctx = await engine.assemble({ ...completionContextRequest(snapshot, 1024), window: { start, documentLength: text.length, head: text.slice(0, 64 * 1024) } });
    assert.equal(ctx.parsed, false);
    assert.equal(definitionOf(ctx, "User")?.source, "imported-file");
    assert.ok(ctx.prefix.endsWith(anchor));
    assert.equal(ctx.prefixStart, offset - ctx.prefix.length);
    assert.equal(ctx.prefixStartLine, 99 - (ctx.prefix.split("\n").length - 1));
  });

  it("still assembles line-based context for a language without a grammar", async () => {
    const text = "SELECT id, name\nFROM users\nWHERE ";
    const ctx = await engine.assemble({ uri: join(folder.dir, "query.sql"), languageId: "sql", text, offset: text.length, budgetTokens: 256 });
    assert.equal(ctx.parsed, false);
    assert.equal(ctx.prefix, text);
    assert.equal(ctx.items.length, 0);
  });

  it("rejects with an abort error when the request is cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(engine.assemble({ uri: "untitled:1", languageId: "typescript", text: "x", offset: 1, budgetTokens: 64, signal: controller.signal }), { name: "AbortError" });
  });
});
