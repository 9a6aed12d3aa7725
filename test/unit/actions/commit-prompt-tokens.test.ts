// The commit prompt measured by a real tokenizer: a change to a Chinese document (about one token per character, where
// the estimate counts one per 3.5) must still fit the model's window, or the message cannot be written at all.
import { strict as assert } from "node:assert";
import { buildCommitPrompt, COMMIT_ANSWER_TOKENS } from "../../../src/actions/commit-message";
import type { EngineClient } from "../../../src/engine/client";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, testSettings } from "../helpers/engine";

describe("commit prompt measured by a real tokenizer (qwen-vocab, engine process)", function () {
  this.timeout(120_000);
  let client: EngineClient;
  before(async () => {
    client = createClient();
    await client.configure(testSettings(await ensureTestModel("qwen-vocab"), { contextSize: 4096 }));
    await client.load();
  });
  after(async () => client.dispose());

  it("fits a 4,096-token window for a change of forty short Chinese documents and a long one", async () => {
    const sentence = "本文档说明如何配置缓存服务器以及在部署之前需要检查的设置项目和注意事项。";
    const hunk = Array.from({ length: 1000 }, (_, i) => `+${i}：${sentence}`).join("\n");
    const diff = `diff --git a/docs/zh/guide.md b/docs/zh/guide.md\n--- a/docs/zh/guide.md\n+++ b/docs/zh/guide.md\n@@ -1,0 +1,1000 @@ 部署\n${hunk}\n`;
    const lines = Array.from({ length: 10 }, (_, i) => `+${i}：${sentence}`).join("\n");
    const notes = Array.from({ length: 40 }, (_, i) => `diff --git a/docs/zh/p${i}.md b/docs/zh/p${i}.md\n--- a/docs/zh/p${i}.md\n+++ b/docs/zh/p${i}.md\n@@ -1,0 +1,10 @@\n${lines}`).join("\n");
    const prompt = buildCommitPrompt({ diff: `${diff}${notes}\n`, recentSubjects: ["文档：更新部署说明"], staged: true }, 4096);
    const counts = (await client.tokenCounts(prompt.messages.map((m) => m.content)))!.counts;
    const real = counts.reduce((sum, c) => sum + c + 8, 0);
    assert.ok(real <= 4096 - COMMIT_ANSWER_TOKENS, `${real} real tokens in a 4,096-token window`);
  });
});
