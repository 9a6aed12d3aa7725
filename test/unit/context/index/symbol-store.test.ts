import * as assert from "node:assert/strict";
import { SymbolStore } from "../../../../src/context/index/symbol-store";
import { DEFAULT_INDEX_LIMITS } from "../../../../src/context/symbol-types";
import type { SymbolDefinition } from "../../../../src/context/symbol-types";

const def = (path: string, name: string, text = `function ${name}() {}`): SymbolDefinition => ({ name, kind: "function", path, startLine: 0, endLine: 0, text, header: text });

describe("SymbolStore", () => {
  it("evicts the least recently used file beyond the file limit", () => {
    const store = new SymbolStore({ ...DEFAULT_INDEX_LIMITS, maxFiles: 2 });
    store.setFile("/a.ts", [def("/a.ts", "a")]);
    store.setFile("/b.ts", [def("/b.ts", "b")]);
    store.lookup("a"); // a is now more recent than b
    store.setFile("/c.ts", [def("/c.ts", "c")]);
    assert.equal(store.has("/a.ts"), true);
    assert.equal(store.has("/b.ts"), false);
    assert.equal(store.lookup("b").length, 0);
    assert.equal(store.stats().evictedFiles, 1);
  });

  it("stays under its byte limit however many files arrive", () => {
    const store = new SymbolStore({ ...DEFAULT_INDEX_LIMITS, maxBytes: 64 * 1024 });
    for (let i = 0; i < 5000; i++) store.setFile(`/f${i}.ts`, [def(`/f${i}.ts`, `fn${i}`, "x".repeat(500))]);
    assert.ok(store.stats().bytes <= 64 * 1024);
    assert.ok(store.stats().files > 10);
  });

  it("replaces a file's definitions when it is indexed again", () => {
    const store = new SymbolStore(DEFAULT_INDEX_LIMITS);
    store.setFile("/a.ts", [def("/a.ts", "old")]);
    store.setFile("/a.ts", [def("/a.ts", "renamed")]);
    assert.equal(store.lookup("old").length, 0);
    assert.equal(store.lookup("renamed").length, 1);
    assert.equal(store.stats().symbols, 1);
  });

  it("keeps at most the per-file number of definitions", () => {
    const store = new SymbolStore({ ...DEFAULT_INDEX_LIMITS, maxSymbolsPerFile: 3 });
    store.setFile("/gen.ts", Array.from({ length: 10 }, (_, i) => def("/gen.ts", `g${i}`)));
    assert.equal(store.stats().symbols, 3);
  });
});
