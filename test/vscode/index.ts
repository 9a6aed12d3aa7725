// The mocha entry VS Code's extension host loads (extensionTestsPath): runs every out/test/vscode/**/*.test.js and
// ends with one machine-readable line the harness parses, in code-server (via codeAutomationLog) and in desktop VS Code
// (via stdout):   HEARTH_SUITE_RESULT {"passed":N,"failed":M,"pending":P,"failures":[...]}
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";

export const RESULT_MARKER = "HEARTH_SUITE_RESULT";
export const START_MARKER = "HEARTH_SUITE_START";

function findTests(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) findTests(p, out);
    else if (entry.name.endsWith(".test.js")) out.push(p);
  }
  return out.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", timeout: 20_000, color: false, reporter: "spec" });
  const grep = process.env.HEARTH_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of findTests(__dirname)) mocha.addFile(file);

  return new Promise<void>((resolve, reject) => {
    const failures: string[] = [];
    let passed = 0;
    let pending = 0;
    const report = (extra?: string) => {
      if (extra) failures.push(extra);
      const result = { passed, failed: failures.length, pending, failures };
      const line = `${RESULT_MARKER} ${JSON.stringify(result)}`;
      console.log(line);
      const file = process.env.HEARTH_SUITE_RESULT_FILE;
      if (file) {
        try {
          writeFileSync(file, JSON.stringify(result));
        } catch {
          /* the log line is the primary channel */
        }
      }
      return result;
    };
    console.log(`${START_MARKER} ${mocha.files.length} file(s)`);
    try {
      const runner = mocha.run(() => {
        const result = report();
        if (result.failed > 0) reject(new Error(`${result.failed} test(s) failed`));
        else resolve();
      });
      runner.on("pass", () => passed++);
      runner.on("pending", () => pending++);
      runner.on("fail", (test, err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        const oneLine = message.replace(/\s+/g, " ").trim();
        failures.push(`${test.fullTitle()}: ${oneLine.length > 600 ? `${oneLine.slice(0, 600)}…` : oneLine}`);
      });
    } catch (e) {
      report(`loading the suites: ${e instanceof Error ? e.message : String(e)}`);
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
