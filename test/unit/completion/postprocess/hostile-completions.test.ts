import * as assert from "node:assert/strict";
import { postprocessCompletion, postprocessStream } from "../../../../src/completion/postprocess/postprocess-completion";
import { findUnsafeCharacter } from "../../../../src/completion/postprocess/unsafe-characters";
import { HOSTILE_COMPLETIONS, ISSUE_15_FIRST_LINE, ISSUE_15_GHOST_TEXT, TODO_PREFIX, TODO_SUFFIX } from "../../../fixtures/completion/hostile-completions";

describe("hostile completion output", () => {
  it("shows only the first line of issue 15's twenty repeated lines with U+FFFD and control characters", () => {
    assert.equal(ISSUE_15_GHOST_TEXT.split("\n").filter((l) => l !== "").length, 20);
    const shown = postprocessCompletion({ prefix: TODO_PREFIX, suffix: TODO_SUFFIX, languageId: "typescript", multiline: true, completion: ISSUE_15_GHOST_TEXT, tokenLimit: true });
    assert.equal(shown, ISSUE_15_FIRST_LINE);
  });

  for (const c of HOSTILE_COMPLETIONS) {
    it(`shows only what is safe when the model ${c.name}`, async () => {
      const shown = postprocessCompletion({ ...c, tokenLimit: c.tokenLimit === true });
      assert.equal(shown, c.expected);
      assert.equal(findUnsafeCharacter(shown ?? ""), -1);
      async function* chunks(): AsyncGenerator<string> {
        for (let i = 0; i < c.completion.length; i += 3) yield c.completion.slice(i, i + 3);
      }
      // Streamed, an early stop leaves no token limit behind; the result is the same for every case here.
      const streamed = await postprocessStream(chunks(), c);
      assert.equal(findUnsafeCharacter(streamed ?? ""), -1);
    });
  }
});
