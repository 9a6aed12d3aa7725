// `npm run bench [name ...]`: runs the named benches (default: all that exist), each writing bench/results/NAME.json
// and its section of bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runActivationBench } from "./activation/run-activation";
import { runEngineBench } from "./engine/run-engine";
import { runInlineBench } from "./inline/run-inline";

const BENCHES: Record<string, () => Promise<void>> = {
  activation: () => runActivationBench(),
  context: () => runScript(join(__dirname, "context", "run-context-bench.js")),
  engine: () => runEngineBench(),
  inline: () => runInlineBench(),
  "first-suggestion": async () => (await import("./inline/first-suggestion.js")).runFirstSuggestionBench(),
  cache: async () => (await import("./inline/run-cache.js")).runCacheBench(),
  chat: async () => (await import("./chat/run-chat.js")).runChatBench(),
  reliability: async () => (await import("./reliability/run-reliability.js")).runReliabilityBench(),
  "next-edit": async () => (await import("./next-edit/run-next-edit.js")).runNextEditBench(),
};

/** A bench that is its own script (it also runs alone, e.g. `npm run bench:context`). */
async function runScript(path: string): Promise<void> {
  const result = spawnSync(process.execPath, [path], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${path} failed (${result.status ?? result.signal})`);
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
    console.log(`\n== bench: ${name}`);
    await BENCHES[name]!();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
