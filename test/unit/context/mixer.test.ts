import * as assert from "node:assert/strict";
import type { ContextItem } from "../../../src/context/context-types";
import { mix, orderForCacheReuse, overlaps, withoutShown } from "../../../src/context/mixer";
import type { ScoredItem } from "../../../src/context/retrievers/retriever";

/** One token per character: budgets in these tests read as lengths of text. */
const count = (text: string): number => text.length;

function item(fields: Partial<ScoredItem> & Pick<ScoredItem, "text" | "score">): ScoredItem {
  return { kind: "definition", source: "imported-file", path: "/p/a.ts", startLine: 0, endLine: 0, tokens: count(fields.text), ...fields };
}

const texts = (items: readonly ContextItem[]): string[] => items.map((i) => i.text);

describe("mix", () => {
  it("takes the best-scored candidates first, as many as the budget holds", () => {
    const candidates = [item({ text: "low", score: 0.1, startLine: 1, endLine: 1 }), item({ text: "high", score: 0.9, startLine: 5, endLine: 5 }), item({ text: "middle", score: 0.5, startLine: 9, endLine: 9 })];
    assert.deepEqual(texts(mix(candidates, { budgetTokens: 10, countTokens: count })), ["high", "middle"]);
  });

  it("keeps candidates of equal score in the order they came in", () => {
    const candidates = [item({ text: "first", score: 0.5, path: "/p/b.ts" }), item({ text: "second", score: 0.5, path: "/p/c.ts" })];
    assert.deepEqual(texts(mix(candidates, { budgetTokens: 100, countTokens: count })), ["first", "second"]);
  });

  it("leaves out a candidate that shows lines of one already chosen", () => {
    const candidates = [item({ text: "function f() {}", score: 0.9, startLine: 3, endLine: 5 }), item({ text: "const f = 1;", score: 0.5, startLine: 5, endLine: 6 })];
    assert.deepEqual(texts(mix(candidates, { budgetTokens: 100, countTokens: count })), ["function f() {}"]);
  });

  it("leaves out a candidate whose text repeats one already chosen, from whichever file", () => {
    const candidates = [item({ text: "export const A = 1;", score: 0.9 }), item({ text: "export const A = 1;", score: 0.5, path: "/p/copy.ts" })];
    assert.equal(mix(candidates, { budgetTokens: 100, countTokens: count }).length, 1);
  });

  it("lets a module's outline and a scope's header share lines with the code they summarise", () => {
    const code = item({ text: "function f() { return 1; }", score: 0.9, startLine: 2, endLine: 4 });
    const outline = item({ kind: "outline", text: "function f()\nfunction g()", score: 0.5, startLine: 2, endLine: 8 });
    assert.equal(overlaps(code, outline), false);
    assert.equal(mix([code, outline], { budgetTokens: 100, countTokens: count }).length, 2);
  });

  it("falls back to a definition's header when the whole definition does not fit", () => {
    const long = item({ text: "function load(path: string) {\n  return read(path);\n}", header: "function load(path: string)", score: 0.9 });
    assert.deepEqual(texts(mix([long], { budgetTokens: 30, countTokens: count })), ["function load(path: string)"]);
  });

  it("sends the header of every well-scored definition before the whole text of any", () => {
    const load = item({ text: `function load(path) {\n${"  step();\n".repeat(5)}}`, header: "function load(path)", symbol: "load", score: 0.9, startLine: 0, endLine: 6 });
    const save = item({ text: `function save(path) {\n${"  step();\n".repeat(5)}}`, header: "function save(path)", symbol: "save", score: 0.8, startLine: 10, endLine: 16 });
    const chosen = mix([load, save], { budgetTokens: 80, countTokens: count });
    assert.deepEqual(
      chosen.map((c) => [c.symbol, c.text.startsWith(c.symbol === "load" ? load.header! : save.header!), c.text === load.text]),
      [
        ["load", true, false],
        ["save", true, false],
      ],
    );
  });

  it("grows headers into whole texts with what the headers leave, best-scored first", () => {
    const load = item({ text: "function load(path) {\n  step();\n}", header: "function load(path)", score: 0.9, startLine: 0, endLine: 2 });
    const save = item({ text: "function save(path) {\n  step();\n}", header: "function save(path)", score: 0.8, startLine: 10, endLine: 12 });
    assert.deepEqual(texts(mix([load, save], { budgetTokens: 60, countTokens: count })), [load.text, "function save(path)"]);
    assert.deepEqual(texts(mix([load, save], { budgetTokens: 100, countTokens: count })), [load.text, save.text]);
  });

  it("grows a definition sent as its header into as many of its lines as the rest of the budget holds", () => {
    const cls = item({ text: "class Names:\n    A = 1\n    B = 2\n    C = 3\n    D = 4", header: "class Names:", symbol: "Names", score: 0.9, startLine: 10, endLine: 14 });
    const chosen = mix([cls], { budgetTokens: 40, countTokens: count });
    assert.deepEqual(
      chosen.map((c) => [c.text, c.startLine, c.endLine]),
      [["class Names:\n    A = 1\n    B = 2\n…", 10, 12]],
    );
  });

  it("takes a method's class header with the method, before other candidates", () => {
    const method = item({ text: "static fromCode(code) {}", symbol: "fromCode", score: 0.9, startLine: 10, endLine: 10 });
    const other = item({ text: "const LIMIT = 5;", score: 0.7, path: "/p/b.ts" });
    const cls = item({ text: `class Status {\n${"  x = 1;\n".repeat(20)}}`, header: "class Status", symbol: "Status", score: 0.5, startLine: 0, endLine: 30 });
    assert.deepEqual(texts(mix([method, other, cls], { budgetTokens: 45, countTokens: count })), [method.text, "class Status"]);
  });

  it("leaves out a candidate that fits neither whole nor as its header", () => {
    const long = item({ text: "function load(path: string) {\n  return read(path);\n}", header: "function load(path: string)", score: 0.9 });
    assert.deepEqual(mix([long], { budgetTokens: 10, countTokens: count }), []);
  });

  it("keeps a class's header when its methods were chosen first, so that the class's name is in the context", () => {
    const method = item({ text: "static fromCode(code: number): Status {\n  return new Status(code);\n}", symbol: "fromCode", score: 0.9, startLine: 10, endLine: 12 });
    const cls = item({ text: "export class Status {\n  static fromCode(code: number): Status { … }\n}", header: "export class Status", symbol: "Status", score: 0.5, startLine: 0, endLine: 30 });
    const chosen = mix([method, cls], { budgetTokens: 200, countTokens: count });
    assert.deepEqual(
      chosen.map((c) => [c.symbol, c.text, c.startLine, c.endLine]),
      [
        ["fromCode", method.text, 10, 12],
        ["Status", "export class Status", 0, 0],
      ],
    );
  });

  it("keeps a class's header once, however many of its methods were chosen", () => {
    const a = item({ text: "a() {}", score: 0.9, startLine: 2, endLine: 2 });
    const b = item({ text: "b() {}", score: 0.8, startLine: 4, endLine: 4 });
    const cls = item({ text: "class K {\n  a() {}\n  b() {}\n}", header: "class K", score: 0.5, startLine: 0, endLine: 6 });
    const again = { ...cls, path: cls.path, score: 0.4 };
    assert.deepEqual(texts(mix([a, b, cls, again], { budgetTokens: 200, countTokens: count })), ["a() {}", "b() {}", "class K"]);
  });

  it("keeps no header for a definition that overlaps chosen items outside its body", () => {
    const neighbour = item({ text: "const before = 1;", score: 0.9, startLine: 0, endLine: 1 });
    const cls = item({ text: "class K {\n  a() {}\n}", header: "class K", score: 0.5, startLine: 1, endLine: 3 });
    assert.deepEqual(texts(mix([neighbour, cls], { budgetTokens: 200, countTokens: count })), ["const before = 1;"]);
  });

  it("still takes a class's methods after the class was sent as its header alone", () => {
    const cls = item({ text: `class Status {\n${"  // …\n".repeat(20)}  static fromCode(code) {}\n}`, header: "class Status", symbol: "Status", score: 0.9, startLine: 0, endLine: 30 });
    const method = item({ text: "static fromCode(code) {}", symbol: "fromCode", score: 0.5, startLine: 21, endLine: 21 });
    const chosen = mix([cls, method], { budgetTokens: 40, countTokens: count });
    assert.deepEqual(
      chosen.map((c) => [c.text, c.startLine, c.endLine]),
      [
        ["class Status", 0, 0],
        ["static fromCode(code) {}", 21, 21],
      ],
    );
  });

  it("takes a class's methods when the class's own text is only its header", () => {
    const cls = item({ text: "export class SignInResult extends Base", header: "export class SignInResult extends Base", symbol: "SignInResult", score: 0.9, startLine: 26, endLine: 103 });
    const long = item({ text: "export function parse(text) …", header: "export function parse(text)", symbol: "parse", score: 0.8, startLine: 110, endLine: 180, path: "/p/a.ts" });
    const method = item({ text: "static createWithError(error) {}", symbol: "createWithError", score: 0.5, startLine: 44, endLine: 49 });
    const chosen = mix([cls, long, method], { budgetTokens: 500, countTokens: count });
    assert.deepEqual(
      chosen.map((c) => [c.symbol, c.startLine, c.endLine]),
      [
        ["SignInResult", 26, 26],
        ["parse", 110, 110],
        ["createWithError", 44, 49],
      ],
    );
  });

  it("keeps no class header that the budget cannot hold", () => {
    const method = item({ text: "m() { return 1; }", score: 0.9, startLine: 2, endLine: 2 });
    const cls = item({ text: "class LongClassName {\n  m() { return 1; }\n}", header: "class LongClassName", score: 0.5, startLine: 0, endLine: 4 });
    assert.deepEqual(texts(mix([method, cls], { budgetTokens: 25, countTokens: count })), ["m() { return 1; }"]);
  });

  it("leaves out the file's own definitions on the lines the prompt shows anyway", () => {
    const shown = item({ source: "same-file", text: "function near() {}", score: 0.9, startLine: 40, endLine: 42 });
    const above = item({ source: "same-file", text: "function far() {}", score: 0.8, startLine: 2, endLine: 4 });
    const chosen = mix([shown, above], { budgetTokens: 100, countTokens: count, shownLines: { startLine: 30, endLine: 60 } });
    assert.deepEqual(texts(chosen), ["function far() {}"]);
  });
});

describe("withoutShown", () => {
  it("drops the file's own items on the lines the final prefix and suffix show, but keeps its scopes' headers", () => {
    const items = [
      item({ source: "same-file", kind: "imports", text: "import x", score: 5, startLine: 0, endLine: 2 }),
      item({ source: "same-file", kind: "scope", text: "class A", score: 10, startLine: 1, endLine: 1 }),
      item({ source: "same-file", text: "function old() {}", score: 1, startLine: 0, endLine: 0 }),
      item({ source: "imported-file", text: "export function other() {}", score: 1, startLine: 3, endLine: 4 }),
    ];
    assert.deepEqual(texts(withoutShown(items, 1, 50)), ["import x", "class A", "function old() {}", "export function other() {}"]);
    assert.deepEqual(texts(withoutShown(items, 0, 50)), ["class A", "export function other() {}"]);
  });
});

describe("orderForCacheReuse", () => {
  it("puts other files' definitions first, then snippets, then the file's imports, definitions and scopes, and drops headers", () => {
    const items = [
      item({ source: "same-file", kind: "scope", text: "scope", score: 10 }),
      item({ source: "same-file", text: "own", score: 1, header: "own header" }),
      item({ source: "recent-file", kind: "snippet", text: "snippet", score: 1 }),
      item({ source: "same-file", kind: "imports", text: "imports", score: 5 }),
      item({ source: "workspace", text: "b", score: 1, path: "/p/b.ts" }),
      item({ source: "imported-file", text: "a", score: 1, path: "/p/a.ts", header: "a header" }),
    ];
    const ordered = orderForCacheReuse(items);
    assert.deepEqual(texts(ordered), ["a", "b", "snippet", "imports", "own", "scope"]);
    assert.ok(ordered.every((i) => !("header" in i)));
  });
});
