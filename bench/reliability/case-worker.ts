// The thread a corpus's cases run in (case-pool.ts starts it): loads the corpus module, sets it up once, then runs the
// case it is asked for and answers with the verdict. A case that throws is a crash of that case, not of the thread.
import { parentPort, workerData } from "node:worker_threads";
import type { CaseVerdict, OpenCases } from "./case-pool";
import { describeError } from "./outcomes";

const { module, init } = workerData as { module: string; init: unknown };
const port = parentPort!;

async function main(): Promise<void> {
  const { openCases } = (await import(module)) as { openCases: OpenCases };
  const run = await openCases(init);
  port.on("message", ({ index }: { index: number }) => {
    run(index).then(
      (verdict) => port.postMessage({ type: "result", index, verdict }),
      (error: unknown) => port.postMessage({ type: "result", index, verdict: { outcome: "crashed", detail: `threw: ${describeError(error)}` } satisfies CaseVerdict }),
    );
  });
  port.postMessage({ type: "ready" });
}

main().catch((error: unknown) => port.postMessage({ type: "fatal", error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
