// The completion pipeline on a real llama-server through the engine switch, as the editor runs it with
// hearth.engine.kind "server": the scripted model's exact completion comes back for the very first request.
import { strict as assert } from "node:assert";
import { silentLogger } from "../../../src/common/logger";
import { CompletionPipeline } from "../../../src/completion/completion-pipeline";
import { EngineSwitch } from "../../../src/engine/engine-switch";
import { ServerEngine } from "../../../src/engine/server/server-engine";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir } from "../context/fixtures";
import { MemoryLogger, createClient, testSettings } from "../helpers/engine";
import { LLAMA_SERVER_BUILD_TIMEOUT_MS, TestLlamaServer } from "../helpers/llama-server";

describe("the completion pipeline on an inference server", function () {
  this.timeout(LLAMA_SERVER_BUILD_TIMEOUT_MS);

  it("answers the first completion, whose request loads the server's model, with the scripted text", async () => {
    const scripted = await ensureTestModel("scripted");
    const server = await TestLlamaServer.start(scripted);
    const engine = new EngineSwitch(createClient(new MemoryLogger()), { logger: silentLogger });
    const pipeline = new CompletionPipeline({ engine, grammarsDir, logger: silentLogger, budgetTokens: 1024, relativePath: (path) => path });
    try {
      await engine.configure(testSettings(scripted));
      engine.use(new ServerEngine({ url: server.url, models: { completion: "", chat: "", embedding: "" }, timeoutMs: 10_000, fimFormat: "auto", retryDelaysMs: [] }, silentLogger));
      const text = "export function countDone(items: Item[]): number {\n  \n}\n";
      const suggestion = await pipeline.manager.provide({
        snapshot: { uri: "file:///work/todo.ts", languageId: "typescript", text, offset: text.indexOf("  \n") + 2 },
        triggerKind: "invoked",
        signal: new AbortController().signal,
      });
      assert.equal(suggestion?.text, DEFAULT_SCRIPT.fim);
    } finally {
      pipeline.dispose();
      await engine.dispose();
      await server.stop();
    }
  });
});
