// `-- --profile`: a V8 CPU profile of the renderer's main thread (workbench and webview share it) for each measured
// window, written to bench/.work/chat-*.cpuprofile (open it in DevTools), plus a digest: the busy stretches over 50 ms
// and, for each, where the time went (self time by function, the webview's bundle chat.js told apart).
import type { CDPSession, Page } from "playwright-core";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export class Profiler {
  private constructor(private readonly session: CDPSession) {}

  static async attach(page: Page): Promise<Profiler> {
    const session = await page.context().newCDPSession(page);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 250 });
    return new Profiler(session);
  }

  async start(): Promise<void> {
    await this.session.send("Profiler.start");
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = (await this.session.send("Profiler.stop")) as unknown as { profile: CpuProfile };
    return profile;
  }
}

/** Busy stretches (consecutive samples that are not idle) over `minMs`, each with its top self-time functions. */
export function digestProfile(profile: CpuProfile, minMs = 50, top = 6): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.includes("/media/dist/chat.js") ? "chat.js" : url ? url.replace(/\?.*$/, "").replace(/^.*\//, "") : "";
    return `${functionName || "(anonymous)"}${file ? ` ${file}:${lineNumber + 1}` : ""}`;
  };
  const inChat = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)?.callFrame.url.includes("/media/dist/chat.js")) return true;
    return false;
  };
  const lines: string[] = [];
  let t = profile.startTime;
  let stretch: { start: number; end: number; self: Map<string, number>; chat: number } | undefined;
  const close = () => {
    if (stretch && (stretch.end - stretch.start) / 1000 >= minMs) {
      const tops = [...stretch.self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => `${name} ${(us / 1000).toFixed(0)}`);
      lines.push(
        `${((stretch.end - stretch.start) / 1000).toFixed(0)} ms at +${((stretch.start - profile.startTime) / 1000).toFixed(0)} ms, ` +
          `${(stretch.chat / 1000).toFixed(0)} ms of it under chat.js: ${tops.join(", ")}`,
      );
    }
    stretch = undefined;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    const node = byId.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === "(idle)") {
      close();
      continue;
    }
    stretch ??= { start: t - delta, end: t, self: new Map(), chat: 0 };
    stretch.end = t;
    stretch.self.set(label(node), (stretch.self.get(label(node)) ?? 0) + delta);
    if (inChat(node.id)) stretch.chat += delta;
  }
  close();
  return lines;
}
