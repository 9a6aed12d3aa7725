// The soak: a long typing replay (bench/inline/replay.ts: each key applied to the real ContextEngine, then the real
// RequestManager asked as VS Code asks the inline provider, the real EngineClient answering) at a fast typist's pace.
// After a warm-up, every SAMPLE_EVERY keys: a full garbage collection, then this process's (the extension host's)
// resident memory and heap, the engine process's resident memory, and the live tree-sitter objects. Reported: each
// memory's slope per 1,000 keys (least squares), the live objects' range and what is left after the context engine is
// disposed, the copies of the whole document still alive at the last key and who keeps them, and the host thread's
// stalls (a 10 ms timer's lateness, as perf_hooks measures it; the samples' GC pauses and the heap snapshot excluded).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { loadavg, tmpdir } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ALL_FEATURES } from "../../src/completion/request-manager";
import type { EngineClient } from "../../src/engine/client";
import { quantile } from "../report";
import { runReplay } from "../inline/replay";
import { makeSegment, type Pace } from "../inline/typist";
import { engineRss } from "./flood";
import { bigStringOwners } from "./heap-owners";
import { StallMonitor } from "./stall-monitor";
import { wasmObjectCounter, type WasmCounts } from "./wasm-objects";

/** HUMAN_PACE at about a quarter of its gaps: a fast typist, so that 10,000 keys take minutes, with pauses left in. */
export const FAST_PACE: Pace = { keyMs: 16, wordEndMs: 40, lineEndMs: 100, thinkMs: 500, thinkShare: 0.2, typoShare: 0.02, typoNoticeMs: 70, jitter: 0.15 };

const SAMPLE_EVERY = 250;

export interface SoakSample {
  key: number;
  hostRssMiB: number;
  hostHeapMiB: number;
  engineRssMiB: number | null;
  live: WasmCounts;
}

export interface SoakResult {
  source: string;
  keys: number;
  warmupKeys: number;
  durationS: number;
  modelCalls: number;
  shown: number;
  samples: SoakSample[];
  hostRssSlopeMiBPer1k: number;
  hostHeapSlopeMiBPer1k: number;
  engineRssSlopeMiBPer1k: number | null;
  /** Strings that begin as the document does and hold at least 80% of it, alive at the last key, and who keeps each. */
  documentCopies: number;
  documentCopiesByOwner: Record<string, number>;
  liveTreesMax: number;
  liveParsersMax: number;
  liveCursorsMax: number;
  liveTreesSlopePer1k: number;
  /** Left after the context engine was disposed: leaked. */
  leakedTrees: number;
  leakedParsers: number;
  leakedCursors: number;
  stallP99Ms: number;
  stallMaxMs: number;
  /** Timer ticks more than 50 ms late (each a stall of the host thread, or a time the machine did not run it). */
  stallsOver50ms: number;
  /** The machine's 1-minute load average at the samples: stalls on a loaded machine include waiting for a core. */
  loadAverageMax: number;
  provideSyncP99Ms: number;
  provideSyncMaxMs: number;
  applyEditP99Ms: number;
  applyEditMaxMs: number;
}

export async function runSoak(options: { client: EngineClient; root: string; keys: number; warmupKeys: number; log?: (line: string) => void }): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const counter = await wasmObjectCounter();
  const gc = exposedGc();
  const path = join(options.root, "node_modules", "dompurify", "src", "purify.ts");
  const version = (JSON.parse(readFileSync(join(options.root, "node_modules", "dompurify", "package.json"), "utf8")) as { version: string }).version;
  const segment = makeSegment(
    { origin: `dompurify@${version} src/purify.ts`, absolutePath: path, relativePath: relative(join(options.root, "node_modules", "dompurify"), path), repoName: "dompurify", languageId: "typescript", text: readFileSync(path, "utf8") },
    300,
    800,
  );
  const total = options.warmupKeys + options.keys;
  const documentChars = segment.head.length + segment.typed.length + segment.tail.length;
  let retained: { strings: number; byOwner: Record<string, number> } = { strings: 0, byOwner: {} };
  const samples: SoakSample[] = [];
  const loads: number[] = [];
  const stalls = new StallMonitor(10);
  const sample = (key: number) =>
    stalls.excluding(() => {
      gc();
      const memory = process.memoryUsage();
      samples.push({ key, hostRssMiB: mib(memory.rss), hostHeapMiB: mib(memory.heapUsed), engineRssMiB: engineRss(options.client.pid), live: counter.live() });
      loads.push(loadavg()[0]!);
    });
  const started = performance.now();
  const result = await runReplay(
    {
      label: "reliability soak",
      segment,
      features: ALL_FEATURES,
      oracle: false,
      generation: { maxTokensSingleLine: 24, maxTokensMultiLine: 48 },
      pace: FAST_PACE,
      maxKeys: total,
      onKey: (index) => {
        const typed = index + 1;
        if (typed === options.warmupKeys) {
          stalls.reset();
          sample(typed);
        } else if (typed > options.warmupKeys && (typed - options.warmupKeys) % SAMPLE_EVERY === 0) sample(typed);
        if (typed === total) {
          // Before the replay disposes the context engine: which objects keep whole copies of the document.
          retained = stalls.excluding(() => bigStringOwners(join(tmpdir(), `hearth-soak-${process.pid}.heapsnapshot`), Math.floor(documentChars * 0.8), segment.head.slice(0, 200)));
        }
        if (typed % 1000 === 0) log(`soak: ${typed} keys, host rss ${samples.at(-1)?.hostRssMiB ?? "?"} MiB, engine rss ${samples.at(-1)?.engineRssMiB ?? "?"} MiB, live trees ${counter.live().trees}`);
      },
    },
    { client: options.client, grammarsDir: join(options.root, "grammars") },
  );
  const stall = stalls.stop();
  const durationS = Math.round((performance.now() - started) / 100) / 10;
  gc();
  const leaked = counter.live();
  const measured = samples.filter((s) => s.key >= options.warmupKeys);
  const per1k = (pick: (s: SoakSample) => number | null) => {
    const points = measured.map((s) => [s.key / 1000, pick(s)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
    return points.length >= 2 ? round(slope(points), 3) : null;
  };
  const sync = result.provides.map((p) => p.syncMs);
  return {
    source: `${segment.origin} lines ${segment.firstLine}-${segment.lastLine}`,
    keys: result.keys - options.warmupKeys,
    warmupKeys: options.warmupKeys,
    durationS,
    modelCalls: result.modelCalls,
    shown: result.provides.filter((p) => p.shown).length,
    samples,
    hostRssSlopeMiBPer1k: per1k((s) => s.hostRssMiB) ?? Number.NaN,
    hostHeapSlopeMiBPer1k: per1k((s) => s.hostHeapMiB) ?? Number.NaN,
    engineRssSlopeMiBPer1k: per1k((s) => s.engineRssMiB),
    documentCopies: retained.strings,
    documentCopiesByOwner: retained.byOwner,
    liveTreesMax: Math.max(...measured.map((s) => s.live.trees)),
    liveParsersMax: Math.max(...measured.map((s) => s.live.parsers)),
    liveCursorsMax: Math.max(...measured.map((s) => s.live.cursors)),
    liveTreesSlopePer1k: per1k((s) => s.live.trees) ?? Number.NaN,
    leakedTrees: leaked.trees,
    leakedParsers: leaked.parsers,
    leakedCursors: leaked.cursors,
    stallP99Ms: round(stall.p99Ms, 1),
    stallMaxMs: round(stall.maxMs, 1),
    stallsOver50ms: stall.over50,
    loadAverageMax: round(Math.max(...loads), 2),
    provideSyncP99Ms: round(quantile(sync, 0.99), 2),
    provideSyncMaxMs: round(Math.max(...sync), 2),
    applyEditP99Ms: round(quantile(result.applyEditMs, 0.99), 2),
    applyEditMaxMs: round(Math.max(...result.applyEditMs), 2),
  };
}

/** Least-squares slope of y over x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** A full collection on demand, so that a heap sample holds only what is still referenced. */
function exposedGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function mib(bytes: number): number {
  return round(bytes / 2 ** 20, 1);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
