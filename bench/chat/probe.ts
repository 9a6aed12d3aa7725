// The in-page probe of the chat bench: Performance API observers installed in every frame below the workbench (the
// webview's outer and inner iframes) before their scripts run, read back from the chat app's frame.
//   longtask               tasks over 50 ms on the frame's event loop (the workbench shares it: code-server serves
//                          webviews from its own origin), with Chromium's attribution ("self" = this frame's script)
//   long-animation-frame   frames over 50 ms including style/layout/paint, with the scripts that ran in them
//   requestAnimationFrame  gaps between frames, a cross-check that needs no Long Tasks support
// Code that runs in the page is a string: the Node tsconfig has no DOM types.

export interface LongTask {
  start: number;
  duration: number;
  /** "self", "same-origin-ancestor", "cross-origin-ancestor", "multiple-contexts", "unknown"… */
  name: string;
  /** The frame that ran it, when it was another one (Chromium's TaskAttributionTiming). */
  container: string;
}

export interface LongFrameScript {
  invoker: string;
  fn: string;
  url: string;
  char: number;
  duration: number;
  forcedLayout: number;
}

export interface LongFrame {
  start: number;
  duration: number;
  blocking: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: LongFrameScript[];
}

export interface ProbeData {
  supported: string[];
  errors: string[];
  longtasks: LongTask[];
  frames: LongFrame[];
  /** requestAnimationFrame gaps over 50 ms. */
  gaps: { start: number; duration: number }[];
  /** The longest rAF gap seen since the last reset, and the frame's clock now. */
  maxGap: number;
  /** When (rAF time) the number of `.entry` elements in the frame changed, and to what. */
  counts: { at: number; count: number }[];
  /** `append` messages (batches of streamed text) the frame received. */
  appends: number;
  /** The frame's own animation-frame, timer and message callbacks over 10 ms. */
  callbacks: { start: number; duration: number; kind: string }[];
  now: number;
}

/** Installs the probe once per frame; the top-level workbench page is left alone. */
export const PROBE_INIT_SCRIPT = `(() => {
  if (window.top === window || window.__hearthBench) return;
  const state = { supported: [...(PerformanceObserver.supportedEntryTypes || [])], errors: [], longtasks: [], frames: [], gaps: [], maxGap: 0, counts: [], appends: 0, callbacks: [] };
  window.__hearthBench = state;
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => { for (const e of list.getEntries()) onEntry(e); }).observe({ type, buffered: true });
    } catch (e) {
      state.errors.push(type + ": " + String(e));
    }
  };
  observe("longtask", (e) => state.longtasks.push({
    start: e.startTime,
    duration: e.duration,
    name: e.name,
    container: (e.attribution || []).map((a) => a.containerType + " " + (a.containerSrc || a.containerName || a.containerId || "")).join(", "),
  }));
  observe("long-animation-frame", (e) => state.frames.push({
    start: e.startTime,
    duration: e.duration,
    blocking: e.blockingDuration,
    renderStart: e.renderStart,
    styleAndLayoutStart: e.styleAndLayoutStart,
    scripts: (e.scripts || []).map((s) => ({ invoker: s.invoker, fn: s.sourceFunctionName, url: s.sourceURL, char: s.sourceCharPosition, duration: s.duration, forcedLayout: s.forcedStyleAndLayoutDuration })),
  }));
  // VS Code writes the webview's document with document.open(), which drops the listeners and animation-frame
  // callbacks registered before it (observers and timers survive): both are re-armed right after it, and by a timer
  // if they stop ticking anyway.
  const onMessage = (event) => {
    if (event.data && event.data.type === "append") state.appends++;
  };
  // The view's own work: every animation-frame, timer and message callback of the frame, timed (script plus the style
  // and layout it forces; not the paint that follows). Callbacks over 10 ms are kept.
  const raf = window.requestAnimationFrame.bind(window);
  const timeout = window.setTimeout.bind(window);
  const timed = (kind, fn) => function (...args) {
    const started = performance.now();
    try {
      return fn.apply(this, args);
    } finally {
      const duration = performance.now() - started;
      if (duration > 10) state.callbacks.push({ start: started, duration, kind: fn.name ? kind + " " + fn.name : kind });
    }
  };
  window.requestAnimationFrame = (cb) => raf(timed("animation frame", cb));
  window.setTimeout = (cb, ms, ...rest) => timeout(typeof cb === "function" ? timed("timer", cb) : cb, ms, ...rest);
  const wrappedListeners = new WeakMap();
  const addListener = EventTarget.prototype.addEventListener;
  const removeListener = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (this === window && type === "message" && typeof listener === "function" && listener !== onMessage) {
      if (!wrappedListeners.has(listener)) wrappedListeners.set(listener, timed("message", listener));
      listener = wrappedListeners.get(listener);
    }
    return addListener.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    return removeListener.call(this, type, (typeof listener === "function" && wrappedListeners.get(listener)) || listener, options);
  };
  let generation = 0;
  let last = 0;
  let lastTickAt = -1;
  let count = -1;
  const arm = () => {
    const mine = ++generation;
    last = performance.now();
    lastTickAt = last;
    window.removeEventListener("message", onMessage);
    window.addEventListener("message", onMessage);
    const tick = (now) => {
      if (mine !== generation) return;
      lastTickAt = performance.now();
      const c = document.getElementsByClassName("entry").length;
      if (c !== count) state.counts.push({ at: now, count: (count = c) });
      const gap = now - last;
      if (gap > state.maxGap) state.maxGap = gap;
      if (gap > 50) state.gaps.push({ start: last, duration: gap });
      last = now;
      raf(tick);
    };
    raf(tick);
  };
  arm();
  const open = Document.prototype.open;
  Document.prototype.open = function (...args) {
    const result = open.apply(this, args);
    if (this === document) arm();
    return result;
  };
  // Hidden frames get no animation frames either: re-arming then is harmless (the newest loop is the only one).
  setInterval(() => {
    if (performance.now() - lastTickAt > 1000) arm();
  }, 500);
})();`;

/** Evaluated in the chat frame: everything the probe saw, and the frame's clock. */
export const READ_PROBE = `(() => {
  const s = window.__hearthBench;
  if (!s) return null;
  return { supported: s.supported, errors: s.errors, longtasks: s.longtasks, frames: s.frames, gaps: s.gaps, maxGap: s.maxGap, counts: s.counts, appends: s.appends, callbacks: s.callbacks, now: performance.now() };
})()`;

/** Evaluated in the chat frame: starts a new window for the rAF maximum; returns the frame's clock. */
export const RESET_MAX_GAP = `(() => { if (window.__hearthBench) window.__hearthBench.maxGap = 0; return performance.now(); })()`;

export interface WindowFigures {
  /** Long tasks in the window, any attribution (the workbench shares the thread). */
  tasks: number;
  longestTaskMs: number;
  totalTaskMs: number;
  /** Long tasks whose culprit is the chat app's own frame. */
  selfTasks: number;
  longestSelfTaskMs: number;
  totalSelfTaskMs: number;
  /** Long animation frames (tasks plus rendering) in the window. */
  longFrames: number;
  longestFrameMs: number;
  /** The scripts of the longest frame, "function (invoker) ms". */
  longestFrameScripts: string;
  longestGapMs: number;
  gapsOver50: number;
  /** The view's own callbacks (script with the style/layout it forces), from the frame's patched timers and listeners. */
  longestCallbackMs: number;
  longestCallbackKind: string;
  callbacksOver50: number;
}

/** Long tasks, long frames and rAF gaps that started within [from, to] of the frame's clock. */
export function summarizeWindow(data: ProbeData, from: number, to: number, maxGap: number): WindowFigures {
  const inWindow = <T extends { start: number }>(list: T[]) => list.filter((e) => e.start >= from && e.start <= to);
  const tasks = inWindow(data.longtasks);
  const self = tasks.filter((t) => t.name === "self");
  const frames = inWindow(data.frames);
  const gaps = inWindow(data.gaps);
  const callbacks = inWindow(data.callbacks);
  const longestCallback = callbacks.reduce<ProbeData["callbacks"][number] | undefined>((a, c) => (!a || c.duration > a.duration ? c : a), undefined);
  const longestFrame = frames.reduce<LongFrame | undefined>((a, f) => (!a || f.duration > a.duration ? f : a), undefined);
  const max = (values: number[]) => (values.length ? Math.max(...values) : 0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    tasks: tasks.length,
    longestTaskMs: max(tasks.map((t) => t.duration)),
    totalTaskMs: sum(tasks.map((t) => t.duration)),
    selfTasks: self.length,
    longestSelfTaskMs: max(self.map((t) => t.duration)),
    totalSelfTaskMs: sum(self.map((t) => t.duration)),
    longFrames: frames.length,
    longestFrameMs: longestFrame?.duration ?? 0,
    longestFrameScripts: (longestFrame?.scripts ?? [])
      .filter((s) => s.duration >= 1)
      .map((s) => `${s.fn || "(anonymous)"}@${s.char} (${s.invoker}) ${Math.round(s.duration)} ms`)
      .join("; "),
    longestGapMs: Math.max(maxGap, max(gaps.map((g) => g.duration))),
    gapsOver50: gaps.length,
    longestCallbackMs: longestCallback?.duration ?? 0,
    longestCallbackKind: longestCallback?.kind ?? "",
    callbacksOver50: callbacks.filter((c) => c.duration > 50).length,
  };
}
