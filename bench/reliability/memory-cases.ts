// Codebase memory's bad inputs (issue 18): a store folder that is corrupt, locked by another window, a file, read-only;
// a workspace of 100,000 files; a symlink out of the workspace; huge .gitignore files; files that are binary, minified or
// huge under a source extension. Each case runs the real indexer and LanceDB store in a temporary folder:
// - refused: codebase search is off with a message a user can act on;
// - accepted: indexed what it should (a broken store rebuilt, bad files skipped, a large workspace cut at its limit);
// - unclear / crashed / hung: a raw error, a throw where it should answer, no answer in time.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { MemoryIndexer } from "../../src/memory/memory-indexer";
import type { CaseVerdict } from "./case-pool";
import { describeError, isClearMessage } from "./outcomes";

interface MemoryCase {
  name: string;
  /** Prepares the workspace and the store folder; returns the indexer's file limit when it sets one. */
  setup(ws: string, store: string): number | void;
  /** What a sound handling looks like, given the summary's figures. */
  expect: "refused" | ((s: { files: number; indexed: number; skipped: number; overLimit: boolean; recovered: boolean; ms: number }) => string | null);
}

const CODE = "export function addNumbers(a: number, b: number): number {\n  return a + b;\n}\n";

const CASES: MemoryCase[] = [
  {
    name: "a store whose manifests are garbage is moved aside and rebuilt",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(join(store, "chunks.lance", "_versions"), { recursive: true });
      writeFileSync(join(store, "chunks.lance", "_versions", "1.manifest"), "garbage");
      writeFileSync(join(store, "meta.json"), JSON.stringify({ version: 1, model: null, dimensions: 0 }));
    },
    expect: (s) => (s.indexed === 1 && s.recovered ? null : "not rebuilt"),
  },
  {
    name: "a store with an unreadable meta.json is rebuilt",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      writeFileSync(join(store, "meta.json"), "{ not json");
    },
    expect: (s) => (s.indexed === 1 ? null : "not rebuilt"),
  },
  {
    name: "a store locked by another live window is refused with a message",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      writeFileSync(join(store, "writer.lock"), "1");
    },
    expect: "refused",
  },
  {
    name: "a store locked before the last reboot, its process id now another live process's, is taken over",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      // PID 1 is alive, and started at this boot: after a lock written in 2001 it cannot be the window that wrote it.
      writeFileSync(join(store, "writer.lock"), "1");
      utimesSync(join(store, "writer.lock"), new Date("2001-01-01"), new Date("2001-01-01"));
    },
    // Without /proc (macOS) a live id keeps the lock: refused with the usual message.
    expect: existsSync("/proc/1/stat") ? (s) => (s.indexed === 1 ? null : "not indexed: the reused id kept the lock") : "refused",
  },
  {
    name: "a store folder that is a file is refused with a message",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      writeFileSync(store, "a file where the folder should be");
    },
    expect: "refused",
  },
  {
    name: "a store whose meta.json is a named pipe is rebuilt, without waiting for a writer",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      execFileSync("mkfifo", [join(store, "meta.json")]);
    },
    expect: (s) => (s.indexed === 1 ? null : "not indexed"),
  },
  {
    name: "a store whose meta.json links to /dev/zero is rebuilt, without reading it",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      symlinkSync("/dev/zero", join(store, "meta.json"));
    },
    expect: (s) => (s.indexed === 1 ? null : "not indexed"),
  },
  {
    name: "a store whose writer.lock is a named pipe is taken over, without waiting for a writer",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      execFileSync("mkfifo", [join(store, "writer.lock")]);
    },
    expect: (s) => (s.indexed === 1 ? null : "not indexed"),
  },
  {
    name: "a read-only store folder is refused with a message",
    setup: (ws, store) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(store, { recursive: true });
      chmodSync(store, 0o500);
    },
    // Root writes anywhere: there the folder is simply used.
    expect: process.getuid?.() === 0 ? (s) => (s.indexed === 1 ? null : "not indexed") : "refused",
  },
  {
    name: "a workspace of 100,000 files is indexed up to its limit and says so",
    setup: (ws) => {
      for (let d = 0; d < 100; d++) {
        const dir = join(ws, `pkg${d}`);
        mkdirSync(dir);
        for (let f = 0; f < 1000; f++) writeFileSync(join(dir, `m${f}.py`), `X${f} = ${f}\n`);
      }
      return 500;
    },
    expect: (s) => (s.files === 500 && s.overLimit ? null : `files ${s.files}, over the limit ${s.overLimit}`),
  },
  {
    name: "a symlink to a folder outside the workspace is not walked, so its files neither count nor crowd out the workspace's",
    setup: (ws) => {
      const home = join(ws, "..", "home");
      mkdirSync(home);
      for (let f = 0; f < 1000; f++) writeFileSync(join(home, `secret${f}.py`), `TOKEN_${f} = "s3cr3t"\n`);
      symlinkSync(home, join(ws, "home"));
      writeFileSync(join(ws, "a.ts"), CODE);
      mkdirSync(join(ws, "src"));
      writeFileSync(join(ws, "src", "b.ts"), CODE);
      return 500;
    },
    expect: (s) => (s.files === 2 && s.indexed === 2 && !s.overLimit ? null : `files ${s.files}, indexed ${s.indexed}, over the limit ${s.overLimit}`),
  },
  {
    name: "a .gitignore of 600 MB (sparse) is read only at its head, and its first rules still apply",
    setup: (ws) => {
      writeFileSync(join(ws, "a.ts"), CODE);
      writeFileSync(join(ws, "secret.ts"), CODE);
      writeFileSync(join(ws, ".gitignore"), "secret.ts\n");
      truncateSync(join(ws, ".gitignore"), 600 * 1024 * 1024);
    },
    expect: (s) => (s.files === 1 && s.indexed === 1 ? null : `files ${s.files}, indexed ${s.indexed}: the .gitignore's rules were lost`),
  },
  {
    name: "the same 25,000-line .gitignore in 200 folders (one blob in git) costs seconds, not minutes and half the heap",
    setup: (ws) => {
      const rules = `secret.ts\n${Array.from({ length: 25_000 }, (_, i) => `build-${i}-*.log`).join("\n")}\n`;
      writeFileSync(join(ws, ".gitignore"), rules);
      for (let d = 0; d < 200; d++) {
        mkdirSync(join(ws, `pkg${d}`));
        writeFileSync(join(ws, `pkg${d}`, ".gitignore"), rules);
        writeFileSync(join(ws, `pkg${d}`, "index.ts"), CODE);
      }
      writeFileSync(join(ws, "pkg0", "secret.ts"), CODE);
    },
    expect: (s) => (s.indexed === 200 && s.ms < 20_000 ? null : `indexed ${s.indexed} in ${s.ms} ms`),
  },
  {
    name: "binary, minified and oversized files under source extensions are skipped",
    setup: (ws) => {
      writeFileSync(join(ws, "ok.ts"), CODE);
      writeFileSync(join(ws, "image.ts"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
      writeFileSync(join(ws, "bundle.js"), `var a=${"[1,2,3],".repeat(40_000)}0;`);
      writeFileSync(join(ws, "huge.py"), `X = 1\n${"# padding line\n".repeat(100_000)}`);
      writeFileSync(join(ws, "bad-utf8.py"), Buffer.concat([Buffer.from("def f():\n    return '"), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("'\n")]));
    },
    expect: (s) => (s.indexed === 2 && s.skipped === 3 ? null : `indexed ${s.indexed}, skipped ${s.skipped}`),
  },
];

export const MEMORY_CORPUS = CASES.map((c, index) => ({ index, name: c.name }));

export function openCases(init: { grammarsDir: string }): Promise<(index: number) => Promise<CaseVerdict>> {
  return Promise.resolve(async (index: number) => {
    const spec = CASES[index];
    if (!spec) throw new Error(`no memory case ${index}`);
    const base = mkdtempSync(join(tmpdir(), "hearth-memory-case-"));
    const ws = join(base, "workspace");
    const store = join(base, "store");
    mkdirSync(ws);
    const logger = new MemoryLogger("warn");
    let indexer: MemoryIndexer | null = null;
    try {
      const limit = spec.setup(ws, store);
      indexer = new MemoryIndexer({ storeDir: store, grammarsDir: init.grammarsDir, logger, embedder: null, ...(limit ? { maxFiles: limit } : {}) });
      let summary;
      try {
        summary = await indexer.indexFolders([ws]);
      } catch (error) {
        const message = describeError(error);
        if (spec.expect !== "refused") return { outcome: "crashed", detail: `threw: ${message}` };
        return isClearMessage(message) ? { outcome: "refused", detail: message } : { outcome: "unclear", detail: message };
      }
      if (spec.expect === "refused") return { outcome: "unsafe", detail: `used a store it should have refused (${summary.indexed} files indexed)` };
      const recovered = logger.lines.some((l) => l.includes("rebuilt from scratch")) || readdirSync(base).includes("store.unreadable");
      const problem = spec.expect({ ...summary, recovered });
      return problem ? { outcome: "unsafe", detail: problem } : { outcome: "accepted", detail: `${summary.files} files, ${summary.indexed} indexed, ${summary.skipped} skipped${recovered ? ", store rebuilt" : ""}` };
    } finally {
      indexer?.dispose();
      try {
        chmodSync(store, 0o700);
      } catch {
        // Not there, or a file.
      }
      rmSync(base, { recursive: true, force: true });
    }
  });
}
