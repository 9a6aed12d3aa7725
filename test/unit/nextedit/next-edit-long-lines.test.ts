// Next edit in a file with a minified line (a bundle's 1 MB line): the prompt would be megabytes, built at every
// keystroke for the prefill and refused by a model whose context holds a few thousand tokens. The request is skipped
// with a reason instead, and an earlier edit of such a line is left out of other files' prompts.
import { strict as assert } from "node:assert";
import { MemoryLogger } from "../../../src/common/logger";
import type { PromptPiece } from "../../../src/fim/types";
import { EditHistory } from "../../../src/nextedit/edit-history";
import { SWEEP_FORMAT } from "../../../src/nextedit/formats";
import { NextEditRequests, type EditorState, type NextEditOutcome } from "../../../src/nextedit/next-edit-requests";
import { MAX_WINDOW_CHARS, windowChars } from "../../../src/nextedit/prompt-bounds";
import { sliceLines, lineOfOffset } from "../../../src/nextedit/text-lines";
import { cpuGrowth } from "../helpers/cpu-time";

const SOURCE = Array.from({ length: 40 }, (_, i) => `export const value${i} = ${i};`).join("\n");
const MINIFIED = `!function(){${"var a=1,b=2;".repeat(75_000)}}();`; // 900 KB on one line
const promptChars = (pieces: readonly PromptPiece[]) => pieces.reduce((sum, piece) => sum + (piece.kind === "text" ? piece.text.length : piece.token.length), 0);

/** A history, requests on a scripted generator that records the prompts it is given, and the active editor. */
function setup() {
  const history = new EditHistory(() => true);
  const prompts: number[] = [];
  const prefills: number[] = [];
  const editor: { state: EditorState | undefined } = { state: undefined };
  const requests = new NextEditRequests(
    {
      history,
      logger: new MemoryLogger(),
      format: () => SWEEP_FORMAT,
      editor: () => editor.state,
      generator: {
        generate: async (request) => {
          prompts.push(promptChars(request.pieces));
          return { text: request.window.text, promptTokens: 1 };
        },
        prefill: async (pieces) => {
          prefills.push(promptChars(pieces));
          return null;
        },
      },
    },
    { pauseMs: 1 },
  );
  /** The user typed `typed` at `offset` of `file`: the history records it and the cursor is after it. */
  const type = (path: string, before: string, offset: number, typed: string): string => {
    const file = { uri: `file:///w/${path}`, path, languageId: "javascript" };
    const after = before.slice(0, offset) + typed + before.slice(offset);
    history.open(file, before);
    history.change(file, [{ offset, removedLength: 0, text: typed }], after);
    editor.state = { uri: file.uri, path, version: 2, text: after, cursor: offset + typed.length, hasSelection: false };
    return after;
  };
  const settled = () => new Promise<NextEditOutcome>((resolve) => {
    const sub = requests.onDidSettle((outcome) => {
      sub.dispose();
      resolve(outcome);
    });
  });
  return { requests, prompts, prefills, type, settled };
}

describe("next edit beside a minified line", () => {
  it("skips a request whose window holds a 900 KB line, saying why, without building a prompt for it", async () => {
    const { requests, prompts, prefills, type, settled } = setup();
    type("dist/bundle.js", `${SOURCE}\n${MINIFIED}\n${SOURCE}\n`, SOURCE.length + 1 + 450_000, "x");
    const outcome = settled();
    requests.edited();
    assert.deepEqual(await outcome, { kind: "skipped", reason: "long-lines" });
    assert.deepEqual([prompts, prefills], [[], []]);
    requests.dispose();
  });

  it("skips a request for an edit on a short line when the minified line is within the window's lines", async () => {
    const { requests, prompts, type, settled } = setup();
    type("dist/bundle.js", `${SOURCE}\n${MINIFIED}\n${SOURCE}\n`, SOURCE.length - 3, "1");
    const outcome = settled();
    requests.edited();
    assert.deepEqual(await outcome, { kind: "skipped", reason: "long-lines" });
    assert.deepEqual(prompts, []);
    requests.dispose();
  });

  it("leaves an earlier edit of a minified line out of the next file's prompt, which stays small", async () => {
    const { requests, prompts, prefills, type, settled } = setup();
    type("dist/bundle.js", `${MINIFIED}\n`, 450_000, "x");
    type("src/a.ts", `${SOURCE}\n`, SOURCE.indexOf("value20") + 7, "1");
    const outcome = settled();
    requests.edited();
    assert.equal((await outcome).kind, "dropped");
    assert.equal(prompts.length, 1);
    assert.ok(prompts[0]! < 8 * 1024, `a prompt of ${prompts[0]} characters`);
    assert.ok(prefills.every((chars) => chars < 8 * 1024), `prefills of ${prefills.join(", ")} characters`);
    requests.dispose();
  });

  it("measures the window as sliceLines cuts it, at the start, the end and around empty lines", () => {
    const texts = ["", "\n", "a\n\nb", "\n\nabc\n", SOURCE, `x\n${SOURCE}\n\n`];
    for (const text of texts) {
      for (let cursor = 0; cursor <= text.length; cursor += Math.max(1, Math.floor(text.length / 37))) {
        for (const [above, below] of [[0, 0], [1, 1], [10, 10], [2, 0]]) {
          const line = lineOfOffset(text, cursor);
          assert.equal(windowChars(text, cursor, above!, below!), sliceLines(text, line - above!, line + below!).text.length, `${JSON.stringify(text.slice(0, 20))} at ${cursor}, ${above} above, ${below} below`);
        }
      }
    }
  });

  it("decides in CPU time linear in the long line's length", () => {
    const text = (scale: number) => `${SOURCE}\n!function(){${"var a=1,b=2;".repeat(10_000 * scale)}}();\n${SOURCE}`;
    const small = text(1);
    const large = text(8);
    const growth = cpuGrowth((scale) => void windowChars(scale === 1 ? small : large, SOURCE.length + 100, 10, 10), 8);
    assert.ok(growth.ratio < 8 * 3, growth.shown);
    assert.ok(windowChars(large, SOURCE.length + 100, 10, 10) > MAX_WINDOW_CHARS);
  });
});
