// When a next-edit answer may stop early: once it made a change and copied the window again past anything that could
// be shown, and never in the middle of a change.
import { strict as assert } from "node:assert";

type Resync = typeof import("../../../../src/engine/worker/next-edit-resync.mjs", { with: { "resolution-mode": "import" } });

/** Feeds `answer` in small chunks; the completed answer at the stop, or undefined if it ran to its end. */
function feed(resync: Resync, window: string, cursorLine: number, answer: string): { stoppedAt: number; text: string } | undefined {
  const watcher = new resync.ResyncWatcher({ window, cursorLine });
  for (let at = 0; at < answer.length; at += 3) {
    const text = watcher.push(answer.slice(at, at + 3));
    if (text !== undefined) return { stoppedAt: at + 3, text };
  }
  return undefined;
}

const lines = (n: number, name = "line") => Array.from({ length: n }, (_, i) => `  const ${name}${i} = ${i};`);

describe("engine: when a next-edit answer stops early", () => {
  let resync: Resync;
  before(async () => {
    resync = await import("../../../../src/engine/worker/next-edit-resync.mjs");
  });

  it("stops three copied lines after a one-line change at the cursor, and completes the answer from the window", () => {
    const window = lines(21);
    const rewrite = [...window];
    rewrite[11] = "  const line11 = 11 * 2;";
    const answer = `${rewrite.join("\n")}\n`;
    const stop = feed(resync, window.join("\n"), 10, answer);
    assert.ok(stop, "the answer ran to its end");
    assert.equal(stop.text, answer);
    assert.ok(stop.stoppedAt < answer.indexOf("line16"), `stopped only at character ${stop.stoppedAt}`);
  });

  it("does not cut short a multi-line change whose lines repeat fewer than three of the window's lines in a row", () => {
    const window = ["export class Point {", "  x: number;", "  y: number;", "  z: number;", "  constructor(x: number, y: number) {", "    this.x = x;", "    this.y = y;", "  }", "}", "", "export const origin = new Point(0, 0);"];
    // The change rewrites the constructor and adds a line; two of its lines are the window's own ("this.x", "this.y").
    const rewrite = [...window.slice(0, 4), "  constructor(x: number, y: number, z: number) {", "    this.x = x;", "    this.y = y;", "    this.z = z;", ...window.slice(7)];
    const answer = `${rewrite.join("\n")}\n`;
    const stop = feed(resync, window.join("\n"), 3, answer);
    assert.equal(stop?.text ?? answer, answer, "the completed answer differs from the model's");
  });

  it("does not end a change at three lines that are the window's own from further down", () => {
    const window = [...lines(8), "  return total;", "}", "", ...lines(6, "other")];
    // The model inserts a copy of lines 8-10 at line 4 and goes on inserting: the copy must not read as a resync.
    const rewrite = [...window.slice(0, 4), "  if (done) {", "  return total;", "}", "", "  }", ...window.slice(4)];
    const answer = `${rewrite.join("\n")}\n`;
    const stop = feed(resync, window.join("\n"), 4, answer);
    assert.equal(stop?.text ?? answer, answer);
  });

  it("keeps writing while a change below the cursor could still be nearer than the one made", () => {
    const window = lines(21);
    const rewrite = [...window];
    rewrite[1] = "  const line1 = 'changed';";
    rewrite[17] = "  const line17 = 'changed';";
    const answer = `${rewrite.join("\n")}\n`;
    const stop = feed(resync, window.join("\n"), 15, answer);
    assert.equal(stop?.text ?? answer, answer);
    assert.ok(!stop || stop.stoppedAt > answer.indexOf("line17"), `stopped at character ${stop?.stoppedAt}, before the change at line 17`);
  });

  it("never stops an answer that only copies the window", () => {
    const window = lines(21).join("\n");
    assert.equal(feed(resync, window, 10, `${window}\n`), undefined);
  });

  it("stops after a deletion and after an insertion of whole lines, each completed exactly", () => {
    const window = lines(21);
    for (const rewrite of [[...window.slice(0, 11), ...window.slice(12)], [...window.slice(0, 11), "  const added = 1;", ...window.slice(11)]]) {
      const answer = `${rewrite.join("\n")}\n`;
      const stop = feed(resync, window.join("\n"), 10, answer);
      assert.ok(stop, "the answer ran to its end");
      assert.equal(stop.text, answer);
    }
  });
});
