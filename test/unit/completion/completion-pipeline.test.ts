// The pipeline every front end builds (the extension and the CLI), on the real engine with the scripted test model.
import { strict as assert } from "node:assert";
import { silentLogger } from "../../../src/common/logger";
import { CompletionPipeline, pathInFolder } from "../../../src/completion/completion-pipeline";
import type { AssembledContext } from "../../../src/context/context-types";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir } from "../context/fixtures";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

const TEXT = "export function countDone(items: { done: boolean }[]): number {\n  \n}\n";
const URI = "file:///work/todo.ts";
const snapshot = () => ({ uri: URI, languageId: "typescript", text: TEXT, offset: TEXT.indexOf("  \n") + 2, version: 1, cursorLine: 1 });

describe("CompletionPipeline", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();

  const pipelineOn = (engine: ReturnType<typeof open>) =>
    new CompletionPipeline({ engine, grammarsDir, logger: silentLogger, budgetTokens: 1024, relativePath: (path) => path });

  it("answers the first request when it is built after the model loaded (the model is not taken for a new one)", async () => {
    const engine = open();
    await engine.configure(testSettings(await ensureTestModel("scripted")));
    await engine.load();
    const pipeline = pipelineOn(engine);
    try {
      const suggestion = await pipeline.manager.provide({ snapshot: snapshot(), triggerKind: "invoked", signal: new AbortController().signal });
      assert.equal(suggestion?.text, DEFAULT_SCRIPT.fim);
    } finally {
      pipeline.dispose();
    }
  });

  it("reports the context of each model call, as it went into the prompt", async () => {
    const engine = open();
    const pipeline = pipelineOn(engine);
    try {
      await engine.configure(testSettings(await ensureTestModel("scripted")));
      const contexts: AssembledContext[] = [];
      pipeline.onDidAssemble((context) => contexts.push(context));
      await pipeline.manager.provide({ snapshot: snapshot(), triggerKind: "invoked", signal: new AbortController().signal });
      assert.equal(contexts.length, 1);
      assert.equal(contexts[0]!.prefix, TEXT.slice(0, snapshot().offset));
    } finally {
      pipeline.dispose();
    }
  });
});

describe("pathInFolder", () => {
  it("gives a path inside the folder with forward slashes", () => {
    assert.equal(pathInFolder("/ws", "/ws/src/a.ts"), "src/a.ts");
  });

  it("gives nothing for a path outside the folder, or the folder itself", () => {
    assert.equal(pathInFolder("/ws", "/other/a.ts"), undefined);
    assert.equal(pathInFolder("/ws", "/ws"), undefined);
  });

  it("takes a name that merely begins with two dots as inside", () => {
    assert.equal(pathInFolder("/ws", "/ws/..hidden/a.ts"), "..hidden/a.ts");
  });
});
