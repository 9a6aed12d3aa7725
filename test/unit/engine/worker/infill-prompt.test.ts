// The prompt the engine evaluates for a completion (fitInfillPrompt), on Qwen2.5-Coder's real tokenizer: it always
// leaves the answer its room, and gives up other files' code before the code around the cursor.
import { strict as assert } from "node:assert";
import type { Llama, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { qwenFormat } from "../../../../src/fim/formats";
import type { InfillParams } from "../../../../src/engine/protocol";
import { ensureTestModel } from "../../../fixtures/models/test-models";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Infill = typeof import("../../../../src/engine/worker/infill.mjs", { with: { "resolution-mode": "import" } });

describe("engine: the infill prompt", function () {
  this.timeout(120_000);
  let llama: Llama;
  let model: LlamaModel;
  let infill: Infill;

  before(async function () {
    const nlc: NodeLlamaCpp = await import("node-llama-cpp");
    infill = await import("../../../../src/engine/worker/infill.mjs");
    llama = await nlc.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: nlc.LlamaLogLevel.error, logger: () => {} });
    model = await llama.loadModel({ modelPath: await ensureTestModel("qwen-vocab"), gpuLayers: 0, vocabOnly: true });
  });

  after(async function () {
    await model?.dispose();
    await llama?.dispose();
  });

  const code = Array.from({ length: 200 }, (_, i) => `const value${i} = compute(${i});`).join("\n");
  const params = (extra: Partial<InfillParams>): InfillParams => ({ prefix: `${code}\n`, suffix: "\n}\n", maxTokens: 48, ...extra });

  it("caps the answer at half the context, so the prompt keeps room", () => {
    const fitted = infill.fitInfillPrompt(model, 512, qwenFormat(), params({ maxTokens: 4000 }));
    assert.equal(fitted.maxTokens, 256);
    assert.ok(fitted.tokens.length <= 512 - 256 - 1, `${fitted.tokens.length} prompt tokens`);
  });

  it("drops other files' snippets before it shortens the prefix window", () => {
    const snippets = [{ path: "lib/other.js", content: code }];
    const roomy = infill.fitInfillPrompt(model, 8192, qwenFormat(), params({ snippets }));
    const tight = infill.fitInfillPrompt(model, roomy.tokens.length - 100 + 49, qwenFormat(), params({ snippets }));
    assert.ok(roomy.prompt.pieces.some((piece) => piece.kind === "text" && piece.text.includes("lib/other.js")));
    assert.ok(!tight.prompt.pieces.some((piece) => piece.kind === "text" && piece.text.includes("lib/other.js")));
    assert.equal(tight.prompt.prefix, roomy.prompt.prefix);
  });
});
