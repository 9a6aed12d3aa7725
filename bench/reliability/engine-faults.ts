// Faults of the engine process: SIGKILL and SIGSTOP of the real EngineClient's engine (its pid) at a random point of
// a load, a completion or a chat, on the generated test models. The points come from a seeded RNG (the seed is
// reported), so a run can be repeated. Chats go through a real ChatSession whose ConversationStore writes to a temp
// folder. After each injection:
// - failed cleanly: the request that was under way ended with a clear error (or the chat entry with a clear note),
//   not a hang; a request that had already finished counts as not harmed;
// - recovered: the next request of the same kind succeeded;
// - conversation lost (chats): a fresh store on the same folder (the next window) does not find the conversation
//   with every earlier turn as it was and the interrupted answer holding at least what had been shown when it was cut.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ChatSession, type ChatBudget } from "../../src/chat/chat-session";
import type { Conversation } from "../../src/chat/conversation";
import { ConversationStore } from "../../src/chat/conversation-store";
import { isAbortError } from "../../src/common/abort";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { SupervisionSettings } from "../../src/engine/engine-process";
import { seededRandom } from "../context/definition-recall";
import { describeError, isClearMessage } from "./outcomes";

export type FaultSignal = "SIGKILL" | "SIGSTOP";
export type FaultPhase = "load" | "completion" | "chat";

export interface EngineFaultOptions {
  workerPath: string;
  /** A model that writes until maxTokens (the "tiny" test model), so a generation lasts long enough to be cut. */
  modelPath: string;
  injections: number;
  seed: number;
  /** Where the chat's conversations are stored (a temp folder is made inside). */
  workDir: string;
  /** How long the request under way may take to fail after the fault, and the next one to succeed. */
  deadlineMs: number;
  /** The client's heartbeat and deadlines; the product's defaults when absent. */
  supervision?: Partial<SupervisionSettings>;
  /** The signal and phase of each injection, in order; default: every pair equally often, in a seeded order. */
  plan?: { signal: FaultSignal; phase: FaultPhase }[];
  log?: (line: string) => void;
}

export interface InjectionResult {
  index: number;
  signal: FaultSignal;
  phase: FaultPhase;
  delayMs: number;
  /** The request was still under way when the signal was sent. */
  hitWhilePending: boolean;
  /** How the request under way ended. */
  pending: "failed-cleanly" | "failed-unclearly" | "completed" | "hung";
  message: string;
  /** From the signal to the request's end. */
  detectMs: number | null;
  recovered: boolean;
  recoverMs: number | null;
  /** Chats only: null for other phases. */
  conversationLost: boolean | null;
  problems: string[];
}

export interface EngineFaultFigures {
  seed: number;
  injections: number;
  sigkill: number;
  sigstop: number;
  during_load: number;
  during_completion: number;
  during_chat: number;
  hit_while_pending: number;
  recovered: number;
  failed_cleanly: number;
  failed_unclearly: number;
  completed_before_fault: number;
  hung: number;
  chat_injections: number;
  conversations_lost: number;
  sigstop_detect_ms_max: number | null;
  recover_ms_max: number | null;
}

const PREFIX = "export function total(items: Item[]): number {\n  let sum = 0;\n  ";
const SUFFIX = "\n  return sum;\n}\n";
/** Small enough that an answer of the tiny model (which never stops on its own) takes well under a second. */
const BUDGET: ChatBudget = { windowTokens: 512, limitTokens: 320, maxAnswerTokens: 96 };
const GENERATION_TOKENS = 256;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Settled = { ok: true } | { ok: false; error: unknown };

export async function runEngineFaults(options: EngineFaultOptions): Promise<{ results: InjectionResult[]; figures: EngineFaultFigures; engineLog: string[] }> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const logger = new MemoryLogger("info");
  const client = new EngineClient({ workerPath: options.workerPath, logger, ...(options.supervision ? { supervision: options.supervision } : {}) });
  const storeDir = mkdtempSync(join(options.workDir, "conversations-"));
  const store = new ConversationStore(storeDir, logger, 100);
  const session = new ChatSession({ engine: client, store, logger, system: "You are a test." });
  const stopped = new Set<number>();
  const results: InjectionResult[] = [];
  try {
    await client.configure({ modelPath: options.modelPath, threads: 1, contextSize: 1024, gpu: "off", idleUnloadMs: 0 });
    await session.init();
    const typical = await measurePhases(client, session);
    log(`typical durations: load ${typical.load} ms, completion ${typical.completion} ms, chat ${typical.chat} ms`);

    const plan = options.plan ?? planInjections(options.injections, random);
    for (const [index, { signal, phase }] of plan.entries()) {
      if (phase === "chat" && session.conversation.entries.length > 12) await session.newConversation();
      const delayMs = Math.round(random() * typical[phase] * 1.1);
      const result = await injectOnce(client, session, storeDir, logger, { index, signal, phase, delayMs, deadlineMs: options.deadlineMs, stopped });
      results.push(result);
      log(
        `#${index} ${signal} during ${phase} at ${delayMs} ms: ${result.hitWhilePending ? "pending" : "idle"}, request ${result.pending}` +
          `${result.detectMs !== null ? ` after ${result.detectMs} ms` : ""}, ${result.recovered ? `recovered in ${result.recoverMs} ms` : "NOT recovered"}` +
          `${result.conversationLost === null ? "" : result.conversationLost ? ", conversation LOST" : ", conversation kept"}${result.problems.length ? ` (${result.problems.join("; ")})` : ""}`,
      );
    }
  } finally {
    await session.dispose().catch(() => undefined);
    await client.dispose();
    for (const pid of stopped) signalQuietly(pid, "SIGKILL");
    rmSync(storeDir, { recursive: true, force: true });
  }
  return { results, figures: figuresOf(options.seed, results), engineLog: logger.lines };
}

/** Every signal with every phase, as evenly as the count allows, in a seeded order. */
function planInjections(count: number, random: () => number): { signal: FaultSignal; phase: FaultPhase }[] {
  const kinds: { signal: FaultSignal; phase: FaultPhase }[] = [];
  for (const signal of ["SIGKILL", "SIGSTOP"] as const) for (const phase of ["load", "completion", "chat"] as const) kinds.push({ signal, phase });
  const plan = Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}

/** How long each kind of request takes here, so that the random points fall inside them. */
async function measurePhases(client: EngineClient, session: ChatSession): Promise<Record<FaultPhase, number>> {
  const time = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const load: number[] = [];
  const completion: number[] = [];
  const chat: number[] = [];
  for (let i = 0; i < 3; i++) {
    await client.unload();
    load.push(await time(() => client.load()));
    completion.push(await time(() => client.infill({ prefix: PREFIX, suffix: SUFFIX, maxTokens: GENERATION_TOKENS })));
    chat.push(await time(() => session.send(`Warm-up question ${i}`, [], BUDGET)));
  }
  return { load: Math.round(median(load)), completion: Math.round(median(completion)), chat: Math.round(median(chat)) };
}

interface Injection {
  index: number;
  signal: FaultSignal;
  phase: FaultPhase;
  delayMs: number;
  deadlineMs: number;
  stopped: Set<number>;
}

async function injectOnce(client: EngineClient, session: ChatSession, storeDir: string, logger: MemoryLogger, injection: Injection): Promise<InjectionResult> {
  const { index, signal, phase, delayMs, deadlineMs } = injection;
  const problems: string[] = [];
  if (phase === "load") await client.unload();
  else await client.load();

  let operation = start(client, session, phase, index);
  await Promise.race([sleep(delayMs), operation.settled]);
  const hitWhilePending = !operation.done();
  const pid = await pidOf(client);
  if (pid === undefined) problems.push("no engine process to signal");
  let shown = phase === "chat" ? lastAnswer(session.conversation) : "";
  const signalledAt = performance.now();
  if (pid !== undefined) {
    signalQuietly(pid, signal);
    if (signal === "SIGSTOP") injection.stopped.add(pid);
  }
  if (!hitWhilePending) {
    // The request ended before the signal: the next one that talks to the engine meets the killed or stopped process
    // (a load of the model already loaded does not), and must fail cleanly or work.
    operation = start(client, session, phase === "load" ? "completion" : phase, index);
    // A new answer, empty so far; the finished one is now an earlier turn, checked with the others.
    shown = "";
  }

  const outcome = await withDeadline(operation.settled, deadlineMs);
  const detectMs = outcome === "timeout" ? null : Math.round(performance.now() - signalledAt);
  let pending: InjectionResult["pending"];
  let message = "";
  if (outcome === "timeout") {
    pending = "hung";
    message = `no end within ${deadlineMs} ms`;
    // Free the bench to go on: what a user could only do with a window reload before the heartbeat existed.
    if (pid !== undefined) signalQuietly(pid, "SIGKILL");
    await withDeadline(operation.settled, deadlineMs);
  } else {
    const ended = operation.describe(outcome);
    pending = ended.pending;
    message = ended.message;
  }
  if (pid !== undefined && signal === "SIGSTOP" && processExists(pid)) problems.push(`the stopped engine ${pid} is still there`);

  // Did the interrupted chat keep its conversation? A fresh store reads the folder as the next window would.
  let conversationLost: boolean | null = null;
  if (phase === "chat") {
    conversationLost = !(await conversationKept(storeDir, logger, session.conversation, shown, problems));
  }

  const recoverStarted = performance.now();
  const recovery = start(client, session, phase === "load" ? "completion" : phase, index, true);
  const recovered = await withDeadline(recovery.settled, deadlineMs);
  const recoveredOk = recovered !== "timeout" && recovery.describe(recovered).pending === "completed";
  if (!recoveredOk) problems.push(`the next ${phase} request: ${recovered === "timeout" ? "no answer" : recovery.describe(recovered).message}`);
  return {
    index,
    signal,
    phase,
    delayMs,
    hitWhilePending,
    pending,
    message,
    detectMs,
    recovered: recoveredOk,
    recoverMs: recoveredOk ? Math.round(performance.now() - recoverStarted) : null,
    conversationLost,
    problems,
  };
}

interface Operation {
  settled: Promise<Settled>;
  done(): boolean;
  describe(settled: Settled): { pending: InjectionResult["pending"]; message: string };
}

function start(client: EngineClient, session: ChatSession, phase: FaultPhase, index: number, short = false): Operation {
  let finished = false;
  const wrap = (promise: Promise<unknown>): Promise<Settled> =>
    promise.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ).finally(() => (finished = true));
  const fromError = (settled: Settled) => {
    if (settled.ok) return { pending: "completed" as const, message: "finished" };
    const text = describeError(settled.error);
    const clear = !isAbortError(settled.error) && isClearMessage(settled.error instanceof Error ? settled.error.message : String(settled.error));
    return { pending: clear ? ("failed-cleanly" as const) : ("failed-unclearly" as const), message: text };
  };
  if (phase === "chat") {
    const settled = wrap(session.send(short ? `Are you back? (${index})` : `Question ${index}: write a long answer`, [], BUDGET));
    return {
      settled,
      done: () => finished,
      describe: (s) => {
        if (!s.ok) return fromError(s);
        const answer = session.conversation.entries.at(-1);
        if (answer?.role !== "assistant") return { pending: "failed-unclearly", message: "no answer entry" };
        if (answer.status === "done") return { pending: "completed", message: answer.note ?? "done" };
        if (answer.status === "error") return { pending: isClearMessage(answer.note) ? "failed-cleanly" : "failed-unclearly", message: answer.note ?? "(no note)" };
        return { pending: "failed-unclearly", message: `the answer ended as ${answer.status}: ${answer.note ?? ""}` };
      },
    };
  }
  const work = phase === "load" ? client.load() : client.infill({ prefix: PREFIX, suffix: SUFFIX, maxTokens: short ? 16 : GENERATION_TOKENS });
  return { settled: wrap(work), done: () => finished, describe: fromError };
}

async function conversationKept(storeDir: string, logger: MemoryLogger, inMemory: Conversation, shown: string, problems: string[]): Promise<boolean> {
  const fresh = new ConversationStore(storeDir, logger, 100);
  await fresh.init();
  const onDisk = await fresh.load(inMemory.id);
  if (!onDisk) {
    problems.push("the conversation is not on disk");
    return false;
  }
  const expected = inMemory.entries.map((e) => `${e.id}:${e.role}:${e.content}`);
  const found = onDisk.entries.map((e) => `${e.id}:${e.role}:${e.content}`);
  if (found.length < expected.length || expected.some((entry, i) => entry !== found[i])) {
    problems.push(`on disk ${found.length} entries, in memory ${expected.length}, or their text differs`);
    return false;
  }
  const answer = lastAnswer(onDisk);
  if (!answer.startsWith(shown)) {
    problems.push(`the interrupted answer on disk has ${answer.length} characters, ${shown.length} had been shown`);
    return false;
  }
  return true;
}

function lastAnswer(conversation: Conversation): string {
  const entry = conversation.entries.at(-1);
  return entry?.role === "assistant" ? entry.content : "";
}

/** The engine's pid; a request may still be starting the process. */
async function pidOf(client: EngineClient): Promise<number | undefined> {
  for (let waited = 0; waited < 5000; waited += 5) {
    if (client.pid !== undefined) return client.pid;
    await sleep(5);
  }
  return client.pid;
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function figuresOf(seed: number, results: InjectionResult[]): EngineFaultFigures {
  const count = (predicate: (r: InjectionResult) => boolean) => results.filter(predicate).length;
  const max = (values: (number | null)[]) => {
    const known = values.filter((v): v is number => v !== null);
    return known.length ? Math.max(...known) : null;
  };
  return {
    seed,
    injections: results.length,
    sigkill: count((r) => r.signal === "SIGKILL"),
    sigstop: count((r) => r.signal === "SIGSTOP"),
    during_load: count((r) => r.phase === "load"),
    during_completion: count((r) => r.phase === "completion"),
    during_chat: count((r) => r.phase === "chat"),
    hit_while_pending: count((r) => r.hitWhilePending),
    recovered: count((r) => r.recovered),
    failed_cleanly: count((r) => r.pending === "failed-cleanly"),
    failed_unclearly: count((r) => r.pending === "failed-unclearly"),
    completed_before_fault: count((r) => r.pending === "completed"),
    hung: count((r) => r.pending === "hung"),
    chat_injections: count((r) => r.conversationLost !== null),
    conversations_lost: count((r) => r.conversationLost === true),
    sigstop_detect_ms_max: max(results.filter((r) => r.signal === "SIGSTOP").map((r) => r.detectMs)),
    recover_ms_max: max(results.map((r) => r.recoverMs)),
  };
}
