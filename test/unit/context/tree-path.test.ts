import * as assert from "node:assert/strict";
import { silentLogger } from "../../../src/common/logger";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";
import { firstNamedChildren, pathTo } from "../../../src/context/tree-path";
import { grammarsDir } from "./fixtures";

describe("tree paths", function () {
  this.timeout(20_000);
  let runtime: SyntaxRuntime;
  beforeEach(() => (runtime = new SyntaxRuntime(grammarsDir, silentLogger)));
  afterEach(() => runtime.dispose());

  async function parse(text: string) {
    const grammar = await runtime.load("javascript");
    const tree = grammar?.parser.parse(text);
    assert.ok(tree);
    return tree;
  }

  it("ends at the node descendantForIndex finds, with its ancestors above it", async () => {
    const text = "function f(a) {\n  return a.b + g(1, [2, 3]);\n}\n";
    const tree = await parse(text);
    try {
      for (const offset of [0, 9, 16, text.indexOf("b +"), text.indexOf("3]"), text.length - 1]) {
        const path = pathTo(tree, Math.max(0, offset - 1), offset);
        const expected = tree.rootNode.descendantForIndex(Math.max(0, offset - 1), offset);
        assert.ok(path && expected);
        assert.equal(path.at(-1)?.id, expected.id, `at ${offset}`);
        for (let i = path.length - 1; i > 0; i--) assert.equal(path[i].parent?.id, path[i - 1].id);
      }
    } finally {
      tree.delete();
    }
  });

  it("gives up on a tree nested deeper than its limit, and walks no further", async () => {
    const text = "x = " + "[".repeat(5000) + "1" + "]".repeat(5000) + ";\n";
    const tree = await parse(text);
    try {
      assert.equal(pathTo(tree, 5004, 5004, 100), null);
      assert.ok(pathTo(tree, 0, 0, 100));
    } finally {
      tree.delete();
    }
  });

  it("lists only the first named children asked for", async () => {
    const tree = await parse(Array.from({ length: 50 }, (_, i) => `let v${i} = ${i};`).join("\n"));
    try {
      const children = firstNamedChildren(tree.rootNode, 10);
      assert.equal(children.length, 10);
      assert.equal(children[9].text, "let v9 = 9;");
    } finally {
      tree.delete();
    }
  });
});
