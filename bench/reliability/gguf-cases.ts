// Hostile GGUF files (test/fixtures/models/hostile-ggufs.ts) through every real path that reads one: the host-side
// reader (readGgufSummary), the model picker's scan of a model folder (ModelScanner, as for LM Studio's folder), the
// check before a load (checkModelFile) and a load of the file as the configured model through a real EngineClient and
// its engine process. One more case, last, is the whole attack of issue 12's first defect: a GGUF whose metadata would
// put NODE_OPTIONS (a payload that writes a marker file) on Object.prototype sits in the scanned folder, the scan
// runs, then a fresh engine starts and loads a good model. For each case:
// - ran-code: a key appeared on a built-in prototype, or the marker file appeared;
// - hung: the load did not end within its deadline (or the case within the pool's);
// - crashed: a path threw something other than its own refusal, or the engine process died;
// - unsafe: the scan offered the file as a usable model, or the engine loaded it;
// - refused: every path that met it turned it away, and what the user is shown (the scan's reason, the model's
//   status) says why in words; unclear: turned away with a message that is not (see outcomes.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import { EngineError } from "../../src/engine/protocol";
import { ModelScanner, type DiscoveryRoot } from "../../src/models/discovery";
import { GgufReadError, readGgufSummary } from "../../src/models/gguf-metadata";
import { checkModelFile } from "../../src/models/model-file";
import { hostileGgufs, writePollutingGguf } from "../../test/fixtures/models/hostile-ggufs";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { WORKER_PATH } from "../../test/unit/helpers/engine";
import type { CaseVerdict } from "./case-pool";
import { markerContent, pollutionSince, reportChildProcess, snapshotPrototypes } from "./canary";
import { describeError, isClearMessage } from "./outcomes";

const CASES = hostileGgufs();
const CHAIN = "the whole attack: a GGUF with a __proto__.NODE_OPTIONS payload in LM Studio's folder, a scan, then an engine start";

export const GGUF_CORPUS = [...CASES.map((c, index) => ({ index, name: `${c.group}: ${c.name}` })), { index: CASES.length, name: `chain: ${CHAIN}` }];

/** A load that has not ended by then is a hang (the client's own load deadline is a minute plus the file's size). */
const LOAD_DEADLINE_MS = 90_000;

export async function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  const logger = new MemoryLogger("info");
  const client = new EngineClient({ workerPath: WORKER_PATH, logger });
  let crashes = 0;
  client.onDidCrash(() => crashes++);
  client.onDidChangeStatus(() => reportChildProcess(client.pid));
  return async (index) => {
    const home = mkdtempSync(join(tmpdir(), "hearth-gguf-case-"));
    try {
      return index === CASES.length ? await runChain(home) : await runCase(index, home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };

  async function runCase(index: number, home: string): Promise<CaseVerdict> {
    const spec = CASES[index];
    if (!spec) throw new Error(`no GGUF case ${index}`);
    const folder = join(home, ".lmstudio", "models", "hostile", "case");
    const path = join(folder, "model-q8_0.gguf");
    await spec.write(path);
    const before = snapshotPrototypes();
    const crashesBefore = crashes;
    const shown: string[] = [];
    const problems: string[] = [];

    // The reader: a refusal is its own GgufReadError; anything else thrown is a crash.
    try {
      await readGgufSummary(path);
    } catch (error) {
      if (!(error instanceof GgufReadError)) return { outcome: "crashed", detail: `readGgufSummary threw ${describeError(error)}` };
    }
    // The picker's scan: the file must not be offered, and the reason it gives is what the user reads.
    const roots: DiscoveryRoot[] = [{ source: "lm-studio", path: join(home, ".lmstudio", "models"), layout: "files" }];
    try {
      const scan = await new ModelScanner().scan(roots);
      if (scan.models.length > 0) problems.push("the scan offers it as a usable model");
      const reason = scan.unusable[0]?.reason;
      if (reason !== undefined) shown.push(reason);
    } catch (error) {
      return { outcome: "crashed", detail: `the scan threw ${describeError(error)}` };
    }
    // The check before a load, then the load itself through the real client and engine.
    const check = await checkModelFile(path).catch((error: unknown) => ({ ok: false as const, thrown: error }));
    if ("thrown" in check) return { outcome: "crashed", detail: `checkModelFile threw ${describeError(check.thrown)}` };
    const status = await client.configure({ modelPath: path, threads: 1, contextSize: 512, gpu: "off", idleUnloadMs: 0 });
    const load = await settleWithin(client.load(), LOAD_DEADLINE_MS);
    reportChildProcess(client.pid);
    if (load === "timeout") return { outcome: "hung", detail: `the load did not end within ${LOAD_DEADLINE_MS} ms` };
    if (load.ok) problems.push("the engine loaded it");
    else if (!(load.error instanceof EngineError)) return { outcome: "crashed", detail: `the load threw ${describeError(load.error)}` };
    else shown.push(load.error.message);
    if (status.kind === "no-model") shown.push(status.problem.message);

    const polluted = pollutionSince(before);
    if (polluted.length) return { outcome: "ran-code", detail: `${polluted.join(", ")} appeared` };
    if (crashes > crashesBefore) return { outcome: "crashed", detail: `the engine process died: ${shown.at(-1) ?? "?"}` };
    if (problems.length) return { outcome: "unsafe", detail: problems.join("; ") };
    const unclear = shown.filter((m) => !isClearMessage(m));
    if (unclear.length || shown.length === 0) return { outcome: "unclear", detail: unclear[0] ?? "refused without a word" };
    return { outcome: "refused", detail: [...new Set(shown)].join(" | ") };
  }

  async function runChain(home: string): Promise<CaseVerdict> {
    const marker = join(home, "payload-ran");
    await writePollutingGguf(join(home, ".lmstudio", "models", "evil", "coder", "coder-q8_0.gguf"), marker);
    const before = snapshotPrototypes();
    const scan = await new ModelScanner().scan([{ source: "lm-studio", path: join(home, ".lmstudio", "models"), layout: "files" }]);
    const polluted = Object.keys(Object.prototype);
    // A fresh engine process: its environment is built now, after the scan.
    const fresh = new EngineClient({ workerPath: WORKER_PATH, logger: new MemoryLogger() });
    try {
      await fresh.configure({ modelPath: await ensureTestModel("tiny"), threads: 1, contextSize: 512, gpu: "off", idleUnloadMs: 0 });
      const load = await settleWithin(fresh.load(), LOAD_DEADLINE_MS);
      reportChildProcess(fresh.pid);
      const ran = markerContent(marker);
      const added = pollutionSince(before);
      if (ran !== null || added.length || polluted.length) return { outcome: "ran-code", detail: `marker: ${ran ?? "none"}; polluted: ${[...added, ...polluted].join(", ") || "nothing"}` };
      if (load === "timeout") return { outcome: "hung", detail: "the good model's load did not end" };
      if (!load.ok) return { outcome: "crashed", detail: `the good model did not load after the scan: ${describeError(load.error)}` };
      const reason = scan.unusable[0]?.reason ?? "";
      if (scan.models.length > 0) return { outcome: "unsafe", detail: "the scan offers the polluting file as a model" };
      return isClearMessage(reason) ? { outcome: "refused", detail: `${reason} (then a fresh engine started clean: no marker file, no polluted prototype)` } : { outcome: "unclear", detail: reason };
    } finally {
      await fresh.dispose();
    }
  }
}

async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
