// Faults at any point: the engine process is killed (SIGKILL) or stopped (SIGSTOP) while it starts, loads, completes
// or chats. Every time, the request in flight fails with a clear error (never waits forever), the status stops saying
// loading or busy, and the next request of the same kind is answered by a fresh engine. One client lives through all
// the faults, as a user's would.
import { strict as assert } from "node:assert";
import { EngineClient, type EngineStatus } from "../../../src/engine/client";
import { EngineError } from "../../../src/engine/protocol";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { MemoryLogger, WORKER_PATH, testSettings } from "../helpers/engine";

type Phase = "load" | "infill" | "chat";
type Point = "as the process starts" | "at the loading status" | "at once" | "at the first chunk" | "at the tenth chunk";

const CASES: ReadonlyArray<readonly [Phase, Point]> = [
  ["load", "as the process starts"],
  ["load", "at the loading status"],
  ["infill", "at once"],
  ["infill", "at the tenth chunk"],
  ["chat", "at the first chunk"],
  ["chat", "at the tenth chunk"],
];

describe("engine faults during loads, completions and chats", function () {
  this.timeout(120_000);
  let client: EngineClient;
  const logger = new MemoryLogger();

  before(async () => {
    client = new EngineClient({
      workerPath: WORKER_PATH,
      logger,
      restartBackoffMs: [20],
      // A stopped load is caught by its deadline (8 s without progress), anything else by the heartbeat (2.5 s).
      supervision: { heartbeatIntervalMs: 200, unresponsiveMs: 2500, loadDeadline: { baseMs: 8000, bytesPerSecond: 1e12 } },
    });
    await client.configure(testSettings(await ensureTestModel("tiny"), { contextSize: 2048 }));
  });
  after(() => client.dispose());

  const failedCleanly = (error: unknown) => error instanceof EngineError && (error.code === "engine-crashed" || error.code === "engine-unresponsive");

  /** Resolves with the engine's pid as soon as one runs (polling: the process may start and die within a tick). */
  const pidSoon = () =>
    new Promise<number>((resolve) => {
      const check = () => (client.pid ? resolve(client.pid) : setImmediate(check));
      check();
    });

  for (const signal of ["SIGKILL", "SIGSTOP"] as const) {
    for (const [phase, point] of CASES) {
      it(`recovers from ${signal} during a ${phase}, ${point}`, async () => {
        if (phase === "load") await client.unload();
        else await client.load();
        let injected = false;
        const inject = (pid = client.pid) => {
          if (injected || !pid) return;
          injected = true;
          process.kill(pid, signal);
        };
        let chunks = 0;
        const onChunk = () => {
          chunks++;
          if ((point === "at the first chunk" && chunks === 1) || (point === "at the tenth chunk" && chunks === 10)) inject();
        };
        const statuses: EngineStatus["kind"][] = [];
        const sub = client.onDidChangeStatus((status) => {
          statuses.push(status.kind);
          if (point === "at the loading status" && status.kind === "loading") inject();
        });
        const request =
          phase === "load"
            ? client.load()
            : phase === "infill"
              ? client.infill({ prefix: "function f() {", suffix: "", maxTokens: 1000 }, { onChunk })
              : client.chat({ messages: [{ role: "user", content: "Tell me a long story" }], maxTokens: 1500 }, { onChunk });
        if (point === "as the process starts") inject(await pidSoon());
        if (point === "at once") inject(client.pid ?? (await pidSoon()));
        try {
          await assert.rejects(request, failedCleanly);
        } finally {
          sub.dispose();
        }
        assert.ok(injected, "the fault was injected");
        assert.equal(client.status.kind, "error", `the status after the fault (statuses: ${statuses.join(", ")})`);
        const recovered =
          phase === "load"
            ? await client.load().then(() => true)
            : phase === "infill"
              ? (await client.infill({ prefix: "let a = ", suffix: "", maxTokens: 2 })).stopReason === "max-tokens"
              : (await client.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 2 })).stopReason === "max-tokens";
        assert.ok(recovered);
        assert.equal(client.status.kind, "ready");
      });
    }
  }
});
