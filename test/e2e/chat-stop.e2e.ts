// A person asks, the answer (100 KB from the long scripted model, starting with hostile Markdown) streams, they press
// Stop mid-stream: the answer stops where it was and stays; the hostile part is shown as inert text.
import * as assert from "node:assert/strict";
import { scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { longAnswer } from "../fixtures/chat/scripts";
import { DEFAULT_SCRIPT } from "../fixtures/models/test-models";
import { openHearthView, scriptedModelSettings } from "./chat-helpers";

const PARAGRAPHS = 1600;

export async function prepare() {
  return {
    settings: {
      ...(await scriptedModelSettings({ fim: DEFAULT_SCRIPT.fim, chat: longAnswer(PARAGRAPHS) })),
      "workbench.colorTheme": "Default Dark Modern",
    },
  };
}

/** What the rendered answer contains that it must not: live markup from the model's text. */
const HOSTILE_DOM_CHECK = `(() => {
  const log = document.querySelector(".log");
  const bad = [];
  for (const el of log.querySelectorAll("script, img, svg, iframe, style, object, embed, form, input")) bad.push(el.outerHTML.slice(0, 80));
  for (const el of log.querySelectorAll("*")) {
    for (const attr of el.attributes) if (/^on/i.test(attr.name) || /^(style|src|srcdoc)$/i.test(attr.name)) bad.push(el.tagName + " " + attr.name);
  }
  for (const a of log.querySelectorAll("a")) if (!/^(https?:|#|mailto:)/i.test(a.getAttribute("href") || "")) bad.push("a href=" + a.getAttribute("href"));
  return { bad, pwned: window.__hearthPwned ?? null, text: log.innerText };
})()`;

export const scenarios: E2EScenario[] = [
  scenario(
    "Stop mid-stream keeps the partial answer, and hostile Markdown renders inert",
    async ({ page, log, screenshot }) => {
      await waitForWorkbench(page);
      const frame = await openHearthView(page);
      const input = frame.locator("textarea.input");
      await input.click();
      await input.pressSequentially("Tell me a long story", { delay: 10 });
      await input.press("Enter");
      const answer = frame.locator(".entry.assistant").last();
      await answer.locator("text=Paragraph 5 keeps streaming").waitFor({ state: "visible", timeout: 90_000 });
      // While the answer streams, the Send button is a Stop button.
      await frame.locator(".stop").waitFor({ state: "visible" });
      await screenshot("chat-streaming");
      await answer.locator("text=Paragraph 30 keeps streaming").waitFor({ state: "visible", timeout: 30_000 });
      const t0 = Date.now();
      assert.match((await answer.getAttribute("class")) ?? "", /\bstreaming\b/, "still streaming");
      // Escape in the question box stops the answer.
      await input.press("Escape");
      log(`Escape pressed ${Date.now() - t0} ms after paragraph 30 appeared`);
      await frame.locator(".entry.assistant.stopped").waitFor({ state: "visible", timeout: 10_000 });
      log(`answer shown as stopped ${Date.now() - t0} ms after paragraph 30 appeared`);
      await frame.locator(".send").waitFor({ state: "visible" });
      const stoppedText = await answer.innerText();
      await page.waitForTimeout(1500);
      assert.equal(await answer.innerText(), stoppedText, "nothing arrives after Stop");
      assert.match(await answer.locator(".entry-note").innerText(), /Stopped\./);
      assert.ok(!stoppedText.includes("The end."), "it stopped before the end");
      const last = /Paragraph (\d+) keeps/g;
      let n = 0;
      for (const m of stoppedText.matchAll(last)) n = Number(m[1]);
      log(`stopped after paragraph ${n} of ${PARAGRAPHS}`);
      assert.ok(n >= 30 && n < PARAGRAPHS);

      const result = (await frame.evaluate(HOSTILE_DOM_CHECK)) as { bad: string[]; pwned: string | null; text: string };
      assert.deepEqual(result.bad, [], "no live markup from the model");
      assert.equal(result.pwned, null, "no model script ran");
      assert.ok(result.text.includes("<script>window.__hearthPwned = 'script';</script>"), "raw HTML is shown as text");
      assert.ok(result.text.includes("[click me](javascript:window.__hearthPwned='link')"), "a javascript: link is not a link");
      await answer.locator(".code-block .code-language", { hasText: "html" }).waitFor({ state: "visible" });
      await answer.locator(".code-block .code-language", { hasText: "html" }).scrollIntoViewIfNeeded();
      await screenshot("chat-stopped-hostile");
    },
    180_000,
  ),
];
