// While the user types, NextEditRequests has the engine evaluate the known front of the next prompt (the real engine
// process and the scripted next-edit model): one prefill per line typed, none while next-edit is off.
import { strict as assert } from "node:assert";
import { MemoryLogger } from "../../../src/common/logger";
import type { PromptPiece } from "../../../src/fim/types";
import { EditHistory } from "../../../src/nextedit/edit-history";
import { SWEEP_FORMAT, type NextEditFormat } from "../../../src/nextedit/formats";
import { NextEditRequests, type EditorState, type NextEditPrefillOutcome } from "../../../src/nextedit/next-edit-requests";
import { RENAME, ensureNextEditModel } from "../../fixtures/models/next-edit-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("NextEditRequests' prefill while the user types", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();

  async function setup(format: NextEditFormat | undefined) {
    const engine = open();
    await engine.configure(testSettings("", { nextEditModelPath: await ensureNextEditModel(RENAME.rewrite) }));
    // The model loads on a first request, as in the editor.
    await engine.nextEdit({ pieces: [{ kind: "text", text: "\n" }], specialTokens: [], stop: ["<|file_sep|>"], maxTokens: 1 });
    const file = { uri: `file:///w/${RENAME.path}`, path: RENAME.path, languageId: "typescript" };
    const history = new EditHistory(() => true);
    history.open(file, RENAME.before);
    const editor: EditorState = { uri: file.uri, path: file.path, version: 1, text: RENAME.before, cursor: 0, hasSelection: false };
    const sent: PromptPiece[][] = [];
    const requests = new NextEditRequests(
      {
        history,
        logger: new MemoryLogger(),
        format: () => format,
        editor: () => ({ ...editor }),
        generator: {
          generate: () => Promise.reject(new Error("no request runs within the pause of this test")),
          prefill: (pieces, signal) => {
            sent.push(pieces);
            return engine.prefillNextEdit({ pieces, specialTokens: [...SWEEP_FORMAT.specialTokens] }, { signal });
          },
        },
      },
      // No pause ends during the test: only the prefill runs.
      { pauseMs: 600_000 },
    );
    /** The user types `text` at `offset`, a character at a time, and the editor reports each edit. */
    const type = (offset: number, text: string) => {
      for (const char of text) {
        editor.text = editor.text.slice(0, offset) + char + editor.text.slice(offset);
        editor.version++;
        editor.cursor = ++offset;
        history.change(file, [{ offset: offset - 1, removedLength: 0, text: char }], editor.text);
        requests.edited();
      }
    };
    const prefilled = () =>
      new Promise<NextEditPrefillOutcome>((resolve) => {
        const sub = requests.onDidPrefill(({ outcome }) => {
          if (outcome.kind === "cancelled") return;
          sub.dispose();
          resolve(outcome);
        });
      });
    return { requests, type, sent, prefilled, editor };
  }

  it("evaluates the known front once per line typed, not once per keystroke", async () => {
    const { requests, type, sent, prefilled, editor } = await setup(SWEEP_FORMAT);
    const first = prefilled();
    type(RENAME.before.indexOf("const size"), "// area");
    const outcome = await first;
    assert.equal(outcome.kind, "done", JSON.stringify(outcome));
    assert.ok(outcome.kind === "done" && outcome.report && outcome.report.prefixTokens > 0, JSON.stringify(outcome));
    assert.equal(sent.length, 1, "the keystrokes after the first on the same line sent nothing");
    const second = prefilled();
    type(editor.cursor, "\n  // of a rectangle");
    assert.equal((await second).kind, "done");
    assert.equal(sent.length, 2, "the new line sent one more");
    requests.dispose();
  });

  it("sends nothing while next-edit is off", async () => {
    const { requests, type, sent } = await setup(undefined);
    type(RENAME.before.indexOf("const size"), "// area");
    assert.equal(sent.length, 0);
    requests.dispose();
  });
});
