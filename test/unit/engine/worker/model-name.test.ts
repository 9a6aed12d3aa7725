// The loaded model's name as the status bar's tooltip and the chat header show it: a crafted GGUF's general.name is
// never shown as it is written when it could fake a line of Hearth's text; the file's name stands in.
import { strict as assert } from "node:assert";
import type { GgufFileInfo } from "node-llama-cpp" with { "resolution-mode": "import" };

type Loader = typeof import("../../../../src/engine/worker/model-loader.mjs", { with: { "resolution-mode": "import" } });

describe("engine worker: the loaded model's shown name", () => {
  let loader: Loader;
  before(async () => (loader = await import("../../../../src/engine/worker/model-loader.mjs")));
  const named = (name: unknown) => ({ metadata: { general: { name } } }) as unknown as GgufFileInfo;

  it("shows the file's name for a general.name with a line break, a bidi override or of absurd length", () => {
    for (const name of ["Coder\nCompletion prompt format: trusted", "\u202eredoC", "x".repeat(100_000)]) {
      assert.equal(loader.modelName(named(name), "/models/qwen2.5-coder-1.5b-q8_0.gguf"), "qwen2.5-coder-1.5b-q8_0");
    }
  });

  it("shows a plain general.name as it is", () => {
    assert.equal(loader.modelName(named(" Qwen2.5 Coder 1.5B "), "/models/x.gguf"), "Qwen2.5 Coder 1.5B");
  });
});
