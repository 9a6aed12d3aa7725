// `npm run bench:reliability`: hostile inputs, faults, a soak and a flood, through Hearth's real parts (see each
// module's header). Writes bench/results/reliability.json (flat figures), its section of bench/RESULTS.md, and every
// case's outcome to bench/.work/reliability-cases.json.
//
//   --seed=N            the engine faults' and disk faults' random points (default: a new seed, reported)
//   --injections=N      engine fault injections (default 50)
//   --keys=N            soak keystrokes after a 1,000-key warm-up (default 10,000)
//   --only=a,b          run only these parts: markdown, messages, completions, gguf, settings, engine-build, sources, servers, stored, faults, disk,
//                       soak, flood
//   --quick             a smoke run: samples of each corpus, 12 injections, 1,000 keys
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR } from "../report";
import { runCasePool } from "./case-pool";
import { COMPLETION_CORPUS } from "./completion-cases";
import { runConversationDiskFaults } from "./conversation-faults";
import { runDownloadFaults } from "./download-faults";
import { runEngineFaults } from "./engine-faults";
import { runFlood } from "./flood";
import { GGUF_CORPUS } from "./gguf-cases";
import { MARKDOWN_CORPUS } from "./markdown-cases";
import { MEMORY_CORPUS } from "./memory-cases";
import { MESSAGE_CORPUS } from "./message-cases";
import type { CaseResult } from "./outcomes";
import { reportReliability, type ReliabilityRun } from "./reliability-report";
import { ENGINE_BUILD_CORPUS } from "./engine-build-cases";
import { SERVER_CORPUS } from "./server-cases";
import { SETTINGS_CORPUS } from "./settings-cases";
import { STORED_FILE_CORPUS } from "./stored-file-cases";
import { runSoak } from "./soak";
import { SOURCE_CORPUS } from "./source-files";

const PARTS = ["markdown", "messages", "completions", "gguf", "settings", "engine-build", "sources", "memory", "servers", "stored", "faults", "disk", "soak", "flood"] as const;
type Part = (typeof PARTS)[number];

/** The bench's engine deadlines: the product's (10 s of silence; a stopped load after 60 s plus the file at 25 MB/s) would make 50 injections take most of an hour. */
export const BENCH_SUPERVISION = { heartbeatIntervalMs: 250, unresponsiveMs: 2500, loadDeadline: { baseMs: 6000, bytesPerSecond: 25_000_000 } };

export async function runReliabilityBench(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = argv.includes("--quick");
  const seed = Number(flag("seed") ?? Math.floor(Math.random() * 2 ** 31));
  const injections = Number(flag("injections") ?? (quick ? 12 : 50));
  const keys = Number(flag("keys") ?? (quick ? 1000 : 10_000));
  const only = flag("only")?.split(",") ?? [...PARTS];
  const unknown = only.filter((p) => !PARTS.includes(p as Part));
  if (unknown.length) throw new Error(`unknown part ${unknown.join(", ")}; known: ${PARTS.join(", ")}`);
  const wanted = (part: Part) => only.includes(part);
  const root = join(BENCH_DIR, "..");
  const workerPath = join(root, "dist", "engine-worker.mjs");
  const log = (line: string) => console.log(`reliability: ${line}`);
  const sample = <T>(list: readonly T[], every: number) => (quick ? list.filter((_, i) => i % every === 0) : list);

  const loads: number[] = [loadavg()[0]!];
  const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 10_000);
  const started = Date.now();
  const run: ReliabilityRun = { seed, quick, startedAt: new Date().toISOString(), corpora: {}, loadAverages: loads, durationS: 0 };
  log(`seed ${seed}; load average ${loads[0]!.toFixed(2)}${quick ? "; quick run" : ""}`);
  const corpus = async (name: string, module: string, cases: readonly { index: number; name: string }[], timeoutMs: number, init?: unknown, control = false, heapMb?: number) => {
    const t = Date.now();
    const results = await runCasePool({
      corpus: name,
      module,
      cases,
      timeoutMs,
      init,
      ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb, stackSizeMb: 4 } } : {}),
      ...(control ? {} : { onResult: (r: CaseResult) => showFailure(r, log) }),
    });
    log(`${name}: ${results.length} cases in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    return results;
  };
  try {
    if (wanted("markdown")) {
      const cases = sample(MARKDOWN_CORPUS, 5);
      run.corpora.markdown = await corpus("markdown", "markdown-cases.js", cases.filter((c) => !c.large), 30_000, { renderer: "view" });
      // jsdom's DOM takes several times Chromium's memory: a large answer's thread gets more heap than the default.
      run.corpora.markdown.push(...(await corpus("markdown (large)", "markdown-cases.js", cases.filter((c) => c.large), 120_000, { renderer: "view" }, false, 4096)));
      run.markdownControl = await corpus("markdown control", "markdown-cases.js", cases.filter((c) => !c.large), 30_000, { renderer: "unsanitised" }, true);
    }
    if (wanted("messages")) run.corpora.messages = await corpus("messages", "message-cases.js", MESSAGE_CORPUS, 20_000);
    if (wanted("completions")) run.corpora.completions = await corpus("completions", "completion-cases.js", COMPLETION_CORPUS, 20_000);
    if (wanted("gguf")) run.corpora.gguf = await corpus("gguf", "gguf-cases.js", sample(GGUF_CORPUS, 4), 150_000);
    if (wanted("settings")) run.corpora.settings = await corpus("settings", "settings-cases.js", SETTINGS_CORPUS, 20_000);
    if (wanted("engine-build")) run.corpora["engine-build"] = await corpus("engine-build", "engine-build-cases.js", ENGINE_BUILD_CORPUS, 30_000);
    if (wanted("sources")) run.corpora.sources = await corpus("sources", "source-files.js", sample(SOURCE_CORPUS, 3), 300_000, { grammarsDir: join(root, "grammars") });
    if (wanted("servers")) run.corpora.servers = await corpus("servers", "server-cases.js", SERVER_CORPUS, 60_000);
    if (wanted("stored")) run.corpora.stored = await corpus("stored", "stored-file-cases.js", STORED_FILE_CORPUS, 30_000);
    if (wanted("memory")) run.corpora.memory = await corpus("memory", "memory-cases.js", MEMORY_CORPUS, 600_000, { grammarsDir: join(root, "grammars") });
    if (wanted("faults")) {
      const tiny = await ensureTestModel("tiny");
      const workDir = join(BENCH_DIR, ".work");
      mkdirSync(workDir, { recursive: true });
      log(`engine faults: ${injections} injections, deadlines shortened to ${BENCH_SUPERVISION.unresponsiveMs} ms of silence and ${BENCH_SUPERVISION.loadDeadline.baseMs} ms for a stopped load`);
      run.faults = await runEngineFaults({ workerPath, modelPath: tiny, injections, seed, workDir, deadlineMs: 45_000, supervision: BENCH_SUPERVISION, log: (l) => log(`fault ${l}`) });
      log("engine faults with the product's own deadlines: a SIGSTOP during a completion and during a chat");
      run.productFaults = await runEngineFaults({
        workerPath,
        modelPath: tiny,
        injections: 2,
        seed,
        workDir,
        deadlineMs: 45_000,
        plan: [
          { signal: "SIGSTOP", phase: "completion" },
          { signal: "SIGSTOP", phase: "chat" },
        ],
        log: (l) => log(`fault (product deadlines) ${l}`),
      });
    }
    if (wanted("disk")) {
      run.conversationDisk = await runConversationDiskFaults({ seed, injections: quick ? 20 : 60 });
      log(`conversation disk faults: ${JSON.stringify(run.conversationDisk.figures)}`);
      run.downloadDisk = await runDownloadFaults();
      log(`download disk faults: ${JSON.stringify(run.downloadDisk.figures)}`);
    }
    if (wanted("soak") || wanted("flood")) {
      const engineLog = new MemoryLogger("info");
      const client = new EngineClient({ workerPath, logger: engineLog });
      try {
        await client.configure({ modelPath: await ensureTestModel("tiny"), threads: 1, contextSize: 2048, gpu: "off", idleUnloadMs: 0 });
        await client.load();
        if (wanted("soak")) run.soak = await runSoak({ client, root, keys, warmupKeys: 1000, log });
        if (wanted("flood")) run.flood = await runFlood(client, { requests: 1000, grammarsDir: join(root, "grammars"), deadlineMs: 60_000, log: (l) => log(`flood ${l}`) });
      } finally {
        await client.dispose();
      }
    }
  } finally {
    clearInterval(loadTimer);
  }
  loads.push(loadavg()[0]!);
  run.durationS = Math.round((Date.now() - started) / 1000);
  const work = join(BENCH_DIR, ".work");
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "reliability-cases.json"), `${JSON.stringify(run, null, 1)}\n`);
  reportReliability(run, log);
  log(`done in ${run.durationS} s; every case in ${join(work, "reliability-cases.json")}`);
}

function showFailure(result: CaseResult, log: (line: string) => void): void {
  if (result.outcome === "refused" || result.outcome === "accepted") return;
  log(`${result.corpus}: ${result.outcome.toUpperCase()} ${result.name}: ${result.detail.slice(0, 300)}`);
}
