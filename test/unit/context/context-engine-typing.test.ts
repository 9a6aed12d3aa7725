import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../../src/common/logger";
import { completionContextRequest } from "../../../src/completion/generate-suggestion";
import { ContextEngine, scopeChain } from "../../../src/context/context-engine";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";
import type { AssembledContext, ContextItem } from "../../../src/context/context-types";
import { copyFixtures, grammarsDir, indexedFolderForSuite, sharedIndex } from "./fixtures";

const readFile = async (p: string): Promise<string | null> => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return null;
  }
};

/** What the prompt shows of an item: other files' code, in order. */
const shown = (ctx: AssembledContext): string[] => ctx.items.filter((i: ContextItem) => i.source !== "same-file").map((i) => `${i.path}:${i.startLine}:${i.text}`);

describe("ContextEngine while the user types", function () {
  this.timeout(30_000);
  const folder = indexedFolderForSuite(copyFixtures);
  let clock = 0;
  let engine: ContextEngine;
  beforeEach(() => {
    clock = 0;
    engine = new ContextEngine({ grammarsDir, logger: silentLogger, readFile, symbolIndex: sharedIndex(folder.index), indexTimeoutMs: 5000, now: () => clock });
  });
  afterEach(() => engine.dispose());

  /**
   * Types `typed` into UserService.rename (service.ts, with `filler` lines of methods above it so that the prefix
   * window is cut), a key every 60 ms, and assembles a completion's context after each word (a pause of 150 ms).
   */
  async function typeInRename(typed: string, budgetTokens: number): Promise<AssembledContext[]> {
    const path = join(folder.dir, "ts-app/src/service.ts");
    const original = readFileSync(path, "utf8");
    const filler = Array.from({ length: 40 }, (_, i) => `  step${i}(): number {\n    return this.repo.count() + ${i};\n  }\n`).join("");
    const anchor = "async rename(user: User, name: string): Promise<void> {\n    ";
    const base = original.replace("  async rename(", `${filler}  async rename(`);
    let offset = base.indexOf(anchor) + anchor.length;
    let text = base;
    let version = 1;
    engine.openDocument(path, "typescript", text, version);
    await engine.whenParsed(path);
    engine.noteVisited(join(folder.dir, "ts-app/src/models/user.ts"));
    await engine.whenRecentFilesReady();
    const contexts: AssembledContext[] = [];
    for (const [i, c] of [...typed].entries()) {
      clock += 60;
      text = text.slice(0, offset) + c + text.slice(offset);
      engine.applyEdit(path, [{ startOffset: offset, endOffset: offset, text: c }], ++version);
      offset++;
      if (/\w/.test(c) && /\w/.test(typed[i + 1] ?? "")) continue;
      clock += 150;
      await engine.whenParsed(path);
      const snapshot = { uri: path, languageId: "typescript", text, offset, version };
      contexts.push(await engine.assemble(completionContextRequest(snapshot, budgetTokens)));
    }
    return contexts;
  }

  const TYPED = "const found = await this.repo.findById(user.id);\n    if (found && found.role === DEFAULT_ROLE) {\n      console.log(formatDate(found.createdAt), name);\n    }";

  it("keeps other files' context in place while the user types in one method: it only grows at its end", async () => {
    const contexts = await typeInRename(TYPED, 400);
    assert.ok(contexts.some((c) => shown(c).length > 0), "other files' context is sent");
    for (let i = 1; i < contexts.length; i++) {
      const before = shown(contexts[i - 1]);
      assert.deepEqual(shown(contexts[i]).slice(0, before.length), before, `call ${i} changed what call ${i - 1} showed`);
    }
  });

  it("keeps the prefix window's first line while the user types a few lines", async () => {
    const contexts = await typeInRename(TYPED, 400);
    const starts = new Set(contexts.map((c) => c.prefixStartLine));
    assert.ok(starts.size <= 2, `the prefix started on lines ${[...starts].join(", ")}`);
  });

  it("never moves the prefix window's first line while the user types on in one method, even past what the budget leaves for the prefix", async () => {
    const contexts = await typeInRename(`${TYPED}\n    ${TYPED}\n    ${TYPED}`, 400);
    const starts = contexts.map((c) => c.prefixStartLine);
    assert.deepEqual([...new Set(starts.slice(1))], [starts[1]], `the prefix started on lines ${starts.join(", ")}`);
  });
});

describe("the scope chain a completion's context is held in", function () {
  this.timeout(20_000);
  let runtime: SyntaxRuntime;
  beforeEach(() => (runtime = new SyntaxRuntime(grammarsDir, silentLogger)));
  afterEach(() => runtime.dispose());

  it("is the same for a class the parse of half-typed code recovers as an expression as for its declaration", async () => {
    // With a bracket left open in a method, tree-sitter's recovery can make axios's `class Axios {` a `class`
    // expression where the complete text has a `class_declaration`: the cache bench saw a fresh choice there.
    const grammar = await runtime.load("javascript");
    assert.ok(grammar);
    const chainAt = (text: string): string[] => {
      const tree = grammar.parser.parse(text);
      assert.ok(tree);
      try {
        return scopeChain(tree, text, text.indexOf("|"), grammar.spec);
      } finally {
        tree.delete();
      }
    };
    const body = "class Axios {\n  request(config) {\n    return headers[|;\n  }\n}\n";
    const declared = chainAt(body);
    const expression = chainAt(`x = ${body}`);
    assert.equal(declared.length, 2);
    assert.deepEqual(expression, declared);
  });
});
