// The reliability bench's hostile webview messages (bench/reliability/message-cases.ts) through the host's validator,
// all of them (they are fast): each is refused, or accepted only as a well-formed, bounded message.
import { strict as assert } from "node:assert";
import { runCasePool } from "../../../bench/reliability/case-pool";
import { MESSAGE_CORPUS, problemsOf } from "../../../bench/reliability/message-cases";
import { failures } from "../../../bench/reliability/outcomes";
import { parseWebviewMessage } from "../../../src/webview/protocol";
import { VALID_MESSAGES } from "../../fixtures/chat/hostile-messages";

describe("reliability: hostile webview messages through the host's validator", function () {
  this.timeout(60_000);

  it("covers every message type the webview may send", () => {
    for (const type of Object.keys(VALID_MESSAGES)) assert.ok(MESSAGE_CORPUS.some((c) => c.name.startsWith(`${type}:`)), type);
  });

  it("accepts the valid message of each type, so that a refusal below means something", () => {
    for (const [type, message] of Object.entries(VALID_MESSAGES)) {
      const parsed = parseWebviewMessage(structuredClone(message));
      assert.ok(parsed, `${type} was refused`);
      assert.deepEqual(problemsOf(parsed, message), []);
    }
  });

  it("refuses or safely accepts every hostile message, without a throw, a hang or a polluted prototype", async () => {
    const results = await runCasePool({ corpus: "messages", module: "message-cases.js", cases: MESSAGE_CORPUS, timeoutMs: 10_000 });
    assert.deepEqual(failures(results).map((r) => `${r.name}: ${r.outcome} (${r.detail})`), []);
    assert.ok(results.filter((r) => r.outcome === "refused").length > results.length * 0.8, "most hostile messages are refused");
  });

  it("calls an accepted message with a link to a command or a local file unsafe (the check can fail)", () => {
    assert.notDeepEqual(problemsOf({ type: "openLink", href: "command:workbench.action.terminal.new" }, {}), []);
    assert.notDeepEqual(problemsOf({ type: "send", text: "x", extra: 1 }, {}), []);
  });
});
