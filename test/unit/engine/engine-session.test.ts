// The engine process is scheduled as a llama-server started from a terminal is: in a session of its own. Linux's
// autogroup scheduler shares the CPU between sessions first, so an engine in the extension host's session shared one
// share with everything there (on the loaded bench machine it got a sixth of llama-server's speed per token).
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, MemoryLogger, testSettings } from "../helpers/engine";

/** The session id of a process, from /proc/PID/stat (the fields after the command's closing parenthesis). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const [, , , session] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(session);
}

describe("engine process session", function () {
  this.timeout(120_000);
  const open = clientsDisposedAfterEach();

  it("runs the engine in a session of its own, not the extension host's", async function () {
    if (process.platform !== "linux") this.skip();
    const logger = new MemoryLogger();
    const client = open(logger);
    await client.configure(testSettings(await ensureTestModel("tiny")));
    await client.load();
    const pid = Number(/engine process started \(pid (\d+)\)/.exec(logger.lines.join("\n"))?.[1]);
    assert.ok(pid > 0, "the engine's pid is in the log");
    assert.notEqual(sessionOf(process.pid), pid);
    assert.equal(sessionOf(pid), pid);
  });
});
