import * as assert from "node:assert/strict";
import { ContextHold } from "../../../src/context/context-hold";
import type { ContextItem } from "../../../src/context/context-types";

function item(path: string, startLine: number, tokens = 10, kind: ContextItem["kind"] = "definition", score = 1): ContextItem {
  return { kind, source: "workspace", path, startLine, endLine: startLine + 2, text: `${path}:${startLine}`, tokens, score };
}

describe("ContextHold", () => {
  let clock = 0;
  let hold: ContextHold;
  const METHOD = ["method:12", "class:3"];
  beforeEach(() => {
    clock = 0;
    hold = new ContextHold({ now: () => clock, pauseMs: 3000 });
  });
  /** One keystroke in a.ts, then a request 150 ms later. */
  const typeAndAsk = (fresh: ContextItem[], scope: readonly string[] = METHOD, budgetTokens = 100): ContextItem[] => {
    clock += 60;
    hold.edited("a.ts");
    clock += 150;
    return hold.choose({ uri: "a.ts", scope, fresh, budgetTokens });
  };

  it("keeps the held items, in their order, while the user types in one scope, whatever the mixer now prefers", () => {
    const first = typeAndAsk([item("b.ts", 1), item("c.ts", 5, 10, "snippet")]);
    assert.deepEqual(typeAndAsk([item("c.ts", 9, 10, "snippet"), item("b.ts", 1)]), first);
    assert.deepEqual(typeAndAsk([]), first);
  });

  it("adds a definition the mixer newly chooses at the end of the block, best first, while it fits the budget", () => {
    typeAndAsk([item("b.ts", 1, 50)]);
    const items = typeAndAsk([item("a-lib.ts", 1, 30, "definition", 1), item("z.ts", 1, 20, "definition", 5), item("y.ts", 1, 25, "definition", 3)]);
    assert.deepEqual(
      items.map((i) => i.path),
      ["b.ts", "z.ts", "y.ts"],
    );
  });

  it("does not add a snippet while the user types (similar code shifts with every key), nor what overlaps a held item", () => {
    typeAndAsk([item("b.ts", 1)]);
    const overlapping = { ...item("b.ts", 2), text: "another cut of b.ts" };
    assert.deepEqual(
      typeAndAsk([item("c.ts", 1, 10, "snippet"), overlapping]).map((i) => i.path),
      ["b.ts"],
    );
  });

  it("chooses afresh in another scope, the items it shares with the held ones first in their held order", () => {
    typeAndAsk([item("b.ts", 1), item("c.ts", 1), item("d.ts", 1)]);
    const items = typeAndAsk([item("a.ts", 40), item("c.ts", 1), item("b.ts", 1)], ["method:30", "class:3"]);
    assert.deepEqual(
      items.map((i) => i.path),
      ["b.ts", "c.ts", "a.ts"],
    );
  });

  it("treats a scope the parse of half-typed code loses for a keystroke (the class without its method) as the same", () => {
    const first = typeAndAsk([item("b.ts", 1)]);
    assert.deepEqual(typeAndAsk([item("c.ts", 1, 10, "snippet")], ["class:3"]), first);
    assert.deepEqual(typeAndAsk([item("c.ts", 1, 10, "snippet")], METHOD), first);
  });

  it("after a pause, makes room for a definition the mixer now chooses by dropping the last held items it no longer chooses, no more", () => {
    typeAndAsk([item("b.ts", 1, 30), item("c.ts", 1, 30), item("e.ts", 1, 30)]);
    clock += 5000;
    assert.deepEqual(
      typeAndAsk([item("b.ts", 1, 30), item("f.ts", 1, 30), item("g.ts", 1, 10, "snippet")]).map((i) => i.path),
      ["b.ts", "c.ts", "f.ts"],
    );
    assert.equal(hold.choice, "pause");
  });

  it("chooses afresh after the user brought another file to the front and came back, the shared items first", () => {
    typeAndAsk([item("b.ts", 1), item("c.ts", 1, 10, "snippet")]);
    hold.visited("other.ts");
    hold.visited("a.ts");
    assert.deepEqual(
      typeAndAsk([item("d.ts", 1, 10, "snippet"), item("b.ts", 1)]).map((i) => i.path),
      ["b.ts", "d.ts"],
    );
    assert.equal(hold.choice, "visit");
    assert.deepEqual(
      typeAndAsk([item("e.ts", 1, 10, "snippet"), item("b.ts", 1)]).map((i) => i.path),
      ["b.ts", "d.ts"],
      "only once",
    );
  });

  it("chooses afresh in another document, and after the held document is closed", () => {
    typeAndAsk([item("b.ts", 1)]);
    assert.deepEqual(
      hold.choose({ uri: "other.ts", scope: METHOD, fresh: [item("c.ts", 1, 10, "snippet")], budgetTokens: 100 }).map((i) => i.path),
      ["c.ts"],
    );
    hold.forget("other.ts");
    assert.deepEqual(
      typeAndAsk([item("d.ts", 1, 10, "snippet")]).map((i) => i.path),
      ["d.ts"],
    );
  });
});

describe("ContextHold's prefix start", () => {
  it("only moves the prefix window's first line down while the held items are kept, and follows the budget when they are chosen afresh in another scope", () => {
    let clock = 0;
    const hold = new ContextHold({ now: () => clock, pauseMs: 3000 });
    let fresh: ContextItem[] = [];
    const ask = (scope = ["fn:1"]): void => {
      clock += 200;
      hold.edited("a.ts");
      hold.choose({ uri: "a.ts", scope, fresh, budgetTokens: 100 });
    };
    ask();
    assert.equal(hold.prefixStartLine(32, 90), 32);
    ask();
    assert.equal(hold.prefixStartLine(16, 90), 32, "a budget that grows back does not move it up");
    ask();
    assert.equal(hold.prefixStartLine(48, 91), 48);
    ask();
    assert.equal(hold.prefixStartLine(16, 40), 16, "never below the cursor's line");
    fresh = [item("b.ts", 1)];
    ask(["fn:60"]);
    assert.equal(hold.prefixStartLine(0, 90), 0);
  });

  it("keeps the prefix window's first line while the typed text outgrows the budget, as long as the held line fits the slack", () => {
    let clock = 0;
    const hold = new ContextHold({ now: () => clock, pauseMs: 3000 });
    const ask = (): void => {
      clock += 200;
      hold.edited("a.ts");
      hold.choose({ uri: "a.ts", scope: ["fn:1"], fresh: [], budgetTokens: 100 });
    };
    ask();
    assert.equal(hold.prefixStartLine(32, 90), 32);
    ask();
    assert.equal(hold.prefixStartLine(48, 96, (line) => line >= 32), 32, "the budget's line moved down, the held one still fits");
    ask();
    assert.equal(hold.prefixStartLine(48, 99, (line) => line >= 40), 48, "the held line no longer fits: the budget's");
  });

  it("keeps the prefix window's first line through a pause after which the same items are chosen (nothing before it changed)", () => {
    let clock = 0;
    const hold = new ContextHold({ now: () => clock, pauseMs: 3000 });
    const ask = (gap: number): void => {
      clock += gap;
      hold.edited("a.ts");
      hold.choose({ uri: "a.ts", scope: ["fn:1"], fresh: [item("b.ts", 1)], budgetTokens: 100 });
    };
    ask(200);
    assert.equal(hold.prefixStartLine(32, 90), 32);
    ask(5000);
    assert.equal(hold.choice, "kept");
    assert.equal(hold.prefixStartLine(48, 96, (line) => line >= 32), 32);
  });

  it("says why the other-file context is what it is: first, kept, added, pause, scope, document", () => {
    let clock = 0;
    const hold = new ContextHold({ now: () => clock, pauseMs: 3000 });
    const ask = (gap: number, fresh: ContextItem[], scope = ["fn:1"], uri = "a.ts"): string => {
      clock += gap;
      hold.edited(uri);
      hold.choose({ uri, scope, fresh, budgetTokens: 100 });
      return hold.choice;
    };
    assert.deepEqual(
      [
        ask(200, [item("b.ts", 1)]),
        ask(200, [item("b.ts", 1)]),
        ask(200, [item("b.ts", 1), item("c.ts", 1)]),
        ask(5000, [item("d.ts", 1)]),
        ask(200, [item("e.ts", 1)], ["fn:40"]),
        ask(200, [item("f.ts", 1)], ["fn:1"], "z.ts"),
      ],
      ["first", "kept", "added", "pause", "scope", "document"],
    );
  });
});
