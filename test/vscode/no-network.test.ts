// The real-VS-Code layers run in the harness's observed network namespace (test/harness/network.ts): nothing there can
// reach the network, and every packet sent anywhere but loopback is recorded and fails the layer, with its destination
// named (test/harness/network-observer.ts). These tests check, from inside the extension host, that this process is
// in that namespace, so that the harness's verdict covers Hearth, its engine and its webviews.
// HEARTH_NETWORK_CONTROL=1 makes the last test try the network on purpose: the run must then fail, naming
// 203.0.113.1:443 and example.com (the harness also runs such a control probe of its own before every run).
import * as assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { networkInterfaces, OBSERVED_NETWORK } from "../harness/network";

function connectOutcome(host: string, port: number, waitMs: number): Promise<"connected" | "no answer" | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("no answer");
    }, waitMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(String(err.code));
    });
  });
}

/** Destination interface of this namespace's default IPv4 route, from /proc/net/route (hex destination 00000000). */
function defaultRouteInterface(): string | undefined {
  const routes = readFileSync("/proc/net/route", "utf8").split("\n").slice(1);
  return routes.map((line) => line.trim().split(/\s+/)).find((fields) => fields[1] === "00000000")?.[0];
}

describe("No network inside the extension host", function () {
  before(function () {
    if (process.env.HEARTH_NETNS !== "1") this.skip();
  });

  it("runs in the observed namespace: loopback and the harness's recording interface only", () => {
    const allowed = new Set<string>(["lo", OBSERVED_NETWORK.interfaceName, OBSERVED_NETWORK.peerName]);
    const interfaces = networkInterfaces();
    assert.ok(interfaces.includes(OBSERVED_NETWORK.interfaceName), `no ${OBSERVED_NETWORK.interfaceName} among ${interfaces.join(", ")}`);
    assert.deepEqual(interfaces.filter((i) => !allowed.has(i)), []);
  });

  it("sends everything that is not for loopback to the recording interface", () => {
    assert.equal(defaultRouteInterface(), OBSERVED_NETWORK.interfaceName);
  });

  it("asks only the observed resolver for names", () => {
    const nameservers = readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
      .filter((address): address is string => address !== undefined);
    assert.deepEqual(nameservers, [OBSERVED_NETWORK.resolver]);
  });

  it("still reaches loopback", async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as net.AddressInfo;
    const outcome = await connectOutcome("127.0.0.1", port, 5000);
    server.close();
    assert.equal(outcome, "connected");
  });

  it("tries 203.0.113.1:443 and example.com on purpose when HEARTH_NETWORK_CONTROL=1, so that the harness fails this run", async function () {
    if (process.env.HEARTH_NETWORK_CONTROL !== "1") this.skip();
    // Nothing answers in the namespace: the connection gets no answer and the lookup fails; the harness's observer
    // records both and fails the vscode layer with "TCP 203.0.113.1:443" and "DNS A example.com".
    const [outcome, lookup] = await Promise.all([
      connectOutcome("203.0.113.1", 443, 2000),
      dns.lookup("example.com").then(
        (address) => `resolved to ${address.address}`,
        (e: NodeJS.ErrnoException) => String(e.code),
      ),
    ]);
    assert.equal(outcome, "no answer");
    assert.ok(!lookup.startsWith("resolved"), `example.com ${lookup}`);
  });
});
