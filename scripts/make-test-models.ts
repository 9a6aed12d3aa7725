// Generates the project's test models into <repo>/.models (cached by spec hash) and prints each one's name and path.
//   node out/scripts/make-test-models.js [tiny|scripted|qwen-vocab|bench-0.5b ...]   (default: all but bench-0.5b and embed-learned)
import { stat } from "node:fs/promises";
import { TEST_MODEL_NAMES, ensureTestModel } from "../test/fixtures/models/test-models";
import type { TestModelName } from "../test/fixtures/models/test-models";

async function main(args: string[]): Promise<void> {
  const unknown = args.filter((a) => !TEST_MODEL_NAMES.includes(a as TestModelName));
  if (unknown.length > 0) {
    process.stderr.write(`make-test-models: unknown model ${unknown.join(", ")}; known: ${TEST_MODEL_NAMES.join(", ")}\n`);
    process.exitCode = 2;
    return;
  }
  const names = args.length > 0 ? (args as TestModelName[]) : TEST_MODEL_NAMES.filter((n) => n !== "bench-0.5b" && n !== "embed-learned");
  for (const name of names) {
    const started = Date.now();
    const path = await ensureTestModel(name);
    const { size } = await stat(path);
    process.stdout.write(`${name}\t${path}\n`);
    process.stderr.write(`  ${(size / 2 ** 20).toFixed(1)} MiB, ${Date.now() - started} ms\n`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`make-test-models: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
