// The window and the earlier window a next-edit prompt shows.
import { strict as assert } from "node:assert";
import { EditHistory } from "../../../src/nextedit/edit-history";
import { SWEEP_FORMAT } from "../../../src/nextedit/formats";
import { buildNextEditPrompt, changedLines } from "../../../src/nextedit/next-edit-prompt";

const FILE = { uri: "file:///w/a.ts", path: "a.ts", languageId: "typescript" };
const LINES = Array.from({ length: 60 }, (_, i) => `line ${i}`);

describe("buildNextEditPrompt", () => {
  it("cuts 10 lines above and below the cursor's line, with the same lines before the last edit", () => {
    const before = LINES.join("\n");
    const after = before.replace("line 30", "row 30");
    const history = new EditHistory(() => true);
    history.open(FILE, before);
    history.change(FILE, [{ offset: before.indexOf("line 30"), removedLength: 4, text: "row" }], after);
    const prompt = buildNextEditPrompt({ format: SWEEP_FORMAT, path: "a.ts", text: after, cursorOffset: after.indexOf("row 30"), events: history.recent(), lastEvent: history.lastEventOf(FILE.uri) });
    assert.equal(prompt.window.text, after.split("\n").slice(20, 41).join("\n"));
    assert.equal(prompt.original, LINES.slice(20, 41).join("\n"));
    assert.equal(after.slice(prompt.window.start, prompt.window.end), prompt.window.text);
  });

  it("keeps the earlier window aligned when the last edit added lines above the window's end", () => {
    const before = LINES.join("\n");
    const after = before.replace("line 30\n", "line 30\nnew a\nnew b\n");
    const history = new EditHistory(() => true);
    history.open(FILE, before);
    history.change(FILE, [{ offset: before.indexOf("line 31"), removedLength: 0, text: "new a\nnew b\n" }], after);
    const prompt = buildNextEditPrompt({ format: SWEEP_FORMAT, path: "a.ts", text: after, cursorOffset: after.indexOf("new b"), events: history.recent(), lastEvent: history.lastEventOf(FILE.uri) });
    // The window is lines 22..42 now; before the edit the same code was lines 22..40.
    assert.equal(prompt.original, LINES.slice(22, 41).join("\n"));
  });

  it("begins each prompt with the previous prompt's diff blocks until it holds 3, then starts again from the newest edit", () => {
    let text = LINES.join("\n");
    let now = 0;
    const history = new EditHistory(() => true, { now: () => now });
    history.open(FILE, text);
    const blockPaths: string[][] = [];
    const fronts: string[] = [];
    let shownFrom;
    for (const line of [5, 15, 25, 35, 45, 55]) {
      // Each edit far from the last and seconds later: an event of its own.
      const at = text.indexOf(`line ${line}\n`);
      const after = `${text.slice(0, at)}edited ${line}${text.slice(at + `line ${line}`.length)}`;
      history.change(FILE, [{ offset: at, removedLength: `line ${line}`.length, text: `edited ${line}` }], after);
      text = after;
      now += 5000;
      const prompt = buildNextEditPrompt({ format: SWEEP_FORMAT, path: "a.ts", text, cursorOffset: text.indexOf(`edited ${line}`), events: history.recent(), lastEvent: history.lastEventOf(FILE.uri), ...(shownFrom ? { shownFrom } : {}) });
      shownFrom = prompt.shownFrom;
      const blocks = prompt.pieces.flatMap((piece) => (piece.kind === "text" && piece.text.startsWith("a.ts.diff") ? [piece.text] : []));
      blockPaths.push(blocks.map((block) => /updated:\n(.*)\n/.exec(block)![1]!));
      fronts.push(blocks.join(""));
    }
    assert.deepEqual(blockPaths, [["edited 5"], ["edited 5", "edited 15"], ["edited 5", "edited 15", "edited 25"], ["edited 35"], ["edited 35", "edited 45"], ["edited 35", "edited 45", "edited 55"]]);
    for (const i of [1, 2, 4, 5]) assert.ok(fronts[i]!.startsWith(fronts[i - 1]!), `prompt ${i} does not begin with prompt ${i - 1}'s blocks`);
  });

  it("uses the window itself as the earlier window when the file has no edit yet", () => {
    const text = LINES.join("\n");
    const prompt = buildNextEditPrompt({ format: SWEEP_FORMAT, path: "a.ts", text, cursorOffset: 0, events: [], lastEvent: undefined });
    assert.equal(prompt.window.text, LINES.slice(0, 11).join("\n"));
    assert.equal(prompt.original, prompt.window.text);
  });
});

describe("changedLines", () => {
  it("gives the changed lines of each side", () => {
    assert.deepEqual(changedLines("a\nb\nc", "a\nB\nB2\nc"), {
      before: { first: 1, last: 1, text: "b" },
      after: { first: 1, last: 2, text: "B\nB2" },
    });
  });
});
