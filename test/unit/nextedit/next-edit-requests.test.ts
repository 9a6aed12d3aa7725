// Next-edit requests end to end below the editor: the history, the scheduler and post-processing on top of the real
// engine process running a scripted next-edit model, whose greedy answer is the chosen rewrite.
import { strict as assert } from "node:assert";
import type { EngineClient } from "../../../src/engine/client";
import { MemoryLogger } from "../../../src/common/logger";
import { EditHistory } from "../../../src/nextedit/edit-history";
import { SWEEP_FORMAT } from "../../../src/nextedit/formats";
import { NextEditRequests, type EditorState, type NextEditOutcome } from "../../../src/nextedit/next-edit-requests";
import { ADD_FIELD, RENAME, afterEdit, ensureNextEditModel, type NextEditScenario } from "../../fixtures/models/next-edit-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

const apply = (text: string, s: { start: number; end: number; text: string }) => text.slice(0, s.start) + s.text + text.slice(s.end);

describe("NextEditRequests with the engine's next-edit model", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();

  /** A user who made the scenario's edit in an editor: the history saw it, the cursor is at its end. */
  async function setup(scenario: NextEditScenario, client?: EngineClient) {
    const engine = client ?? open();
    await engine.configure(testSettings("", { nextEditModelPath: await ensureNextEditModel(scenario.rewrite) }));
    const file = { uri: `file:///w/${scenario.path}`, path: scenario.path, languageId: "typescript" };
    const history = new EditHistory(() => true);
    history.open(file, scenario.before);
    const offset = scenario.before.indexOf(scenario.edit.from);
    const text = afterEdit(scenario);
    history.change(file, [{ offset, removedLength: scenario.edit.from.length, text: scenario.edit.to }], text);
    const editor: EditorState = { uri: file.uri, path: file.path, version: 2, text, cursor: offset + scenario.edit.to.length, hasSelection: false };
    /** Called on each piece of the engine's answer as it comes. */
    const hooks: { onChunk?: () => void } = {};
    const requests = new NextEditRequests(
      {
        history,
        logger: new MemoryLogger(),
        format: () => SWEEP_FORMAT,
        editor: () => ({ ...editor }),
        generator: {
          generate: async (request, signal) => {
            const result = await engine.nextEdit({ pieces: request.pieces, specialTokens: [...SWEEP_FORMAT.specialTokens], stop: [...request.stopStrings], maxTokens: request.maxTokens }, { signal, onChunk: () => hooks.onChunk?.() });
            return { text: result.text, promptTokens: result.promptTokens };
          },
        },
      },
      { pauseMs: 1 },
    );
    const settled = () => new Promise<NextEditOutcome>((resolve) => {
      const sub = requests.onDidSettle((outcome) => {
        sub.dispose();
        resolve(outcome);
      });
    });
    return { engine, requests, editor, history, settled, hooks };
  }

  it("suggests the renamed parameter's use after a rename, and applying it gives the model's rewrite", async () => {
    const { requests, editor, settled } = await setup(RENAME);
    const outcome = settled();
    requests.edited();
    const result = await outcome;
    assert.equal(result.kind, "shown", JSON.stringify(result));
    if (result.kind !== "shown") return;
    assert.equal(result.suggestion.text, "idth");
    assert.equal(apply(editor.text, result.suggestion), RENAME.rewrite);
    requests.dispose();
  });

  it("suggests adding the new field to the constructor first, then to its body", async () => {
    const { requests, editor, history, settled } = await setup(ADD_FIELD);
    let outcome = settled();
    requests.edited();
    let result = await outcome;
    assert.equal(result.kind === "shown" && result.suggestion.text, ", z: number");
    if (result.kind !== "shown") return;
    // The user takes it: the document changes, the history records the change, the next request follows.
    const file = { uri: editor.uri, path: editor.path, languageId: "typescript" };
    const taken = apply(editor.text, result.suggestion);
    history.change(file, [{ offset: result.suggestion.start, removedLength: result.suggestion.end - result.suggestion.start, text: result.suggestion.text }], taken);
    Object.assign(editor, { text: taken, version: editor.version + 1, cursor: result.suggestion.start + result.suggestion.text.length });
    outcome = settled();
    requests.edited();
    result = await outcome;
    assert.equal(result.kind, "shown", JSON.stringify(result));
    if (result.kind !== "shown") return;
    assert.equal(apply(editor.text, result.suggestion), ADD_FIELD.rewrite);
    requests.dispose();
  });

  it("drops an answer that comes for an older version of the document", async () => {
    const { requests, editor, settled } = await setup(RENAME);
    const outcome = settled();
    // The document changes while the model works (another change than one this scheduler was told of).
    requests.onDidStart(() => Object.assign(editor, { version: editor.version + 1 }));
    requests.edited();
    assert.deepEqual(await outcome, { kind: "stale" });
    requests.dispose();
  });

  it("ends cancelled, showing nothing, when cancelled while the model works, and the engine answers the next request", async () => {
    const { requests, settled, hooks } = await setup(RENAME);
    let outcome = settled();
    // Cancelled once the engine writes the answer (cancelling at the start would stop it before it reached the engine).
    let chunks = 0;
    hooks.onChunk = () => ++chunks === 1 && requests.cancel();
    requests.edited();
    assert.deepEqual(await outcome, { kind: "cancelled" });
    assert.equal(chunks, 1, "the model had begun writing when it was cancelled");
    hooks.onChunk = undefined;
    outcome = settled();
    requests.edited();
    // Seen once not shown at load ~25 and not reproduced since: say what it was instead.
    const next = await outcome;
    assert.equal(next.kind, "shown", JSON.stringify(next));
    requests.dispose();
  });

  it("still suggests after large edits in another file, showing fewer of them when the prompt would not fit the model's context", async () => {
    const { requests, editor, history, settled } = await setup(RENAME);
    const other = { uri: "file:///w/src/other.ts", path: "src/other.ts", languageId: "typescript" };
    let text = "";
    history.open(other, text);
    for (let i = 0; i < 3; i++) {
      // About 400 tokens each: three of them and the window are more than the context of 1,024 holds.
      const added = Array.from({ length: 40 }, (_, line) => `export const value${i}_${line} = compute(${line}, "${i}");\n`).join("");
      history.change(other, [{ offset: text.length, removedLength: 0, text: added }], text + added);
      text += added;
    }
    // The scenario's own edit is the newest.
    const renamed = afterEdit(RENAME);
    const offset = RENAME.before.indexOf(RENAME.edit.from);
    history.change({ uri: editor.uri, path: editor.path, languageId: "typescript" }, [{ offset, removedLength: 0, text: "" }], renamed);
    const outcome = settled();
    requests.edited();
    const result = await outcome;
    assert.equal(result.kind, "shown", JSON.stringify(result));
    if (result.kind !== "shown") return;
    assert.equal(apply(editor.text, result.suggestion), RENAME.rewrite);
    requests.dispose();
  });

  it("cancels the pending request when the user edits again, so only the last edit's request runs", async () => {
    const { requests, settled } = await setup(RENAME);
    const outcomes: NextEditOutcome[] = [];
    requests.onDidSettle((o) => outcomes.push(o));
    let starts = 0;
    requests.onDidStart(() => starts++);
    const outcome = settled();
    for (let i = 0; i < 5; i++) requests.edited();
    await outcome;
    assert.equal(starts, 1);
    assert.equal(outcomes.length, 1);
    requests.dispose();
  });
});
