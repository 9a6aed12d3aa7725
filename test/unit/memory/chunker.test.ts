import assert from "node:assert/strict";
import { silentLogger } from "../../../src/common/logger";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { grammarsDir } from "../context/fixtures";

const TS = `import { readFile } from "node:fs/promises";
import { join } from "node:path";

const RETRIES = 3;

/** Sends a file, trying again when the upload fails. */
export async function retryUpload(path: string): Promise<void> {
  for (let i = 0; i < RETRIES; i++) {
    if (await send(path)) return;
  }
}

export class Uploader {
  private queue: string[] = [];

  enqueue(path: string): void {
    this.queue.push(path);
  }

  drain(): number {
    const n = this.queue.length;
    this.queue = [];
    return n;
  }
}

async function send(path: string): Promise<boolean> {
  return (await readFile(join("/", path))).length > 0;
}
`;

describe("memory/chunker", () => {
  let indexer: MemoryIndexer;
  before(() => {
    indexer = new MemoryIndexer({ storeDir: "/nonexistent", grammarsDir, logger: silentLogger, embedder: null, maxChunkChars: 1500 });
  });
  after(() => indexer.dispose());

  it("makes each function and class that fits the window one chunk, with the comment above it", async () => {
    const chunks = await indexer.chunkText("/w/upload.ts", TS);
    const retry = chunks.find((c) => c.symbol === "retryUpload");
    assert.ok(retry, JSON.stringify(chunks, null, 1));
    assert.match(retry.text, /^\/\*\* Sends a file/);
    assert.match(retry.text, /\}$/);
    assert.equal(retry.startLine, 5);
    assert.equal(retry.endLine, 10);
    const cls = chunks.find((c) => c.symbol === "Uploader");
    assert.ok(cls);
    assert.equal(cls.startLine, 12);
    assert.equal(cls.endLine, 24);
    assert.ok(chunks.find((c) => c.symbol === "send"));
  });

  it("merges the statements between definitions into a chunk of their own", async () => {
    const chunks = await indexer.chunkText("/w/upload.ts", TS);
    const head = chunks[0];
    assert.equal(head.symbol, undefined);
    assert.match(head.text, /import \{ readFile \}[\s\S]*const RETRIES = 3;/);
    assert.equal(head.startLine, 0);
  });

  it("splits a class larger than the window into its members, each with the class's signature as header", async () => {
    const chunks = await indexer.chunkText("/w/upload.ts", TS.replace("private queue", `${"  // padding line\n".repeat(3)}  private queue`));
    const small = new MemoryIndexer({ storeDir: "/nonexistent", grammarsDir, logger: silentLogger, embedder: null, maxChunkChars: 200 });
    try {
      const split = await small.chunkText("/w/upload.ts", TS);
      const drain = split.find((c) => c.symbol === "drain");
      assert.ok(drain, JSON.stringify(split, null, 1));
      assert.equal(drain.header, "export class Uploader");
      assert.match(drain.text, /^\s*drain\(\): number \{/);
      assert.ok(split.every((c) => c.text.length + c.header.length <= 200 || c.header === ""), "every chunk fits the window");
    } finally {
      small.dispose();
    }
    assert.ok(chunks.length > 0);
  });

  it("cuts a function longer than the window into windows of lines that carry its signature", async () => {
    const body = Array.from({ length: 60 }, (_, i) => `  total += step(${i}, "a line of the long function body");`).join("\n");
    const text = `export function longOne(step: (i: number, s: string) => number): number {\n  let total = 0;\n${body}\n  return total;\n}\n`;
    const small = new MemoryIndexer({ storeDir: "/nonexistent", grammarsDir, logger: silentLogger, embedder: null, maxChunkChars: 600 });
    try {
      const chunks = await small.chunkText("/w/long.ts", text);
      assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
      for (const c of chunks) {
        assert.match(c.header, /^export function longOne\(step/);
        assert.ok(c.header.length + c.text.length <= 600 + 1, `${c.header.length + c.text.length}`);
      }
      const lines = chunks.map((c) => [c.startLine, c.endLine]);
      for (let i = 1; i < lines.length; i++) assert.equal(lines[i][0], lines[i - 1][1] + 1, `chunks follow each other: ${JSON.stringify(lines)}`);
      assert.equal(lines[0][0], 0);
      assert.equal(lines.at(-1)?.[1], text.split("\n").length - 2);
    } finally {
      small.dispose();
    }
  });

  it("chunks Python methods with their class line as header and keeps the docstring in the function", async () => {
    const py = `import os\n\nclass Store:\n    """Keeps files."""\n\n    def put(self, name, data):\n        """Writes data under name."""\n        with open(os.path.join(self.root, name), "wb") as f:\n            f.write(data)\n\n    def get(self, name):\n        return open(name).read()\n`;
    const small = new MemoryIndexer({ storeDir: "/nonexistent", grammarsDir, logger: silentLogger, embedder: null, maxChunkChars: 220 });
    try {
      const chunks = await small.chunkText("/w/store.py", py);
      const put = chunks.find((c) => c.symbol === "put");
      assert.ok(put, JSON.stringify(chunks, null, 1));
      assert.equal(put.header, "class Store:");
      assert.match(put.text, /Writes data under name/);
      assert.equal(put.startLine, 5);
    } finally {
      small.dispose();
    }
  });

  it("gives nothing for a file in a language it does not parse", async () => {
    assert.deepEqual(await indexer.chunkText("/w/notes.txt", "just text"), []);
  });
});
