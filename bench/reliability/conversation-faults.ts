// Disk faults while conversations are saved: the real ConversationStore, on real files in a temp folder, through a
// file system that fails one kind of operation with one error from a random point on (a full disk, a permission or
// read-only error that stays until it is lifted; an I/O error that happens once), while a chat's saving pattern runs:
// answers streamed in chunks (debounced saves), questions (immediate saves), a switch to another conversation, a delete.
// Then the fault is lifted, the store saves once more, and a fresh store on the same folder (the next window) must
// find every conversation, each exactly as it was last in memory. Where this machine allows it, the same on a real,
// tiny tmpfs that fills up and on one remounted read-only (root), and on a folder made read-only by chmod (not root).
//
// Per injection:
// - recovered: after the fault is lifted, every conversation is on disk in its newest version, the index lists them;
// - failed cleanly: while it lasted, no call threw, the user got exactly one message (a clear one) and one "works
//   again", every file on disk was a complete earlier version (never a torn one), no temporary file was left, and
//   every conversation was still in memory;
// - lost: conversations missing or stale on disk after recovery (target 0).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { nodeStoreFs, type SaveProblem, type StoreFs } from "../../src/chat/atomic-file";
import { createConversation, type Conversation } from "../../src/chat/conversation";
import { ConversationStore } from "../../src/chat/conversation-store";
import { MemoryLogger } from "../../src/common/logger";
import { seededRandom } from "../context/definition-recall";
import { isClearMessage } from "./outcomes";

type Op = keyof StoreFs | "writeFile" | "sync";
const OPS: readonly Op[] = ["open", "writeFile", "sync", "rename", "unlink", "mkdir", "readdir", "readFile", "rm"];
/** Errors that stay until the user does something (free space, fix permissions, remount). */
const LASTING = ["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS"] as const;

export interface DiskFaultResult {
  name: string;
  /** Whether the fault was hit at all (a fault armed after the last operation never fires). */
  hit: boolean;
  recovered: boolean;
  failedCleanly: boolean;
  lost: number;
  problems: string[];
}

export interface DiskFaultFigures {
  injections: number;
  hit: number;
  recovered: number;
  failedCleanly: number;
  conversationsLost: number;
  /** Real-file-system cases run here, and those this machine could not run (not root, no mount). */
  realRun: number;
  realSkipped: string[];
}

/** The real file operations, with one fault armed: operation `op` (or any) fails with `code` from its `after`-th call on. */
class FaultyFs {
  private calls = 0;
  /** The operations that failed, with the path they were given. */
  readonly hits: { op: Op; path: string }[] = [];
  private armed: { op: Op | "any"; code: string; after: number; lasting: boolean } | undefined;
  readonly fs: StoreFs;

  constructor() {
    const guard = async <T>(op: Op, path: string, run: () => Promise<T>): Promise<T> => {
      const error = this.check(op, path);
      if (error) throw error;
      return run();
    };
    this.fs = {
      mkdir: (path) => guard("mkdir", path, () => nodeStoreFs.mkdir(path)),
      readdir: (path) => guard("readdir", path, () => nodeStoreFs.readdir(path)),
      readFile: (path) => guard("readFile", path, () => nodeStoreFs.readFile(path)),
      rename: (from, to) => guard("rename", to, () => nodeStoreFs.rename(from, to)),
      unlink: (path) => guard("unlink", path, () => nodeStoreFs.unlink(path)),
      rm: (path) => guard("rm", path, () => nodeStoreFs.rm(path)),
      open: (path, flags) =>
        guard("open", path, async () => {
          const file = await nodeStoreFs.open(path, flags);
          return {
            writeFile: async (text: string) => {
              const error = this.check("writeFile", path);
              if (!error) return file.writeFile(text);
              // A write that fails part-way, as on a disk that fills up: half the bytes land.
              await file.writeFile(text.slice(0, Math.floor(text.length / 2)));
              throw error;
            },
            sync: () => guard("sync", path, () => file.sync()),
            close: () => file.close(),
          };
        }),
    };
  }

  arm(op: Op | "any", code: string, after: number, lasting: boolean): void {
    this.calls = 0;
    this.armed = { op, code, after, lasting };
  }

  lift(): void {
    this.armed = undefined;
  }

  /** Counts a call of `op`; the error it must fail with, if the fault fires. */
  private check(op: Op, path: string): Error | undefined {
    const a = this.armed;
    if (!a || (a.op !== "any" && a.op !== op)) return undefined;
    if (++this.calls <= a.after) return undefined;
    this.hits.push({ op, path });
    if (!a.lasting) this.armed = undefined;
    return Object.assign(new Error(`${a.code}: injected fault, ${op} ${path}`), { code: a.code, syscall: op });
  }
}

function conversationWith(n: number): Conversation {
  const c = createConversation();
  c.title = `conversation with ${n}`;
  for (let i = 0; i < n; i++) c.entries.push({ id: `e-${i}`, role: i % 2 ? "assistant" : "user", content: `message ${i}`, status: "done", createdAt: i });
  return c;
}

/** A conversation as the next window reads it back (what JSON keeps). */
function snapshot(c: Conversation): Conversation {
  return JSON.parse(JSON.stringify(c)) as Conversation;
}

interface Workload {
  store: ConversationStore;
  live: Conversation[];
  deleted: string[];
  /** Every complete version of each conversation this window saved: a file on disk must be one of them. */
  versions: Map<string, Set<string>>;
  threw: string[];
  /** Numbers the entries the steps add, across calls (a conversation's entry ids are unique). */
  steps: number;
}

async function save(w: Workload, c: Conversation, immediate: boolean): Promise<void> {
  let set = w.versions.get(c.id);
  if (!set) w.versions.set(c.id, (set = new Set()));
  set.add(JSON.stringify(c));
  try {
    await w.store.save(c, immediate);
  } catch (error) {
    w.threw.push(`save threw: ${String(error)}`);
  }
}

/** A chat's saving pattern: a streamed answer, a question, a switch, maybe a delete. */
async function chatSteps(w: Workload, rnd: () => number, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    const step = w.steps++;
    const c = w.live[rnd() < 0.7 ? 0 : Math.floor(rnd() * w.live.length)]!;
    const last = c.entries[c.entries.length - 1];
    if (last?.role === "assistant" && rnd() < 0.6) {
      last.content += ` chunk ${step}`;
      c.updatedAt++;
      await save(w, c, false);
    } else {
      c.entries.push({ id: `e-s${step}`, role: last?.role === "user" ? "assistant" : "user", content: `step ${step}`, status: "done", createdAt: step });
      c.updatedAt++;
      await save(w, c, true);
    }
    if (i === Math.floor(steps / 2) && w.live.length > 2 && rnd() < 0.25) {
      const gone = w.live.pop()!;
      w.deleted.push(gone.id);
      try {
        await w.store.delete(gone.id);
      } catch (error) {
        w.threw.push(`delete threw: ${String(error)}`);
      }
    }
  }
  try {
    await w.store.flush();
  } catch (error) {
    w.threw.push(`flush threw: ${String(error)}`);
  }
}

/**
 * What is wrong with the folder while the fault lasts: torn files, temporary files (unless removing them is what
 * fails), conversations neither on disk nor in memory in their newest version.
 */
async function duringFault(dir: string, w: Workload, removalFails: boolean): Promise<string[]> {
  const problems: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.endsWith(".tmp") && !removalFails) problems.push(`temporary file left: ${name}`);
    const id = name.replace(/\.json$/, "");
    const versions = w.versions.get(id);
    if (!versions || !name.endsWith(".json")) continue;
    const text = readFileSync(join(dir, name), "utf8");
    if (!versions.has(text)) problems.push(`${name} on disk is not a complete version`);
  }
  for (const c of w.live) {
    const file = join(dir, `${c.id}.json`);
    if (existsSync(file) && readFileSync(file, "utf8") === JSON.stringify(c)) continue;
    const inMemory = await w.store.load(c.id);
    if (inMemory !== c && !isDeepStrictEqual(inMemory, snapshot(c))) problems.push(`${c.id} is neither on disk nor in memory in its newest version`);
  }
  return problems;
}

/** Conversations the next window does not find, or finds in an older version; deleted ones it still lists. */
async function afterRecovery(dir: string, w: Workload): Promise<{ lost: number; problems: string[] }> {
  const problems: string[] = [];
  let lost = 0;
  const next = new ConversationStore(dir, new MemoryLogger());
  await next.init();
  const listed = new Set(next.list().map((s) => s.id));
  for (const c of w.live) {
    const loaded = await next.load(c.id);
    if (!loaded || !isDeepStrictEqual(loaded, snapshot(c)) || !listed.has(c.id)) {
      lost++;
      problems.push(`${c.id} ${loaded ? "is stale" : "is missing"} on disk${listed.has(c.id) ? "" : " and in the index"}`);
    }
  }
  for (const id of w.deleted) if (listed.has(id)) problems.push(`${id} was deleted but is still listed`);
  if (readdirSync(dir).some((n) => n.endsWith(".tmp"))) problems.push("temporary files left after recovery");
  return { lost, problems };
}

async function injection(index: number, rnd: () => number, root: string): Promise<DiskFaultResult> {
  const lasting = rnd() < 0.8;
  const code = lasting ? LASTING[Math.floor(rnd() * LASTING.length)]! : "EIO";
  const op: Op | "any" = rnd() < 0.3 ? "any" : OPS[Math.floor(rnd() * OPS.length)]!;
  const after = Math.floor(rnd() * 12);
  const name = `#${index} ${code} on ${op === "any" ? "any operation" : op} after ${after} call(s)${lasting ? "" : ", once"}`;
  const dir = mkdtempSync(join(root, "faults-"));
  const faulty = new FaultyFs();
  const store = new ConversationStore(dir, new MemoryLogger(), 5, { fs: faulty.fs, retryMs: 3_600_000 });
  const events: (SaveProblem | undefined)[] = [];
  store.onDidChangeSaveProblem((p) => events.push(p));
  const w: Workload = { store, live: [conversationWith(2), conversationWith(3), conversationWith(1)], deleted: [], versions: new Map(), threw: [], steps: 0 };
  try {
    await store.init();
    for (const c of w.live) await save(w, c, true);
    faulty.arm(op, code, after, lasting);
    await chatSteps(w, rnd, 24);
    const removalFails = faulty.hits.some((h) => h.op === "unlink");
    const problems = [...w.threw, ...(await duringFault(dir, w, removalFails))];
    faulty.lift();
    // What the user does once space returns: goes on chatting (the store's own retry would do the same, later).
    await chatSteps(w, rnd, 2);
    const hit = faulty.hits.length > 0;
    const failures = events.filter((e): e is SaveProblem => e !== undefined);
    // The folder's own fsync after a rename is best effort by design (not every platform can): a fault there alone
    // is rightly not reported.
    // Reads are not saves: a file read that fails leaves it out of one index write (or makes a switch to it say "could
    // not be read"), and the user is not told of a save problem.
    const mattered = faulty.hits.some((h) => h.op !== "readFile" && !(h.path === dir && (h.op === "open" || h.op === "sync")));
    if (mattered && failures.length === 0) problems.push("the fault was hit but the user was not told");
    if (failures.length > 1) problems.push(`the user was told ${failures.length} times`);
    for (const f of failures) if (!isClearMessage(f.message)) problems.push(`unclear message: ${f.message}`);
    if (failures.length > 0 && events[events.length - 1] !== undefined) problems.push("no 'works again' after the fault was lifted");
    const cleanly = problems.length === 0;
    const recovery = await afterRecovery(dir, w);
    problems.push(...recovery.problems);
    return { name, hit, recovered: recovery.problems.length === 0, failedCleanly: cleanly, lost: recovery.lost, problems };
  } finally {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function tryRun(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function fill(path: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    for (;;) await handle.write(Buffer.alloc(4096, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
}

/** One real fault: `break` makes the folder fail, `mend` undoes it; the same checks as an injection. */
async function realFault(name: string, dir: string, breakIt: () => Promise<void>, mend: () => Promise<void>): Promise<DiskFaultResult> {
  const store = new ConversationStore(dir, new MemoryLogger(), 5, { retryMs: 3_600_000 });
  const events: (SaveProblem | undefined)[] = [];
  store.onDidChangeSaveProblem((p) => events.push(p));
  const w: Workload = { store, live: [conversationWith(2), conversationWith(4)], deleted: [], versions: new Map(), threw: [], steps: 0 };
  const rnd = seededRandom(7);
  try {
    await store.init();
    for (const c of w.live) await save(w, c, true);
    await breakIt();
    // Big enough that it cannot fit in what is left of a full disk.
    w.live[0]!.entries.push({ id: "e-big", role: "assistant", content: "x".repeat(64 * 1024), status: "done", createdAt: 9 });
    await save(w, w.live[0]!, true);
    await chatSteps(w, rnd, 6);
    const problems = [...w.threw, ...(await duringFault(dir, w, true))];
    await mend();
    await chatSteps(w, rnd, 2);
    const failures = events.filter((e): e is SaveProblem => e !== undefined);
    if (failures.length !== 1) problems.push(`the user was told ${failures.length} times`);
    if (events[events.length - 1] !== undefined) problems.push("no 'works again' after the fault was mended");
    const cleanly = problems.length === 0;
    const recovery = await afterRecovery(dir, w);
    problems.push(...recovery.problems);
    return { name, hit: failures.length > 0, recovered: recovery.problems.length === 0, failedCleanly: cleanly, lost: recovery.lost, problems };
  } finally {
    await store.dispose();
  }
}

async function realFaults(root: string): Promise<{ results: DiskFaultResult[]; skipped: string[] }> {
  const results: DiskFaultResult[] = [];
  const skipped: string[] = [];
  const mount = mkdtempSync(join(root, "tmpfs-"));
  if (tryRun("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount])) {
    try {
      const filler = join(mount, "filler");
      results.push(await realFault("a real tmpfs that fills up (ENOSPC)", join(mount, "full"), () => fill(filler), async () => rmSync(filler)));
      results.push(
        await realFault(
          "a real tmpfs remounted read-only (EROFS)",
          join(mount, "ro"),
          async () => void tryRun("mount", ["-o", "remount,ro", mount]),
          async () => void tryRun("mount", ["-o", "remount,rw", mount]),
        ),
      );
    } finally {
      tryRun("mount", ["-o", "remount,rw", mount]);
      tryRun("umount", [mount]);
    }
  } else {
    skipped.push("real ENOSPC and EROFS (mounting a tmpfs needs root)");
  }
  rmSync(mount, { recursive: true, force: true });

  const locked = mkdtempSync(join(root, "chmod-"));
  chmodSync(locked, 0o500);
  const bites = !canWrite(locked);
  chmodSync(locked, 0o700);
  if (bites) {
    results.push(await realFault("a folder made read-only with chmod (EACCES)", locked, async () => chmodSync(locked, 0o500), async () => chmodSync(locked, 0o700)));
  } else {
    skipped.push("real EACCES (chmod does not bite as root)");
  }
  chmodSync(locked, 0o700);
  rmSync(locked, { recursive: true, force: true });
  return { results, skipped };
}

function canWrite(dir: string): boolean {
  try {
    writeFileSync(join(dir, ".probe"), "");
    rmSync(join(dir, ".probe"));
    return true;
  } catch {
    return false;
  }
}

/** Runs `injections` seeded faults plus the real ones this machine allows. */
export async function runConversationDiskFaults(options: { injections?: number; seed?: number } = {}): Promise<{ figures: DiskFaultFigures; results: DiskFaultResult[] }> {
  const root = mkdtempSync(join(tmpdir(), "hearth-disk-faults-"));
  const rnd = seededRandom(options.seed ?? 12);
  const results: DiskFaultResult[] = [];
  try {
    for (let i = 0; i < (options.injections ?? 60); i++) results.push(await injection(i, rnd, root));
    const real = await realFaults(root);
    results.push(...real.results);
    const figures: DiskFaultFigures = {
      injections: results.length,
      hit: results.filter((r) => r.hit).length,
      recovered: results.filter((r) => r.recovered).length,
      failedCleanly: results.filter((r) => r.failedCleanly).length,
      conversationsLost: results.reduce((n, r) => n + r.lost, 0),
      realRun: real.results.length,
      realSkipped: real.skipped,
    };
    return { figures, results };
  } finally {
    if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void runConversationDiskFaults().then(({ figures, results }) => {
    for (const r of results) if (r.problems.length) console.log(`${r.name}: ${r.problems.join("; ")}`);
    console.log(JSON.stringify(figures, null, 2));
  });
}
