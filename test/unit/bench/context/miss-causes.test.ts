// What counts as a hit, and which cause a miss is given.
import { strict as assert } from "node:assert";
import { isHit, missCause } from "../../../../bench/context/recall/miss-causes";
import type { RecallSample } from "../../../../bench/context/recall/samples";

const sample = (over: Partial<RecallSample> = {}): RecallSample => ({
  file: "/r/use.js",
  line: 4,
  symbol: "isPlainObject",
  definitions: [{ path: "/r/utils.js", startLine: 10, endLine: 14 }],
  definitionKind: "function",
  use: "direct",
  reexports: 0,
  typeChecking: false,
  ...over,
});
const item = (startLine: number, endLine: number, text: string, path = "/r/utils.js") => ({ path, startLine, endLine, text });

describe("bench: hits and the causes of misses", () => {
  it("hits only with an item that spans the definition's line and shows the name", () => {
    assert.equal(isHit(sample(), [item(8, 20, "function isPlainObject(x) {")]), true);
    assert.equal(isHit(sample(), [item(8, 20, "function isPlainObjectLike(x) {")]), false);
    assert.equal(isHit(sample(), [item(11, 20, "function isPlainObject(x) {")]), false);
    assert.equal(isHit(sample(), [item(8, 20, "function isPlainObject(x) {", "/r/other.js")]), false);
  });

  it("calls a class whose methods were sent without its own line dropped for its methods", () => {
    const cls = sample({ symbol: "Status", definitionKind: "class", definitions: [{ path: "/r/utils.js", startLine: 10, endLine: 40 }] });
    assert.equal(missCause(cls, [item(12, 15, "fromCode() {}")], true), "class dropped for its methods");
    assert.equal(missCause(cls, [item(50, 55, "other() {}")], false), "other");
  });

  it("calls a miss crowded out when a roomy budget finds it, before any structural cause", () => {
    assert.equal(missCause(sample({ use: "object-member", reexports: 2 }), [], true), "crowded out");
  });

  it("gives a structural miss the first cause that applies: TYPE_CHECKING, object member, class static, re-exports", () => {
    assert.equal(missCause(sample({ typeChecking: true, reexports: 1 }), [], false), "TYPE_CHECKING import");
    assert.equal(missCause(sample({ use: "object-member", reexports: 1 }), [], false), "default-import object member");
    assert.equal(missCause(sample({ use: "class-static", reexports: 1 }), [], false), "class as namespace");
    assert.equal(missCause(sample({ reexports: 1 }), [], false), "through re-exports");
    assert.equal(missCause(sample({ use: "module-member" }), [], false), "other");
  });
});
