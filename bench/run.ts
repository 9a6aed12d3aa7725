// `npm run bench [name ...]`: runs the named benches (default: all that exist), each writing bench/results/NAME.json
// and its section of bench/RESULTS.md.
import { runActivationBench } from "./activation/run-activation";

const BENCHES: Record<string, () => Promise<void>> = {
  activation: () => runActivationBench(),
};

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
