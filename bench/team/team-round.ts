// One round of the team bench: every developer's Hearth pipeline (bench/engine/hearth-side.ts: the context engine over
// the indexed workspace, generateSuggestion) opened on its engine, a warm-up request each (the document before typing,
// so every cache starts filled), then all of them replaying their schedules at once, each waiting for its answer before
// its next request. The engine is the in-process engine (EngineClient → engine process) for a developer alone, or a
// ServerEngine per developer (src/engine/server/: Hearth's FIM prompt as text to /v1/completions, cache_prompt) on one
// llama-server with a slot per developer.
import { join } from "node:path";
import { loadavg } from "node:os";
import { MemoryLogger } from "../../src/common/logger";
import type { PipelineEngine } from "../../src/completion/completion-pipeline";
import { EngineClient } from "../../src/engine/client";
import type { InfillParams } from "../../src/engine/protocol";
import { ServerEngine } from "../../src/engine/server/server-engine";
import { BENCH_DIR } from "../report";
import { HearthSide, type HearthAnswer } from "../engine/hearth-side";
import { LlamaServer } from "../engine/llama-server";
import type { Developer } from "./developers";

export interface TeamSample {
  developer: number;
  /** From the keystroke's request to the last token in the host, context assembly included. */
  ms: number;
  /** Of which the engine call (the server's answer, or the engine process's). */
  engineMs: number;
  /** Prompt tokens the engine evaluated (llama-server's timings.prompt_n; the rest came from the slot's cache). */
  evaluated: number;
  generated: number;
  params: InfillParams;
}

export interface RoundResult {
  /** "local" or the team size on the server. */
  kind: "local" | "server";
  developers: number;
  /** 1-based repetition this round belongs to. */
  repetition: number;
  samples: TeamSample[];
  /** Requests not answered when the round's time limit came (abandoned: the server engine closed them). */
  unfinished: number;
  /** Requests that failed, with the first failure's message. */
  failed: number;
  firstFailure: string | null;
  /** From the first measured request to the last answer, all developers at once. */
  wallS: number;
  /** The server's context per slot (what the server engine read from it); the local engine's context otherwise. */
  contextPerSlot: number;
  load: [number, number, number];
  engineErrors: string[];
}

export interface RoundSettings {
  modelPath: string;
  threads: number;
  contextPerSlot: number;
  nPredict: number;
  serverBinary: string;
  /** A round (engine or server start, warm-up and replay) is stopped after this long; what finished is reported. */
  roundLimitMs: number;
  log: (line: string) => void;
}

/** The in-process engine with one developer: what each developer has on their own laptop. */
export async function localRound(developer: Developer, repetition: number, settings: RoundSettings): Promise<RoundResult> {
  const logger = new MemoryLogger("warn");
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger });
  try {
    await client.configure({ modelPath: settings.modelPath, threads: settings.threads, contextSize: settings.contextPerSlot, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    const measured = await replayAll([client], [developer], settings);
    return { kind: "local", developers: 1, repetition, ...measured, contextPerSlot: settings.contextPerSlot, load: loadNow(), engineErrors: errorsOf(logger) };
  } finally {
    await client.dispose();
  }
}

/** N developers, each with their own ServerEngine, on one llama-server with N slots and continuous batching. */
export async function serverRound(developers: readonly Developer[], repetition: number, settings: RoundSettings): Promise<RoundResult> {
  const n = developers.length;
  // The server's own HTTP timeout (600 s by default) would close requests that wait longer in a loaded round.
  const flags = ["-c", String(settings.contextPerSlot * n), "-np", String(n), "-cb", "--timeout", String(Math.ceil(settings.roundLimitMs / 1000) + 60)];
  const server = await LlamaServer.start(settings.serverBinary, settings.modelPath, { threads: settings.threads, flags, logFile: join(BENCH_DIR, ".work", `llama-server-team-${n}.log`) });
  const logger = new MemoryLogger("warn");
  // Hearth's own retries (a reset connection or 503, before any text came) stay on, as in the editor; the timeout is
  // the round's limit, since a loaded 2-core round answers far slower than hearth.server.timeoutSeconds allows.
  const engines = developers.map(() => new ServerEngine({ url: server.url, models: { completion: "", chat: "", embedding: "" }, timeoutMs: settings.roundLimitMs, fimFormat: "auto" }, logger));
  try {
    const info = await engines[0]!.load();
    const measured = await replayAll(engines, developers, settings);
    return { kind: "server", developers: n, repetition, ...measured, contextPerSlot: info.contextSize, load: loadNow(), engineErrors: errorsOf(logger) };
  } finally {
    await Promise.all(engines.map((engine) => engine.dispose()));
    await server.stop();
  }
}

type Replayed = Pick<RoundResult, "samples" | "unfinished" | "failed" | "firstFailure" | "wallS">;

async function replayAll(engines: readonly PipelineEngine[], developers: readonly Developer[], settings: RoundSettings): Promise<Replayed> {
  const limit = AbortSignal.timeout(settings.roundLimitMs);
  const failures: string[] = [];
  let unfinished = 0;
  const sides = await Promise.all(developers.map((developer, i) => HearthSide.open(engines[i]!, developer.file, developer.steps[0]!)));
  try {
    // Warm-up, all at once: each developer's first prompt fills their slot (or the engine's cache).
    const warm = await Promise.allSettled(developers.map((developer, i) => sides[i]!.ask(developer.steps[0]!, settings.nPredict, limit)));
    for (const result of warm) if (result.status === "rejected" && !limit.aborted) failures.push(messageOf(result.reason));
    const started = performance.now();
    const perDeveloper = await Promise.all(
      developers.map(async (developer, i) => {
        const samples: TeamSample[] = [];
        for (const step of developer.steps.slice(1)) {
          if (limit.aborted) {
            unfinished++;
            continue;
          }
          let answer: HearthAnswer;
          try {
            answer = await sides[i]!.ask(step, settings.nPredict, limit);
          } catch (error) {
            if (limit.aborted) unfinished++;
            else failures.push(messageOf(error));
            continue;
          }
          samples.push({
            developer: developer.index,
            ms: answer.ms,
            engineMs: answer.ms - answer.assemblyMs,
            evaluated: answer.result.promptTokens,
            generated: answer.result.generatedTokens,
            params: answer.params,
          });
        }
        return samples;
      }),
    );
    return { samples: perDeveloper.flat(), unfinished, failed: failures.length, firstFailure: failures[0] ?? null, wallS: (performance.now() - started) / 1000 };
  } finally {
    for (const side of sides) side.dispose();
  }
}

function loadNow(): [number, number, number] {
  const [one, five, fifteen] = loadavg();
  return [one!, five!, fifteen!];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorsOf(logger: MemoryLogger): string[] {
  return logger.lines.filter((line) => line.startsWith("error") || line.startsWith("warn"));
}
