// The token counter's cache outlives the document versions it counted: it must not keep them alive. V8 keeps a
// sliced string's whole parent, so a key that is a slice of a document would keep one whole copy per version.
import * as assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

const OUT = join(__dirname, "..", "..", "..");

describe("ModelTokenCounter's memory", function () {
  this.timeout(60_000);

  it("keeps no copy of a counted document once the document itself is gone", async () => {
    const script = `
      const { ModelTokenCounter } = require(${JSON.stringify(join(OUT, "src", "context", "model-token-counter.js"))});
      const { bigStringOwners } = require(${JSON.stringify(join(OUT, "bench", "reliability", "heap-owners.js"))});
      const { parentPort } = require("node:worker_threads");
      const source = { tokenCounts: async (texts) => ({ modelPath: "m.gguf", counts: texts.map((t) => t.length) }) };
      const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
      (async () => {
        const counter = new ModelTokenCounter(source, silent, { flushDelayMs: 0 });
        for (let version = 0; version < 5; version++) {
          let documentText = "line of code " + version + "\\n" + ("const value = compute(" + version + ");\\n").repeat(20000);
          counter.count(documentText);
          await counter.settled();
          // Counted again, as on the next keystroke: the lines are found in the cache this time.
          counter.count(documentText);
          documentText = undefined;
        }
        const owners = bigStringOwners(${JSON.stringify(join(tmpdir(), `hearth-token-counter-${process.pid}.heapsnapshot`))}, 200000, "line of code");
        parentPort.postMessage({ owners, cached: counter.count("const value = compute(4);\\n") });
        counter.dispose();
      })().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
    `;
    const result = await new Promise<{ owners?: { strings: number }; error?: string }>((resolve, reject) => {
      const worker = new Worker(script, { eval: true });
      worker.once("message", (message: { owners?: { strings: number }; error?: string }) => {
        void worker.terminate();
        resolve(message);
      });
      worker.once("error", reject);
    });
    assert.equal(result.error, undefined, result.error);
    assert.equal(result.owners?.strings, 0, JSON.stringify(result.owners));
  });
});
