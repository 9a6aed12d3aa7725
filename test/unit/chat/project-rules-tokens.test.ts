// A rules file crafted to cost many tokens per character (rare CJK Extension B characters, four UTF-8 bytes each, each
// byte a token of its own): the rules' section must still take about its budget of the model's real tokens, or the
// system prompt alone outgrows a small window and every question fails in that repository.
import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readProjectRules, rulesBudget } from "../../../src/chat/project-rules";
import type { EngineClient } from "../../../src/engine/client";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, testSettings } from "../helpers/engine";

describe("project rules measured by a real tokenizer (qwen-vocab, engine process)", function () {
  this.timeout(120_000);
  let client: EngineClient;
  let root: string;
  before(async () => {
    client = createClient();
    await client.configure(testSettings(await ensureTestModel("qwen-vocab"), { contextSize: 4096 }));
    await client.load();
    root = await mkdtemp(path.join(tmpdir(), "hearth-rules-tokens-"));
  });
  after(async () => {
    await client.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it("keeps a rules file of rare characters within twice its budget of real tokens", async () => {
    const rare = Array.from({ length: 400 }, (_, line) => Array.from({ length: 40 }, (_, i) => String.fromCodePoint(0x2a700 + ((line * 40 + i) % 4000))).join("")).join("\n");
    await writeFile(path.join(root, "AGENTS.md"), rare);
    const budgetTokens = rulesBudget(4096);
    const rules = await readProjectRules({ root, trusted: true, budgetTokens });
    assert.ok(rules.text.length > 0, "some of the rules fit");
    const real = (await client.tokenCounts([rules.text]))!.counts[0]!;
    assert.ok(real <= 2 * budgetTokens, `${real} real tokens for a budget of ${budgetTokens}`);
  });
});
