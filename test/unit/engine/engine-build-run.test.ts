// The engine build's process (engine/engine-build.ts runEngineBuild) and what it leaves when the window that started
// it goes away: a build of many minutes on every core must not outlive the editor that asked for it.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUILD_LINE } from "../../../src/engine/engine-build-lines";
import { runEngineBuild } from "../../../src/engine/engine-build";

const OUT_SRC = resolve(__dirname, "../../../src");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("engine build process", function () {
  this.timeout(60_000);
  let dir: string;
  let grandchild = 0;
  let host: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-engine-build-run-"));
  });
  afterEach(() => {
    host?.kill("SIGKILL");
    if (grandchild && alive(grandchild)) process.kill(grandchild, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves when a build watching its parent finishes", async () => {
    const script = join(dir, "build.mjs");
    writeFileSync(
      script,
      [
        `import { endWithParent } from ${JSON.stringify(join(OUT_SRC, "engine/worker/build-lifetime.mjs"))};`,
        `endWithParent();`,
        `process.stdout.write("\\n${BUILD_LINE.done}{}\\n");`,
        `process.exit(0);`,
      ].join("\n"),
    );
    const steps: string[] = [];
    const result = await runEngineBuild({ scriptPath: script, dir, logFile: join(dir, "build.log"), signal: new AbortController().signal, onProgress: (p) => steps.push(p.step) });
    assert.equal(typeof result.seconds, "number");
  });

  it("stops the build and the compilers it started when the window that started it exits", async function () {
    if (process.platform === "win32") this.skip();
    // Stands for build-main.mts: the same watch on its parent, then a long "compiler" in its process group.
    const script = join(dir, "build.mjs");
    writeFileSync(
      script,
      [
        `import { spawn } from "node:child_process";`,
        `import { endWithParent } from ${JSON.stringify(join(OUT_SRC, "engine/worker/build-lifetime.mjs"))};`,
        `endWithParent();`,
        `const compiler = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });`,
        `process.stdout.write("\\n${BUILD_LINE.step}compiler " + compiler.pid + "\\n");`,
        `setInterval(() => {}, 1000);`,
      ].join("\n"),
    );
    // Stands for the extension host: runs the build as the command does, then dies without a word (a closed window).
    const hostScript = [
      `const { runEngineBuild } = require(${JSON.stringify(join(OUT_SRC, "engine/engine-build.js"))});`,
      `runEngineBuild({ scriptPath: ${JSON.stringify(script)}, dir: ${JSON.stringify(dir)}, logFile: ${JSON.stringify(join(dir, "build.log"))},`,
      `  signal: new AbortController().signal, onProgress: (p) => process.stdout.write(p.step + "\\n") }).catch(() => undefined);`,
    ].join("\n");
    host = spawn(process.execPath, ["-e", hostScript], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    host.stdout?.on("data", (data: Buffer) => (out += data.toString()));
    while (!/compiler (\d+)\n/.test(out)) await once(host.stdout!, "data");
    grandchild = Number(/compiler (\d+)\n/.exec(out)![1]);
    assert.equal(alive(grandchild), true);
    host.kill("SIGKILL");
    await once(host, "exit");
    // The build notices its parent's end by itself: wait (bounded) for the compiler to be gone.
    const deadline = Date.now() + 20_000;
    while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(grandchild), false, "the compiler outlived the window that started the build");
  });
});
