// The background load of the configured model (hearth.model.loadOnStartup) on the real engine with the tiny model.
import { strict as assert } from "node:assert";
import type { Event } from "../../../src/common/event";
import { ModelPreloader, type PreloadDecision } from "../../../src/completion/model-preload";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { MemoryLogger, clientsDisposedAfterEach, testSettings, waitForStatus } from "../helpers/engine";

/** The next decision of `kind`, failing with what was decided instead if none comes in time. */
function nextDecision(event: Event<PreloadDecision>, kind: PreloadDecision["kind"], timeoutMs = 60_000): Promise<PreloadDecision> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no "${kind}" decision within ${timeoutMs} ms (saw: ${seen.join(", ") || "none"})`));
    }, timeoutMs);
    const sub = event((decision) => {
      seen.push(decision.kind);
      if (decision.kind !== kind) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(decision);
    });
  });
}

/** Resolves once every timer due by `ms` from now has run (timers of equal or shorter delay set before it fire first). */
const afterTimersOf = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms + 1));

describe("ModelPreloader", function () {
  this.timeout(90_000);
  const open = clientsDisposedAfterEach();
  const preloaders: ModelPreloader[] = [];
  afterEach(() => preloaders.splice(0).forEach((preloader) => preloader.dispose()));
  const preloaderOf = (...args: ConstructorParameters<typeof ModelPreloader>) => {
    const preloader = new ModelPreloader(...args);
    preloaders.push(preloader);
    return preloader;
  };

  it("loads the configured model in the background without any request", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    const preloader = preloaderOf(client, 0);
    const loaded = nextDecision(preloader.onDidDecide, "loaded");
    preloader.consider({ enabled: true, modelKey: "tiny" });
    await loaded;
    assert.equal(client.status.kind, "ready");
  });

  it("loads nothing when the setting is off", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    const preloader = preloaderOf(client, 0);
    const decisions: string[] = [];
    preloader.onDidDecide((decision) => decisions.push(decision.kind));
    preloader.consider({ enabled: false, modelKey: "tiny" });
    await afterTimersOf(0);
    assert.deepEqual(decisions, ["off"]);
    assert.equal(client.status.kind, "idle");
  });

  it("waits its delay before loading, and a newer configuration replaces a pending one", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    const preloader = preloaderOf(client, 50);
    const decisions: string[] = [];
    preloader.onDidDecide((decision) => decisions.push(`${decision.kind} ${decision.modelKey}`));
    preloader.consider({ enabled: true, modelKey: "first" });
    assert.equal(client.status.kind, "idle", "nothing starts before the delay");
    const loaded = nextDecision(preloader.onDidDecide, "loaded");
    preloader.consider({ enabled: true, modelKey: "second" });
    await loaded;
    assert.deepEqual(decisions, ["loading second", "loaded second"]);
  });

  it("does not load the same model settings again after the engine unloaded them", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    const preloader = preloaderOf(client, 0);
    const loaded = nextDecision(preloader.onDidDecide, "loaded");
    preloader.consider({ enabled: true, modelKey: "tiny" });
    await loaded;
    await client.unload();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    assert.equal(client.status.kind, "idle");
    const decisions: string[] = [];
    preloader.onDidDecide((decision) => decisions.push(decision.kind));
    preloader.consider({ enabled: true, modelKey: "tiny" });
    await afterTimersOf(0);
    assert.deepEqual(decisions, []);
    assert.equal(client.status.kind, "idle");
  });

  it("stays out of a load a request has already started, which the request finishes", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    const preloader = preloaderOf(client, 0);
    const skipped = nextDecision(preloader.onDidDecide, "skipped");
    const request = client.load();
    await waitForStatus(client, "loading", 30_000);
    preloader.consider({ enabled: true, modelKey: "tiny" });
    assert.deepEqual(await skipped, { kind: "skipped", modelKey: "tiny", status: "loading" });
    await request;
    assert.equal(client.status.kind, "ready");
  });

  it("adds no message of its own to a load that fails: the engine's one error line is all the log says", async () => {
    const logger = new MemoryLogger();
    const client = open(logger);
    // The engine's own memory budget stands in for a machine without room for the model.
    await client.configure(testSettings(await ensureTestModel("tiny"), { memoryBudgetBytes: 1024 }));
    const preloader = preloaderOf(client, 0);
    const failed = nextDecision(preloader.onDidDecide, "failed");
    preloader.consider({ enabled: true, modelKey: "tiny" });
    await failed;
    assert.equal(client.status.kind, "error");
    const errors = logger.lines.filter((line) => line.startsWith("error") || line.startsWith("warn"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0]!, /loading .*tiny.* failed/);
  });
});
