// `-- --page`: a diagnostic, not the benchmark's figures. The chat app (media/dist/chat.js) alone in a headless Chromium
// page, no workbench: the host's messages are replayed (the 300-message conversation; the 100 KB answer in 40 ms
// batches, as chat-view-provider.ts sends them) under a Chrome trace, and every main-thread task over 50 ms is broken
// down into script, style, layout, paint and GC. Quicker and steadier than the workbench, for finding where time goes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { launchBrowser } from "../../test/harness/browser";
import { makeScratchDir, removeScratchDir } from "../../test/harness/run-vscode-tests";
import { toShownEntry } from "../../src/chat/chat-types";
import { BENCH_DIR } from "../report";
import { longConversation, streamedAnswer } from "./content";
import { digestProfile, Profiler } from "./profile";
import { PROBE_INIT_SCRIPT, READ_PROBE, summarizeWindow, type ProbeData } from "./probe";
import { digestTrace, startTrace, stopTrace } from "./trace";
import { describeRun } from "./webview";

const ORIGIN = "http://hearth-chat.bench";
const APPEND_MS = 40;

/** The webview's segments.ts (DOM-free; the app is not in the Node build), bundled for Node as the unit tests do. */
function loadSegments(): typeof import("../../src/webview/app/segments") {
  const dir = mkdtempSync(join(tmpdir(), "hearth-bench-segments-"));
  try {
    buildSync({ entryPoints: [join(BENCH_DIR, "..", "src", "webview", "app", "segments.ts")], outfile: join(dir, "segments.js"), bundle: true, platform: "node", format: "cjs", logLevel: "error" });
    return createRequire(__filename)(join(dir, "segments.js")) as typeof import("../../src/webview/app/segments");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPageReplay({ log }: { log: (line: string) => void }): Promise<void> {
  const scratch = makeScratchDir("hearth-bench-chat-page-");
  const browser = await launchBrowser({ scratchDir: scratch });
  try {
    const media = join(BENCH_DIR, "..", "media", "dist");
    const { context, page } = await browser.newPage();
    await page.setViewportSize({ width: 380, height: 900 });
    await context.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/chat.js") return route.fulfill({ contentType: "text/javascript", body: readFileSync(join(media, "chat.js"), "utf8") });
      if (path === "/chat.css") return route.fulfill({ contentType: "text/css", body: readFileSync(join(media, "chat.css"), "utf8") });
      // An iframe, like the webview's, so the probe (which skips top-level pages) installs itself.
      if (path === "/") return route.fulfill({ contentType: "text/html", body: `<!DOCTYPE html><iframe src="/app" style="border:0;width:100%;height:880px"></iframe>` });
      return route.fulfill({
        contentType: "text/html",
        body: `<!DOCTYPE html><html><head><link rel="stylesheet" href="/chat.css"><style>${process.env.HEARTH_BENCH_CSS ?? ""}</style><script>window.acquireVsCodeApi = () => ({ postMessage(m) {}, getState() {}, setState() {} });</script></head>
<body class="vscode-dark" style="--vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px"><div id="hearth-chat-root"></div><script src="/chat.js"></script></body></html>`,
      });
    });
    await context.addInitScript({ content: PROBE_INIT_SCRIPT });
    await page.goto(`${ORIGIN}/`);
    const frame = page.frames().find((f) => f.url().endsWith("/app"))!;
    await frame.waitForSelector("#hearth-chat-root .input");
    const post = async (message: unknown) => (await frame.evaluate(`(() => { window.postMessage(${JSON.stringify(message)}, "*"); return performance.now(); })()`)) as number;
    const profiler = process.env.HEARTH_BENCH_PROFILE ? await Profiler.attach(page) : undefined;
    const trace = async (name: string, work: () => Promise<void>) => {
      await profiler?.start();
      await startTrace(browser.browser, page);
      const t0 = (await frame.evaluate("performance.now()")) as number;
      await work();
      const t1 = (await frame.evaluate("performance.now()")) as number;
      const events = await stopTrace(browser.browser);
      const data = (await frame.evaluate(READ_PROBE)) as ProbeData;
      log(`page ${name}: ${describeRun(summarizeWindow(data, t0, t1, data.maxGap))}`);
      for (const line of digestTrace(events)) log(`  ${line}`);
      if (profiler) for (const line of digestProfile(await profiler.stop(), 30, 10)) log(`  profile: ${line}`);
    };

    const conversation = longConversation("c-page", 300);
    await trace("render 300 messages", async () => {
      await post({ type: "conversation", conversation: { id: conversation.id, title: conversation.title, entries: conversation.entries.map(toShownEntry), streamingId: null } });
      await frame.waitForFunction("document.querySelectorAll('.entry').length === 300", undefined, { timeout: 120_000, polling: 100 });
      await page.waitForTimeout(500);
    });

    const answer = streamedAnswer();
    const user = { id: "e-u", role: "user", content: "Walk me through the whole pipeline.", status: "done" };
    const streaming = { id: "e-s", role: "assistant", content: "", status: "streaming" };
    await post({ type: "conversation", conversation: { id: "c-stream", title: "stream", entries: [user, streaming], streamingId: "e-s" } });
    await page.waitForTimeout(500);
    const perBatch = Number(process.env.HEARTH_BENCH_BATCH_CHARS ?? 400);
    const posted: { at: number; chars: number; tail: number; fence: boolean }[] = [];
    const { newSplitState, takeStable } = loadSegments();
    const split = newSplitState();
    await trace(`stream ${answer.length} characters, ${perBatch} per ${APPEND_MS} ms`, async () => {
      for (let at = 0; at < answer.length; at += perBatch) {
        const chars = Math.min(answer.length, at + perBatch);
        const time = await post({ type: "append", entryId: "e-s", text: answer.slice(at, chars) });
        takeStable(answer.slice(0, chars), split);
        posted.push({ at: time, chars, tail: chars - split.stable, fence: split.fence !== null });
        await page.waitForTimeout(APPEND_MS);
      }
      await post({ type: "entry", entry: { ...streaming, content: answer, status: "done" }, streamingId: null });
      await page.waitForTimeout(500);
    });
    // Where in the answer each long task came: the text so far, and the tail (re-rendered on every flush) then.
    const data = (await frame.evaluate(READ_PROBE)) as ProbeData;
    for (const task of data.longtasks.filter((t) => t.start >= (posted[0]?.at ?? 0))) {
      const before = posted.filter((p) => p.at <= task.start).pop();
      if (before) log(`  long task ${Math.round(task.duration)} ms after ${before.chars} characters; the tail was ${before.tail} characters${before.fence ? ", inside a code fence" : ""}`);
    }
  } finally {
    await browser.close();
    removeScratchDir(scratch);
  }
}
