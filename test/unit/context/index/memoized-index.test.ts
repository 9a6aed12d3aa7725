import { strict as assert } from "node:assert";
import { MemoizedSymbolIndex } from "../../../../src/context/index/memoized-index";
import type { SymbolIndex } from "../../../../src/context/index/symbol-index";
import type { DefinitionQuery, DefinitionQueryResult } from "../../../../src/context/symbol-types";

/** An index whose answers arrive when the test says so (or after `delayMs`). */
class SlowIndex implements SymbolIndex {
  queries: DefinitionQuery[] = [];
  constructor(private readonly delayMs = 0) {}
  indexFolders = () => Promise.resolve(null);
  updateFile(): void {}
  removeFile(): void {}
  stats = () => Promise.resolve(null);
  dispose(): void {}
  query(query: DefinitionQuery): Promise<DefinitionQueryResult | null> {
    this.queries.push(query);
    const result: DefinitionQueryResult = {
      definitions: query.names.map((name) => {
        const text = `function ${name}() {}`;
        return { name, kind: "function", path: `/w/${name}.ts`, startLine: 0, endLine: 0, text, header: text, source: "workspace", candidates: 1 };
      }),
      resolvedImports: {},
    };
    return new Promise((resolve) => setTimeout(() => resolve(result), this.delayMs));
  }
}

const query = (...names: string[]): DefinitionQuery => ({ fromPath: "/w/a.ts", languageId: "typescript", imports: [], names, maxPerName: 2 });

describe("MemoizedSymbolIndex", () => {
  it("asks the index once for the same names, keystroke after keystroke", async () => {
    const inner = new SlowIndex();
    const index = new MemoizedSymbolIndex(inner);
    await index.query(query("parse", "Token"), 1000);
    const again = await index.query(query("parse", "Token"), 1000);
    assert.equal(again?.definitions.length, 2);
    assert.equal(inner.queries.length, 1);
  });

  it("asks again for other names", async () => {
    const inner = new SlowIndex();
    const index = new MemoizedSymbolIndex(inner);
    await index.query(query("parse"), 1000);
    await index.query(query("format"), 1000);
    assert.equal(inner.queries.length, 2);
  });

  it("forgets its answers when a file changes", async () => {
    const inner = new SlowIndex();
    const index = new MemoizedSymbolIndex(inner);
    await index.query(query("parse"), 1000);
    index.updateFile("/w/parse.ts", "export function parse() {}", "typescript");
    await index.query(query("parse"), 1000);
    assert.equal(inner.queries.length, 2);
  });

  it("keeps the edited file's own answers when that file is reindexed", async () => {
    const inner = new SlowIndex();
    const index = new MemoizedSymbolIndex(inner);
    await index.query(query("parse"), 1000);
    index.updateFile("/w/a.ts", "const x = parse();", "typescript");
    await index.query(query("parse"), 1000);
    assert.equal(inner.queries.length, 1);
  });

  it("has the answer to a lookup started ahead by the time the query comes", async () => {
    const inner = new SlowIndex(20);
    const index = new MemoizedSymbolIndex(inner);
    index.lookAhead(query("parse"));
    assert.equal(index.hasAnswer(query("parse")), false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(index.hasAnswer(query("parse")), true);
    assert.equal((await index.query(query("parse"), 0))?.definitions[0]?.name, "parse");
    assert.equal(inner.queries.length, 1);
  });

  it("keeps a lookup going for the next query when a caller stops waiting for it", async () => {
    const inner = new SlowIndex(40);
    const index = new MemoizedSymbolIndex(inner);
    assert.equal(await index.query(query("parse"), 5), null);
    const controller = new AbortController();
    const cancelled = index.query(query("parse"), 1000, controller.signal);
    controller.abort();
    assert.equal(await cancelled, null);
    assert.equal((await index.query(query("parse"), 1000))?.definitions[0]?.name, "parse");
    assert.equal(inner.queries.length, 1);
  });
});
