// One model call on the real engine with the scripted test model: how a hostile generation ends in the suggestion.
import { strict as assert } from "node:assert";
import { silentLogger } from "../../../src/common/logger";
import { CompletionPipeline } from "../../../src/completion/completion-pipeline";
import { DEFAULT_GENERATION, generateSuggestion } from "../../../src/completion/generate-suggestion";
import { ISSUE_15_FIRST_LINE, ISSUE_15_GHOST_TEXT, TODO_PREFIX, TODO_SUFFIX } from "../../fixtures/completion/hostile-completions";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir } from "../context/fixtures";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

const TEXT = TODO_PREFIX + TODO_SUFFIX;
const snapshot = { uri: "file:///work/todo.ts", languageId: "typescript", text: TEXT, offset: TODO_PREFIX.length, version: 1, cursorLine: 6 };
const totals = (n: number): string[] => Array.from({ length: n }, (_, i) => `total += items[${i}].size;`);

describe("generateSuggestion", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();

  async function generate(fim: string, maxTokensMultiLine = DEFAULT_GENERATION.maxTokensMultiLine) {
    const engine = open();
    await engine.configure(testSettings(await ensureTestModel("scripted", { script: { fim, chat: "Hello." } })));
    await engine.load();
    const pipeline = new CompletionPipeline({ engine, grammarsDir, logger: silentLogger, budgetTokens: 1024, relativePath: (path) => path });
    try {
      return await generateSuggestion({ engine, context: pipeline.context }, snapshot, { ...DEFAULT_GENERATION, maxTokensMultiLine }, new AbortController().signal);
    } finally {
      pipeline.dispose();
    }
  }

  it("stops the model at issue 15's first line with U+FFFD and shows the line before it", async () => {
    const result = await generate(ISSUE_15_GHOST_TEXT);
    assert.equal(result.stoppedBy, "unsafe-character");
    assert.equal(result.text, ISSUE_15_FIRST_LINE);
  });

  it("keeps eight lines of a suggestion the engine stopped at its token limit", async () => {
    const result = await generate(`let total = 0;\n  ${totals(30).join("\n  ")}`, 16);
    assert.equal(result.generation.generatedTokens, 16);
    assert.equal(result.text, `let total = 0;\n  ${totals(7).join("\n  ")}`);
  });
});
