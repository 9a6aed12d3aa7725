// Proves the real-VS-Code layers run with no network: from inside the extension host, going out fails at once.
// The harness sets HEARTH_NETNS=1 when it runs inside its loopback-only network namespace.
import * as assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import * as net from "node:net";

function connectError(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Object.assign(new Error("no answer within 5 s"), { code: "TIMEOUT" }));
    }, 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(null);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}

describe("No network inside the extension host", function () {
  before(function () {
    if (process.env.HEARTH_NETNS !== "1") this.skip();
  });

  it("cannot connect to 1.1.1.1:443 (ENETUNREACH)", async () => {
    const err = await connectError("1.1.1.1", 443);
    assert.ok(err, "connected to 1.1.1.1:443: the network is reachable");
    assert.equal(err.code, "ENETUNREACH");
  });

  it("cannot resolve example.com", async () => {
    const err = await dns.lookup("example.com").then(
      () => null,
      (e: NodeJS.ErrnoException) => e,
    );
    assert.ok(err, "example.com resolved: DNS is reachable");
    assert.ok(["EAI_AGAIN", "ENOTFOUND", "ECONNREFUSED"].includes(String(err.code)), `unexpected error ${err.code}`);
  });

  it("still reaches loopback", async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as net.AddressInfo;
    const err = await connectError("127.0.0.1", port);
    server.close();
    assert.equal(err, null);
  });
});
