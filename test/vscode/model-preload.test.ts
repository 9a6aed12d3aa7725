// hearth.model.loadOnStartup in a real extension host: the configured model is loaded in the background with no
// request, and nothing is loaded while the setting is off. The harness keeps the setting off for the other suites (one
// window serves them all), so this suite turns it on for itself; a configuration change after startup goes through the
// same path as the first configuration at startup (extension.ts configure()).
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { PreloadDecision } from "../../src/completion/model-preload";
import type { HearthApi } from "../../src/extension";
import { ensureTestModel } from "../fixtures/models/test-models";
import { hearth, setModel } from "./helpers";

const WINDOW = { contextSize: 1024 };

/** The first decision about the model at `modelPath` that `accept` takes. */
function decisionFor(api: HearthApi, modelPath: string, accept: (decision: PreloadDecision) => boolean, timeoutMs = 60_000): Promise<PreloadDecision> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no matching background-load decision for ${modelPath} within ${timeoutMs} ms (saw: ${seen.join(", ") || "none"})`));
    }, timeoutMs);
    const sub = api.modelPreload((decision) => {
      if (!decision.modelKey.includes(JSON.stringify(modelPath))) return;
      seen.push(decision.kind);
      if (!accept(decision)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(decision);
    });
  });
}

describe("Hearth's background model load (hearth.model.loadOnStartup)", function () {
  this.timeout(120_000);
  let api: HearthApi;
  const setLoadOnStartup = (value: boolean) => vscode.workspace.getConfiguration("hearth").update("model.loadOnStartup", value, vscode.ConfigurationTarget.Global);

  before(async () => {
    api = await hearth();
  });

  after(async () => {
    // Back to the harness's value for the suites after this one, and no model.
    await setLoadOnStartup(false);
    await setModel(undefined);
  });

  it("loads the configured model in the background, without any completion or chat request", async () => {
    const tiny = await ensureTestModel("tiny");
    await setModel(undefined);
    const suggestions: unknown[] = [];
    const listening = api.completions.onDidSuggest((suggestion) => suggestions.push(suggestion));
    try {
      await setLoadOnStartup(true);
      const loaded = decisionFor(api, tiny, (decision) => decision.kind === "loaded" || decision.kind === "failed" || decision.kind === "skipped");
      await setModel(tiny, WINDOW);
      assert.equal((await loaded).kind, "loaded");
      assert.equal(api.engine.status.kind, "ready");
      assert.match(api.statusBar.tooltip, /ready/);
      assert.deepEqual(suggestions, [], "no completion asked for the model");
    } finally {
      listening.dispose();
    }
  });

  it("loads nothing when the setting is off: the model waits for the first request", async () => {
    const scripted = await ensureTestModel("scripted");
    await setLoadOnStartup(false);
    const off = decisionFor(api, scripted, () => true);
    await setModel(scripted, WINDOW);
    assert.equal((await off).kind, "off");
    assert.equal(api.engine.status.kind, "idle");
  });
});
