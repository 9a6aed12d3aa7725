// The network observer, for real: each test runs a script in a fresh observed namespace (test/harness/network.ts),
// as the harness does before the real-VS-Code layers. HEARTH_NO_NETNS=1 (no namespaces on this machine) skips them.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { join } from "node:path";

const harness = join(__dirname, "..", "..", "harness");

/** Runs `body` (an async function body; `network`, `observer` and `H`, the harness's folder, in scope) in a namespace. */
function inObservedNamespace(body: string): Promise<unknown> {
  const script = `
const H = ${JSON.stringify(harness)};
const { ensureNetworkNamespace } = require(H + "/network");
const { startNetworkObserver, runControlProbe, networkVerdict } = require(H + "/network-observer");
(async () => {
  const network = await ensureNetworkNamespace();
  const observer = await startNetworkObserver(network.interfaceName);
  try { ${body} } finally { observer.stop(); }
})().then(
  (r) => { process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"); process.exit(0); },
  (e) => { process.stdout.write("ERROR " + ((e && e.stack) || e) + "\\n"); process.exit(1); },
);`;
  const unshare = process.getuid?.() === 0 ? ["--net", "--mount"] : ["-r", "--net", "--mount"];
  const child = spawn("unshare", [...unshare, "--", process.execPath, "-e", script], {
    env: { ...process.env, HEARTH_NETNS_REEXEC: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => {
      const result = /^RESULT (.*)$/m.exec(output);
      if (result?.[1]) resolve(JSON.parse(result[1]));
      else reject(new Error(`the namespace script failed:\n${output}`));
    });
  });
}

describe("Network observer in an observed namespace", function () {
  this.timeout(60_000);
  before(function () {
    if (process.env.HEARTH_NO_NETNS === "1") this.skip();
  });

  it("catches a control probe's connection and lookup and names them", async () => {
    assert.deepEqual(await inObservedNamespace("return await runControlProbe(observer);"), { passed: 1, failed: 0, failures: [] });
  });

  it("fails the control, saying what it missed, when connections do not reach the observed interface", async () => {
    const result = (await inObservedNamespace(`
      require("node:child_process").execFileSync("ip", ["route", "del", "default"]);
      return await runControlProbe(observer, 2000);`)) as { passed: number; failed: number; failures: string[] };
    assert.equal(result.failed, 1);
    assert.match(result.failures[0]!, /did not see a TCP connection to 203\.0\.113\.1:443/);
  });

  it("fails a layer that connected anywhere, naming the address, the port and the name it looked up", async () => {
    const result = (await inObservedNamespace(`
      const net = require("node:net"), dns = require("node:dns");
      const socket = net.connect({ host: "198.51.100.7", port: 8443 }).on("error", () => undefined);
      await new Promise((resolve) => dns.lookup("hearth-test.example", () => resolve()));
      socket.destroy();
      return networkVerdict("the test layer", await observer.checkpoint());`)) as { failed: number; failures: string[] };
    assert.equal(result.failed, 1);
    assert.match(result.failures[0]!, /TCP 198\.51\.100\.7:8443/);
    assert.match(result.failures[0]!, /DNS A hearth-test\.example/);
  });

  it("passes a layer whose traffic stayed on loopback", async () => {
    const result = await inObservedNamespace(`
      const net = require("node:net");
      const server = net.createServer((s) => s.end("hello")).listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      await new Promise((resolve) => net.connect(server.address().port, "127.0.0.1").on("end", resolve).resume());
      server.close();
      return networkVerdict("the test layer", await observer.checkpoint());`);
    assert.deepEqual(result, { passed: 1, failed: 0, failures: [] });
  });
});
