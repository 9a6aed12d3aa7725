// The chat view in a real workbench: code-server + headless Chromium (the e2e harness), Hearth loaded from the repo,
// the scripted test model streaming a 100 KB answer. Measures, in the chat webview's frame with the Performance API
// (probe.ts), the main-thread tasks of (1) opening the view on a 300-message conversation and switching to it, and
// (2) streaming the 100 KB answer.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "playwright-core";
import { summarize } from "../../src/chat/conversation";
import { launchBrowser, type LaunchedBrowser } from "../../test/harness/browser";
import { startCodeServer, workbenchUrl, type CodeServer } from "../../test/harness/code-server";
import { waitForWorkbench } from "../../test/harness/e2e";
import { repoRoot } from "../../test/harness/paths";
import { sleep, waitFor } from "../../test/harness/processes";
import { copyFixtureWorkspace, makeScratchDir, removeScratchDir } from "../../test/harness/run-vscode-tests";
import { chatFrame, runCommand } from "../../test/e2e/chat-helpers";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR } from "../report";
import { longConversation, streamedAnswer } from "./content";
import { digestProfile, Profiler } from "./profile";
import { digestTrace, startTrace, stopTrace, traceFigures, type TraceEvent, type TraceFigures } from "./trace";
import { PROBE_INIT_SCRIPT, READ_PROBE, RESET_MAX_GAP, summarizeWindow, type ProbeData, type WindowFigures } from "./probe";

export const MESSAGES = 300;
const CONVERSATION_ID = "c-bench-300";
const TITLE = "Bench: a 300-message conversation";
const END_MARK = "That is the whole pipeline.";
const WORK_DIR = join(BENCH_DIR, ".work");

export interface Traced {
  /** The same window in a Chrome trace: thread (CPU) time of the main thread's tasks. */
  trace: TraceFigures;
}

export interface RenderRun extends WindowFigures, Traced {
  /** Frame clock: the first entries shown, and all of them, after the window started. */
  firstEntriesMs: number;
  allEntriesMs: number;
  /** Every code block highlighted (long ones are highlighted a slice at a time after they are shown). */
  highlightedMs: number;
}

export interface StreamRun extends WindowFigures, Traced {
  answerChars: number;
  streamMs: number;
  /** From the end of the stream until its long code blocks were highlighted. */
  highlightedAfterMs: number;
  /** `append` messages the webview got (≈ flushes). */
  appends: number;
}

export interface WebviewResult {
  probeSupport: string;
  openRuns: RenderRun[];
  switchRuns: RenderRun[];
  streamRuns: StreamRun[];
  answerChars: number;
}

export interface WebviewOptions {
  runs: number;
  log: (line: string) => void;
  /** Record a CPU profile of each measured window (bench/.work/chat-*.cpuprofile) and log its digest. */
  profile?: boolean;
}

export async function runWebviewBench({ runs, log, profile = false }: WebviewOptions): Promise<WebviewResult> {
  const answer = streamedAnswer();
  log(`streamed answer: ${answer.length} characters; writing the scripted model (cached after the first time)`);
  const modelPath = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: answer } });
  const scratch = makeScratchDir("hearth-bench-chat-");
  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  try {
    server = await startCodeServer({
      scratchDir: join(scratch, "code-server"),
      settings: {
        "hearth.engine.threads": 1,
        "hearth.engine.contextSize": 4096,
        "hearth.model.path": modelPath,
        "editor.inlineSuggest.enabled": false,
        "workbench.colorTheme": "Default Dark Modern",
      },
    });
    browser = await launchBrowser({ scratchDir: join(scratch, "chromium") });
    const workspace = copyFixtureWorkspace(join(scratch, "ws"));
    const { context, page } = await browser.newPage();
    context.setDefaultTimeout(30_000);
    await context.addInitScript({ content: PROBE_INIT_SCRIPT });
    // Errors in any frame (the webview's included), for the message of a wait that times out.
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text().slice(0, 300));
    });
    page.on("pageerror", (error) => pageErrors.push(error.message.slice(0, 300)));
    const url = workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot });
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page, 90_000);

    // Seed the conversation where the extension keeps it, then reload the window: the new extension host opens the
    // most recent conversation, as after a restart of VS Code.
    const userDataDir = server.userDataDir;
    const chatDir = await waitFor(() => findChatDir(userDataDir), { timeoutMs: 60_000, intervalMs: 250, what: "Hearth's conversation folder (activation)" });
    const conversation = longConversation(CONVERSATION_ID, MESSAGES);
    writeFileSync(join(chatDir, `${CONVERSATION_ID}.json`), JSON.stringify(conversation));
    writeFileSync(join(chatDir, "index.json"), JSON.stringify([summarize(conversation)]));
    log(`seeded ${MESSAGES} messages (${Math.round(JSON.stringify(conversation).length / 1024)} KB) into ${chatDir}`);
    await page.reload({ waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page, 90_000);
    await sleep(3000); // let the workbench's own start-up work settle before the first measurement

    const profiler = profile ? await Profiler.attach(page) : undefined;
    const profiled = async (name: string) => {
      if (!profiler) return;
      const cpu = await profiler.stop();
      mkdirSync(WORK_DIR, { recursive: true });
      writeFileSync(join(WORK_DIR, `chat-${name}.cpuprofile`), JSON.stringify(cpu));
      for (const line of digestProfile(cpu)) log(`  ${name} profile: ${line}`);
    };

    /** The trace's figures; its tasks over 50 ms of thread time, broken down, go to the log. */
    const traced = (events: TraceEvent[]): TraceFigures => {
      for (const line of digestTrace(events).slice(1)) log(`  ${line}`);
      return traceFigures(events);
    };

    const icon = page.locator('.activitybar .action-item a[aria-label^="Hearth"]').first();
    await icon.waitFor({ state: "visible", timeout: 30_000 });
    let probeSupport = "";
    const openRuns: RenderRun[] = [];
    for (let i = 0; i < runs; i++) {
      if (i > 0) {
        // Hide the side bar (the webview is disposed) and show it again: a fresh frame renders the whole conversation.
        await icon.click();
        await page.locator(".part.sidebar").waitFor({ state: "hidden" });
        await sleep(1000);
      }
      await profiler?.start();
      await startTrace(browser.browser, page);
      await icon.click();
      const frame = await chatFrame(page, 60_000);
      await waitForEntries(frame, MESSAGES);
      const highlightedAt = await waitForHighlighting(frame);
      await sleep(1500);
      const trace = traced(await stopTrace(browser.browser));
      await profiled(`open-${i + 1}`);
      const data = await readProbe(frame, `open-${i + 1}`);
      probeSupport ||= describeSupport(data);
      if (i === 0) log(`probe: ${probeSupport}`);
      const allAt = countReached(data, MESSAGES);
      const run: RenderRun = {
        ...summarizeWindow(data, 0, Math.max(allAt, highlightedAt) + 500, data.maxGap),
        firstEntriesMs: countReached(data, 1),
        allEntriesMs: allAt,
        highlightedMs: highlightedAt,
        trace,
      };
      openRuns.push(run);
      log(`open #${i + 1}: ${describeRun(run)}; first entries at ${round(run.firstEntriesMs)} ms, all ${MESSAGES} at ${round(allAt)} ms of the frame's clock`);
    }

    const frame = await chatFrame(page);
    const switchRuns: RenderRun[] = [];
    for (let i = 0; i < runs; i++) {
      await runCommand(page, "Hearth: New Conversation");
      await waitForEntries(frame, 0);
      await sleep(1000);
      await runCommand(page, "Hearth: Show Conversations");
      const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: TITLE }).first();
      await row.waitFor({ state: "visible" });
      await profiler?.start();
      await startTrace(browser.browser, page);
      const t0 = (await frame.evaluate(RESET_MAX_GAP)) as number;
      await row.click();
      await waitForEntries(frame, MESSAGES);
      const highlightedAt = await waitForHighlighting(frame);
      await sleep(1500);
      const trace = traced(await stopTrace(browser.browser));
      await profiled(`switch-${i + 1}`);
      const data = await readProbe(frame, `switch-${i + 1}`);
      const allAt = countReached(data, MESSAGES, t0);
      const run: RenderRun = {
        ...summarizeWindow(data, t0, Math.max(allAt, highlightedAt) + 500, data.maxGap),
        firstEntriesMs: countReached(data, 1, t0) - t0,
        allEntriesMs: allAt - t0,
        highlightedMs: highlightedAt - t0,
        trace,
      };
      switchRuns.push(run);
      log(`switch #${i + 1}: ${describeRun(run)}; first entries after ${round(run.firstEntriesMs)} ms, all ${MESSAGES} after ${round(run.allEntriesMs)} ms`);
    }

    const streamRuns: StreamRun[] = [];
    for (let i = 0; i < runs; i++) {
      await runCommand(page, "Hearth: New Conversation");
      await waitForEntries(frame, 0);
      const input = frame.locator("textarea.input");
      await input.click();
      await input.fill("Walk me through the whole pipeline, with the code of every stage.");
      await sleep(1000);
      const appendsBefore = await appendCount(frame);
      await profiler?.start();
      await startTrace(browser.browser, page);
      const t0 = (await frame.evaluate(RESET_MAX_GAP)) as number;
      await input.press("Enter");
      const done = frame.locator(".entry.assistant:not(.streaming)").last();
      await frame.locator(".entry.assistant").last().waitFor({ state: "attached" });
      await waitFor(async () => (await frame.evaluate(`(() => { const a = [...document.querySelectorAll(".entry.assistant")].pop(); return !!a && !a.classList.contains("streaming"); })()`)) as boolean, {
        timeoutMs: 240_000,
        intervalMs: 200,
        what: "the streamed answer to end",
      });
      const t1 = (await frame.evaluate("performance.now()")) as number;
      const t2 = await waitForHighlighting(frame);
      await sleep(500);
      const trace = traced(await stopTrace(browser.browser));
      await profiled(`stream-${i + 1}`);
      const text = await done.innerText();
      if (!text.includes(END_MARK)) throw new Error(`the streamed answer ended early (${text.length} characters): ${(await done.locator(".entry-note").innerText().catch(() => "")) || "no note"}`);
      await checkCodeBlocks(frame, answer);
      const data = await readProbe(frame, `stream-${i + 1}`);
      const run: StreamRun = {
        ...summarizeWindow(data, t0, Math.max(t1, t2) + 300, data.maxGap),
        answerChars: text.length,
        streamMs: t1 - t0,
        highlightedAfterMs: Math.max(0, t2 - t1),
        appends: (await appendCount(frame)) - appendsBefore,
        trace,
      };
      streamRuns.push(run);
      log(`stream #${i + 1}: ${describeRun(run)}; ${run.answerChars} characters shown in ${round(run.streamMs)} ms`);
    }
    await context.close().catch(() => undefined);
    return { probeSupport, openRuns, switchRuns, streamRuns, answerChars: answer.length };
  } finally {
    await browser?.close();
    await server?.stop();
    removeScratchDir(scratch);
  }
}

/** <user-data>/User/workspaceStorage/<id>/hearth.hearth/chat once the extension has activated. */
function findChatDir(userDataDir: string): string | undefined {
  const storage = join(userDataDir, "User", "workspaceStorage");
  if (!existsSync(storage)) return undefined;
  for (const id of readdirSync(storage)) {
    const dir = join(storage, id, "hearth.hearth", "chat");
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

/** The last errors logged by the page's frames. */
const pageErrors: string[] = [];

async function waitForEntries(frame: Frame, count: number): Promise<void> {
  let shown = -1;
  try {
    await waitFor(async () => (shown = (await frame.evaluate(`document.querySelectorAll(".entry").length`)) as number) === count, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: `${count} entries in the chat view`,
    });
  } catch (error) {
    const errors = pageErrors.slice(-5).map((e) => `\n  ${e}`).join("");
    throw new Error(`${error instanceof Error ? error.message : String(error)} (${shown} shown; frame ${frame.isDetached() ? "detached" : "attached"})${errors ? `; last errors in the page:${errors}` : ""}`);
  }
}

/** Waits until no code block with a language is left plain; returns the frame's clock then. */
async function waitForHighlighting(frame: Frame): Promise<number> {
  const check = `(() => [...document.querySelectorAll('.code-block code[class*="language-"]')].some((c) => c.childElementCount === 0) ? null : performance.now())()`;
  return waitFor(async () => ((await frame.evaluate(check)) as number | null) ?? undefined, { timeoutMs: 60_000, intervalMs: 50, what: "every code block highlighted" });
}

/** The streamed answer's code blocks, as shown, hold exactly the code of the answer's fences. */
async function checkCodeBlocks(frame: Frame, answer: string): Promise<void> {
  const expected = [...answer.matchAll(/```\w+\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const shown = (await frame.evaluate(`[...[...document.querySelectorAll(".entry.assistant")].pop().querySelectorAll(".code-block code")].map((c) => c.textContent)`)) as string[];
  if (shown.length !== expected.length) throw new Error(`the answer shows ${shown.length} code blocks, it has ${expected.length}`);
  const wrong = shown.findIndex((text, i) => text !== expected[i]);
  if (wrong >= 0) throw new Error(`code block ${wrong + 1} of the answer shows other text than the answer's code`);
}

async function readProbe(frame: Frame, dumpAs?: string): Promise<ProbeData> {
  const data = (await frame.evaluate(READ_PROBE)) as ProbeData | null;
  if (!data) throw new Error("the probe is not installed in the chat frame (addInitScript did not reach the webview)");
  if (dumpAs) {
    // Everything the probe saw, for a closer look: bench/.work/chat-probe-*.json (git-ignored).
    mkdirSync(WORK_DIR, { recursive: true });
    writeFileSync(join(WORK_DIR, `chat-probe-${dumpAs}.json`), JSON.stringify(data, null, 1));
  }
  return data;
}

async function appendCount(frame: Frame): Promise<number> {
  return (await readProbe(frame)).appends;
}

/** The frame time at which the entry count first reached `count` (after `after`). */
function countReached(data: ProbeData, count: number, after = 0): number {
  const hit = data.counts.find((c) => c.at >= after && (count === 0 ? c.count === 0 : c.count >= count));
  if (!hit) throw new Error(`the probe never saw ${count} entries (it saw ${JSON.stringify(data.counts.slice(-5))}, ${data.longtasks.length} long tasks, clock ${Math.round(data.now)})`);
  return hit.at;
}

function describeSupport(data: ProbeData): string {
  const has = (type: string) => data.supported.includes(type);
  return `longtask ${has("longtask") ? "yes" : "no"}, long-animation-frame ${has("long-animation-frame") ? "yes" : "no"}${data.errors.length ? `; errors: ${data.errors.join("; ")}` : ""}`;
}

export function describeRun(run: WindowFigures & Partial<Traced>): string {
  const t = run.trace;
  return (
    (t
      ? `thread time: the view's scripts longest ${round(t.longestViewMs)} ms per task (${t.longestViewWhat}; that task ${round(t.longestViewTaskMs)} ms in all), ${t.viewTasksOver50} over 50 ms; ` +
        `any task longest ${round(t.longestMs)} ms, ${t.tasksOver50} over 50 ms. Wall time: `
      : "") +
    `the view's own callbacks: longest ${round(run.longestCallbackMs)} ms (${run.longestCallbackKind || "none over 10 ms"}), ${run.callbacksOver50} over 50 ms; ` +
    `${run.tasks} long tasks on the thread (longest ${round(run.longestTaskMs)} ms, total ${round(run.totalTaskMs)} ms), ` +
    `of them the webview's own ${run.selfTasks} (longest ${round(run.longestSelfTaskMs)} ms); ` +
    (run.longFrames ? `${run.longFrames} long animation frames (longest ${round(run.longestFrameMs)} ms${run.longestFrameScripts ? `: ${run.longestFrameScripts}` : ""}); ` : "") +
    `longest rAF gap ${round(run.longestGapMs)} ms`
  );
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
