// A person asks a first question about the open file, then types a follow-up: while they type, Hearth evaluates the
// prompt's known part (the earlier turn and the file), so Enter evaluates only the question. Hearth's log (its output
// channel's file) says what each prefill and each answer evaluated; the answer is the scripted model's.
import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { DEFAULT_SCRIPT } from "../fixtures/models/test-models";
import { openHearthView, scriptedModelSettings } from "./chat-helpers";

export async function prepare() {
  return {
    settings: {
      ...(await scriptedModelSettings()),
      "workbench.colorTheme": "Default Dark Modern",
    },
  };
}

const FOLLOW_UP = "Which of these functions would you test first, and why?";
const PREFILL_LINE = /chat prefill: (\d+) of (\d+) prompt tokens evaluated \((\d+) cached\)/g;
const ANSWER_LINE = /chat answer: (\d+) prompt tokens evaluated/g;

/** Every match of `pattern` in the newest Hearth.log under the code-server's user data (its output channel's file). */
function logMatches(userDataDir: string, pattern: RegExp): RegExpExecArray[] {
  const logs: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 5 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), depth + 1);
      else if (entry.name === "Hearth.log") logs.push(join(dir, entry.name));
    }
  };
  walk(join(userDataDir, "logs"), 0);
  const newest = logs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  return newest ? [...readFileSync(newest, "utf8").matchAll(pattern)] : [];
}

export const scenarios: E2EScenario[] = [
  scenario(
    "typing a follow-up about the open file prefills its prompt, so Enter evaluates only the question",
    async ({ page, log, screenshot, server }) => {
      await waitForWorkbench(page);
      await openFileWithQuickOpen(page, "src/rooms.ts", 90_000);
      const frame = await openHearthView(page);
      await frame.locator(".chip.file", { hasText: "rooms.ts" }).waitFor({ state: "visible", timeout: 15_000 });
      const input = frame.locator("textarea.input");
      const answers = frame.locator(".entry.assistant:not(.streaming)");

      // The first question loads the model (a prefill never does). Generous waits: the workbench lags on a loaded machine.
      await input.waitFor({ state: "visible", timeout: 60_000 });
      await input.click({ timeout: 60_000 });
      await input.pressSequentially("What is in this file?", { delay: 10 });
      await input.press("Enter");
      await answers.first().locator("text=It adds two numbers.").waitFor({ state: "visible", timeout: 120_000 });
      await frame.locator(".send").waitFor({ state: "visible" });
      // The log is written in order: once the answer's line is there, so is every prefill line before it.
      const waitForLog = async (pattern: RegExp, count: number, what: string) => {
        const deadline = Date.now() + 120_000;
        let lines = logMatches(server.userDataDir, pattern);
        while (lines.length < count) {
          if (Date.now() > deadline) throw new Error(`no ${what} in Hearth's log`);
          await page.waitForTimeout(250);
          lines = logMatches(server.userDataDir, pattern);
        }
        return lines;
      };
      await waitForLog(ANSWER_LINE, 1, "answer line for the first question");
      const prefillsBefore = logMatches(server.userDataDir, PREFILL_LINE).length;

      // The follow-up is about another file (its chip replaces rooms.ts), typed as a person types; the prefill runs
      // meanwhile and ends before Enter. The first turn is in the engine's cache already.
      await openFileWithQuickOpen(page, "src/math.ts", 90_000);
      await frame.locator(".chip.file", { hasText: "math.ts" }).waitFor({ state: "visible", timeout: 30_000 });
      await input.click({ timeout: 60_000 });
      await input.pressSequentially(FOLLOW_UP, { delay: 40 });
      const prefill = (await waitForLog(PREFILL_LINE, prefillsBefore + 1, "chat prefill line while the follow-up was typed")).at(-1)!;
      log(`prefill while typing: ${prefill[0]}`);
      const [evaluated, prefix, cached] = [Number(prefill[1]), Number(prefill[2]), Number(prefill[3])];
      assert.equal(evaluated + cached, prefix, prefill[0]);
      assert.ok(cached > 0, `the first answer's prompt came from the cache: ${prefill[0]}`);
      assert.ok(evaluated > 0, `the first answer and the follow-up's context were evaluated: ${prefill[0]}`);
      await screenshot("chat-prefill-typing");

      await input.press("Enter");
      await frame.locator(".entry.user", { hasText: FOLLOW_UP }).waitFor({ state: "visible" });
      await answers.nth(1).locator("text=It adds two numbers.").waitFor({ state: "visible", timeout: 120_000 });
      const answered = frame.locator(".entry.assistant").nth(1);
      assert.equal((await answered.locator(".code-block pre code").first().innerText()).trim(), /```ts\n([\s\S]*?)```/.exec(DEFAULT_SCRIPT.chat)![1]!.trim());
      const lines = await waitForLog(ANSWER_LINE, 2, "answer line for the follow-up");
      const [first, followUp] = [Number(lines[0]![1]), Number(lines.at(-1)![1])];
      log(`prompt tokens evaluated: ${first} for the first question, ${followUp} at Enter after the prefill`);
      assert.ok(followUp > 0 && followUp < FOLLOW_UP.length, `Enter evaluated ${followUp} tokens: the question and the template's tail`);
      await screenshot("chat-prefill-answered");
    },
    300_000,
  ),
];
