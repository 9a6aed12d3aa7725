// The webview's `slash` and `composing` messages as a compromised view could send them: the corpus's cases of those
// types (test/fixtures/chat/hostile-messages.ts, which bench/reliability runs too) are all refused.
import { strict as assert } from "node:assert";
import { HOSTILE_MESSAGES } from "../../fixtures/chat/hostile-messages";
import { parseWebviewMessage } from "../../../src/webview/protocol";

const cases = HOSTILE_MESSAGES.filter((c) => /^(slash|composing):/.test(c.name));

describe("hostile slash and composing messages from the webview", () => {
  it("has cases of both types in the corpus", () => {
    assert.ok(cases.some((c) => c.name.startsWith("slash:")) && cases.some((c) => c.name.startsWith("composing:")));
  });

  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      assert.equal(parseWebviewMessage(c.make()), null);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  it("accepts a plain /NAME with its text, and a bare composing", () => {
    assert.deepEqual(parseWebviewMessage({ type: "slash", name: "edit", text: "rename x" }), { type: "slash", name: "edit", text: "rename x" });
    assert.deepEqual(parseWebviewMessage({ type: "composing" }), { type: "composing" });
  });
});
