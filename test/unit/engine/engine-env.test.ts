// Issue 12, defect 1 (the engine's side): whatever the extension host's environment or a polluted Object.prototype
// holds, the engine process gets only the variables it needs, and no NODE_OPTIONS can make it run code.
import { strict as assert } from "node:assert";
import { fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENGINE_EXEC_ARGV, ENGINE_LIBUV_THREADS, engineEnvironment } from "../../../src/engine/engine-env";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

/** A NODE_OPTIONS value whose --import payload writes `marker` in whatever Node process starts with it. */
function markerPayload(marker: string): string {
  const code = `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran");`;
  return `--import=data:text/javascript,${encodeURIComponent(code)}`;
}

describe("engine environment", () => {
  it("keeps what the engine needs and nothing else", () => {
    const env = engineEnvironment({
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "en_GB.UTF-8",
      LC_ALL: "C",
      CUDA_VISIBLE_DEVICES: "1",
      HIP_VISIBLE_DEVICES: "0",
      GGML_VK_VISIBLE_DEVICES: "0",
      NODE_LLAMA_CPP_GPU: "cuda",
      LD_LIBRARY_PATH: "/opt/cuda/lib64",
      NODE_OPTIONS: "--require /tmp/evil.js",
      LD_PRELOAD: "/tmp/evil.so",
      ELECTRON_NO_ATTACH_CONSOLE: "1",
      VSCODE_IPC_HOOK: "/tmp/vscode.sock",
      GITHUB_TOKEN: "secret",
      HF_TOKEN: "secret",
    });
    assert.deepEqual({ ...env }, {
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "en_GB.UTF-8",
      LC_ALL: "C",
      CUDA_VISIBLE_DEVICES: "1",
      HIP_VISIBLE_DEVICES: "0",
      GGML_VK_VISIBLE_DEVICES: "0",
      NODE_LLAMA_CPP_GPU: "cuda",
      LD_LIBRARY_PATH: "/opt/cuda/lib64",
      ELECTRON_RUN_AS_NODE: "1",
    });
  });

  it("builds an object without a prototype, so nothing inherited can become a variable", () => {
    const env = engineEnvironment({ PATH: "/usr/bin" });
    assert.equal(Object.getPrototypeOf(env), null);
  });

  it("copies only own properties of the environment it is given", () => {
    const inherited = Object.create({ PATH: "/evil/bin", NODE_OPTIONS: "--inspect" }) as NodeJS.ProcessEnv;
    inherited.HOME = "/home/u";
    assert.deepEqual({ ...engineEnvironment(inherited) }, { HOME: "/home/u", ELECTRON_RUN_AS_NODE: "1" });
  });

  it("never passes the host's UV_THREADPOOL_SIZE on to the engine", () => {
    const env = engineEnvironment({ PATH: "/usr/bin", UV_THREADPOOL_SIZE: "64" });
    assert.equal(env.UV_THREADPOOL_SIZE, ENGINE_LIBUV_THREADS === undefined ? undefined : String(ENGINE_LIBUV_THREADS));
  });

  it("gives the engine the threadpool size its client asks for", () => {
    assert.equal(engineEnvironment({ UV_THREADPOOL_SIZE: "64" }, { UV_THREADPOOL_SIZE: "2" }).UV_THREADPOOL_SIZE, "2");
  });

  it("ignores a threadpool size outside libuv's 1 to 1024", () => {
    for (const asked of ["0", "1025", "-1", "two", "1.5", ""]) {
      const env = engineEnvironment({}, { UV_THREADPOOL_SIZE: asked });
      assert.equal(env.UV_THREADPOOL_SIZE, ENGINE_LIBUV_THREADS === undefined ? undefined : String(ENGINE_LIBUV_THREADS), asked);
    }
  });

  it("starts the engine with no Node flags of its own", () => {
    assert.deepEqual(ENGINE_EXEC_ARGV, []);
  });
});

describe("engine start with a polluted environment", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();
  let dir: string;
  let marker: string;
  const hadOwnNodeOptions = Object.prototype.hasOwnProperty.call(process.env, "NODE_OPTIONS");
  const ownNodeOptions = process.env.NODE_OPTIONS;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-engine-env-"));
    marker = join(dir, "payload-ran");
  });
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).NODE_OPTIONS;
    if (hadOwnNodeOptions) process.env.NODE_OPTIONS = ownNodeOptions;
    else delete process.env.NODE_OPTIONS;
    rmSync(dir, { recursive: true, force: true });
  });

  it("control: the payload does run in a child forked with a spread of the polluted environment", async () => {
    const child = join(dir, "child.js");
    writeFileSync(child, "process.exit(0);\n");
    (Object.prototype as Record<string, unknown>).NODE_OPTIONS = markerPayload(marker);
    const exited = new Promise<void>((resolve) => fork(child, [], { env: { ...process.env }, stdio: "ignore" }).once("exit", () => resolve()));
    delete (Object.prototype as Record<string, unknown>).NODE_OPTIONS;
    await exited;
    assert.equal(existsSync(marker), true, "the payload should run when NODE_OPTIONS is inherited; the test below would prove nothing");
  });

  it("runs nothing from a NODE_OPTIONS planted on Object.prototype", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    (Object.prototype as Record<string, unknown>).NODE_OPTIONS = markerPayload(marker);
    try {
      await client.load();
    } finally {
      delete (Object.prototype as Record<string, unknown>).NODE_OPTIONS;
    }
    assert.equal(client.status.kind, "ready");
    assert.equal(existsSync(marker), false, "the engine ran the payload");
  });

  it("runs nothing from a NODE_OPTIONS in the extension host's own environment", async () => {
    process.env.NODE_OPTIONS = markerPayload(marker);
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    await client.load();
    assert.equal(client.status.kind, "ready");
    assert.equal(existsSync(marker), false, "the engine ran the payload");
  });
});
