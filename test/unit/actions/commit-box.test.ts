import { strict as assert } from "node:assert";
import { streamIntoBox, type CommitBox } from "../../../src/actions/commit-box";
import type { CommitOutcome } from "../../../src/actions/commit-message";

/** A `write` that streams `texts` (as writeCommitMessage calls onText), then ends as `end` says. */
function writer(texts: string[], end: CommitOutcome | Error, beforeEach?: (i: number) => void) {
  return async (onText: (text: string) => void): Promise<CommitOutcome> => {
    for (const [i, text] of texts.entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      beforeEach?.(i);
      onText(text);
    }
    if (end instanceof Error) throw end;
    return end;
  };
}

const written = (message: string) => ({ status: "written", message }) as unknown as CommitOutcome;

describe("streaming a commit message into the commit box", () => {
  it("shows the message as it streams and ends with the final one", async () => {
    const box: CommitBox = { value: "" };
    const seen: string[] = [];
    const outcome = await streamIntoBox(box, new AbortController(), (onText) =>
      writer(["fix:", "fix: lexer"], written("fix: lexer"), () => seen.push(box.value))(onText),
    );
    assert.equal(outcome.status, "written");
    assert.deepEqual(seen, ["", "fix:"]);
    assert.equal(box.value, "fix: lexer");
  });

  it("puts back what the box held when the answer is cancelled or empty", async () => {
    for (const end of [{ status: "cancelled" }, { status: "empty" }] as CommitOutcome[]) {
      const box: CommitBox = { value: "my draft" };
      await streamIntoBox(box, new AbortController(), writer(["fix: half"], end));
      assert.equal(box.value, "my draft", end.status);
    }
  });

  it("puts back what the box held when the model fails mid-stream, and reports the failure", async () => {
    const box: CommitBox = { value: "my draft" };
    await assert.rejects(streamIntoBox(box, new AbortController(), writer(["fix: half of a mess"], new Error("The engine stopped while answering."))), /engine stopped/);
    assert.equal(box.value, "my draft");
  });

  it("does not take the window's late echo of its own earlier text for the user's typing", async () => {
    // VS Code's commit box reads back, for a moment, a value the extension set before the latest one.
    let value = "";
    let stale: string | undefined;
    const box: CommitBox = {
      get value() {
        const shown = stale ?? value;
        stale = undefined;
        return shown;
      },
      set value(text: string) {
        value = text;
      },
    };
    const controller = new AbortController();
    const outcome = await streamIntoBox(box, controller, writer(["fix:", "fix: lexer", "fix: lexer splits"], written("fix: lexer splits"), (i) => i === 2 && (stale = "fix:")));
    assert.equal(controller.signal.aborted, false);
    assert.equal(outcome.status, "written");
    assert.equal(box.value, "fix: lexer splits");
  });

  it("stops the model and keeps the user's text when they type in the box while it streams", async () => {
    const box: CommitBox = { value: "" };
    const controller = new AbortController();
    const outcome = await streamIntoBox(box, controller, writer(["fix:", "fix: more", "fix: more text"], written("fix: more text"), (i) => i === 1 && (box.value = "fix: my own words")));
    assert.equal(controller.signal.aborted, true);
    assert.equal(outcome.status, "written");
    assert.equal(box.value, "fix: my own words");
  });
});
