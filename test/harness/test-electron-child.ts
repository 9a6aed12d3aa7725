// Runs @vscode/test-electron's runTests in a process of its own (started in its own process group by
// run-vscode-tests.ts), so a hung desktop VS Code is stopped with the whole group. argv[2]: runTests options as JSON.
import { runTests } from "@vscode/test-electron";

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as Parameters<typeof runTests>[0];
  try {
    process.exitCode = await runTests(options);
  } catch (e) {
    console.error(`test-electron: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}

void main();
