// Chrome traces of the renderer's main thread for the chat bench. Thread time (`tdur`) is what a task cost the CPU;
// unlike wall time (`dur`, what the Long Tasks API reports) it is not stretched when the machine is busy and the thread
// waits for a core, which on a shared 2-core machine is most of the difference between runs.
import type { Browser, Page } from "playwright-core";

export const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline"];

export async function startTrace(browser: Browser, page: Page): Promise<void> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
}

export async function stopTrace(browser: Browser): Promise<TraceEvent[]> {
  const buffer = await browser.stopTracing();
  return (JSON.parse(buffer.toString("utf8")) as { traceEvents: TraceEvent[] }).traceEvents;
}

interface TraceFrame {
  frame?: string;
  url?: string;
  parent?: string;
}

interface TraceData extends TraceFrame {
  frames?: TraceFrame[];
  functionName?: string;
}

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: unlike `dur`, not stretched when the machine is busy and the thread waits for a core. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: TraceData };
}

const SCRIPT = new Set(["FunctionCall", "EvaluateScript", "TimerFire", "FireAnimationFrame", "EventDispatch", "v8.compile"]);
const PAINT = new Set(["Paint", "PrePaint", "Layerize", "Commit"]);
const GC = new Set(["MinorGC", "MajorGC", "V8.GC_SCAVENGER", "V8.GC_MARK_COMPACTOR"]);

/** Each RunTask over `minMs` on the renderer's main thread: its script, style, layout, paint and GC time. */
export function digestTrace(events: TraceEvent[], minMs = 50): string[] {
  const mine = mainThread(events);
  if (mine.length === 0) return ["no renderer main thread in the trace"];
  const cpu = (names: (name: string) => boolean) => mine.filter((e) => names(e.name)).reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000;
  const runTasks = mine.filter((e) => e.name === "RunTask");
  const longestCpu = Math.max(0, ...runTasks.map((e) => (e.tdur ?? 0) / 1000));
  const summary =
    `thread time: ${runTasks.filter((e) => (e.tdur ?? 0) >= minMs * 1000).length} tasks over ${minMs} ms, longest ${longestCpu.toFixed(0)} ms; ` +
    `all tasks ${cpu((n) => n === "RunTask").toFixed(0)} ms, of it paint ${cpu((n) => n === "Paint").toFixed(0)}, style ${cpu((n) => n === "UpdateLayoutTree").toFixed(0)}, layout ${cpu((n) => n === "Layout").toFixed(0)}`;
  const tasks = mine.filter((e) => e.name === "RunTask" && (e.tdur ?? e.dur!) >= minMs * 1000);
  const ms = (us: number) => (us / 1000).toFixed(0);
  return [summary, ...tasks.map((task) => {
    const inside = mine.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur! <= task.ts + task.dur!);
    const within = (e: TraceEvent, outer: TraceEvent) => outer !== e && outer.ts <= e.ts && outer.ts + outer.dur! >= e.ts + e.dur!;
    const scripts = inside.filter((e) => SCRIPT.has(e.name));
    const topScripts = scripts.filter((e) => !scripts.some((o) => within(e, o)));
    const sum = (list: TraceEvent[]) => list.reduce((a, e) => a + e.dur!, 0);
    const style = inside.filter((e) => e.name === "UpdateLayoutTree");
    const layout = inside.filter((e) => e.name === "Layout");
    const forced = (list: TraceEvent[]) => list.filter((e) => topScripts.some((s) => within(e, s)));
    return (
      `${ms(task.dur!)} ms task (${ms(task.tdur ?? 0)} ms thread time): script ${ms(sum(topScripts))} (of it forced style ${ms(sum(forced(style)))}, layout ${ms(sum(forced(layout)))}), ` +
      `style ${ms(sum(style) - sum(forced(style)))}, layout ${ms(sum(layout) - sum(forced(layout)))}, ` +
      `paint ${ms(sum(inside.filter((e) => PAINT.has(e.name))))}, gc ${ms(sum(inside.filter((e) => GC.has(e.name))))}`
    );
  })];
}


/** The complete events of the busiest renderer main thread: the page's (a spare renderer may be in the trace too). */
export function mainThread(events: TraceEvent[]): TraceEvent[] {
  const mains = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const on = (t: TraceEvent) => events.filter((e) => e.pid === t.pid && e.tid === t.tid && e.ph === "X" && e.dur !== undefined);
  return mains.map(on).sort((a, b) => b.length - a.length)[0] ?? [];
}

/**
 * The frames of the Hearth webview: VS Code's host frame (its URL names extensionId=hearth.hearth) and the frames inside
 * it, where the chat app runs. From the frame lists Chrome puts in a trace (at its start and on each commit).
 */
export function webviewFrames(events: TraceEvent[]): Set<string> {
  const frames = new Map<string, TraceFrame>();
  for (const e of events) {
    const data = e.args?.data;
    for (const f of [...(data?.frames ?? []), ...(e.name === "FrameCommittedInBrowser" || e.name === "CommitLoad" ? [data ?? {}] : [])]) {
      if (f.frame) frames.set(f.frame, { ...frames.get(f.frame), ...f });
    }
  }
  const ours = new Set([...frames.values()].filter((f) => /extensionId=hearth\.hearth/.test(f.url ?? "")).map((f) => f.frame!));
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of frames.values()) {
      if (f.parent && ours.has(f.parent) && !ours.has(f.frame!)) {
        ours.add(f.frame!);
        grew = true;
      }
    }
  }
  // Without frame records (a page of its own, as in page-replay.ts), every frame that ran chat.js is the view's.
  if (ours.size === 0) for (const e of events) if (/(^|\/)chat\.js(\?|$)/.test(e.args?.data?.url ?? "") && e.args?.data?.frame) ours.add(e.args.data.frame);
  return ours;
}

export interface TraceFigures {
  /** Main-thread tasks over 50 ms of thread time, any frame's. */
  tasksOver50: number;
  longestMs: number;
  /** Per task, the thread time of the webview frames' scripts (with the style and layout they force): the longest, and how many tasks over 50 ms. */
  longestViewMs: number;
  viewTasksOver50: number;
  /** The whole task (any frame, rendering included) that held the longest view script, in thread time. */
  longestViewTaskMs: number;
  /** What that view script was: "EvaluateScript chat.js", "TimerFire", "FunctionCall renderOlder"… */
  longestViewWhat: string;
}

const SCRIPT_EVENTS = new Set(["FunctionCall", "TimerFire", "FireAnimationFrame", "EvaluateScript"]);

export function traceFigures(events: TraceEvent[], minMs = 50): TraceFigures {
  const mine = mainThread(events);
  const frames = webviewFrames(events);
  const tasks = mine.filter((e) => e.name === "RunTask").sort((a, b) => a.ts - b.ts);
  // Script events that name their frame (an EventDispatch does not: the listener's FunctionCall inside it does).
  const scripts = mine.filter((e) => SCRIPT_EVENTS.has(e.name) && e.args?.data?.frame).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const cpu = (e: TraceEvent) => (e.tdur ?? e.dur!) / 1000;
  let longestViewMs = 0;
  let longestViewTaskMs = 0;
  let longestViewWhat = "";
  let viewTasksOver50 = 0;
  let s = 0;
  for (const task of tasks) {
    const end = task.ts + task.dur!;
    while (s < scripts.length && scripts[s]!.ts < task.ts) s++;
    // The outermost script events of the task (sorted by start, longest first), counted when they ran in the webview.
    let view = 0;
    let what: TraceEvent | undefined;
    let coveredUntil = -1;
    for (let i = s; i < scripts.length && scripts[i]!.ts <= end; i++) {
      const e = scripts[i]!;
      if (e.ts < coveredUntil) continue;
      coveredUntil = e.ts + e.dur!;
      if (frames.has(e.args?.data?.frame ?? "")) {
        view += cpu(e);
        if (!what || cpu(e) > cpu(what)) what = e;
      }
    }
    if (view > minMs) viewTasksOver50++;
    if (view > longestViewMs) {
      longestViewMs = view;
      longestViewTaskMs = cpu(task);
      const data = what?.args?.data;
      longestViewWhat = [what?.name, data?.functionName, data?.url?.replace(/[?#].*$/, "").replace(/^.*\//, "")].filter(Boolean).join(" ");
    }
  }
  return {
    tasksOver50: tasks.filter((t) => cpu(t) > minMs).length,
    longestMs: Math.max(0, ...tasks.map(cpu)),
    longestViewMs,
    viewTasksOver50,
    longestViewTaskMs,
    longestViewWhat,
  };
}
