// Records every frame sent on the observed namespace's interface (see network.ts) and turns it into a verdict per
// layer: a packet that Hearth, its engine, code-server, the extension host, Chromium or a webview sent anywhere but
// loopback fails the layer with its destination named. A control probe proves, on every run, that the observer sees a
// deliberate connection and a deliberate lookup, and names them.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { OBSERVED_NETWORK } from "./network";
import { describeFrame, summarizeDestinations, type OutboundPacket } from "./packets";
import { repoRoot } from "./paths";
import { onExitCleanup, spawnManaged, withTimeout } from "./processes";
import type { SuiteResult } from "./run-vscode-tests";

export interface NetworkObserver {
  /**
   * The packets sent since the previous checkpoint (or since the start). Sends a marker datagram of its own and waits
   * until the capture has read it, so every packet sent before the call is in the answer.
   */
  checkpoint(): Promise<OutboundPacket[]>;
  /** Resolves true once a packet passing `test` has been captured since the last checkpoint, false after `timeoutMs`. */
  waitFor(test: (packet: OutboundPacket) => boolean, timeoutMs: number): Promise<boolean>;
  stop(): void;
}

const CHECKPOINT_PREFIX = "hearth-network-checkpoint ";
const CHECKPOINT_TIMEOUT_MS = 15_000;

/** Splits the reader's stdout (4-byte big-endian length, then the frame) into frames. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (this.pending.length < 4 + length) break;
      this.onFrame(this.pending.subarray(4, 4 + length));
      this.pending = this.pending.subarray(4 + length);
    }
  }
}

/** Starts the capture on `interfaceName` (test/harness/packet-reader.pl) and resolves once it is reading. */
export async function startNetworkObserver(interfaceName: string): Promise<NetworkObserver> {
  const reader: ChildProcess = spawn("perl", [join(repoRoot, "test", "harness", "packet-reader.pl"), interfaceName], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let exit: string | undefined;
  const readerPid = reader.pid;
  const kill = () => {
    if (readerPid === undefined || exit !== undefined) return;
    try {
      process.kill(-readerPid, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  // Not one of the layers' process groups (each layer's end kills those): the capture lives until the runner exits.
  const untrack = onExitCleanup(kill);
  let packets: OutboundPacket[] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const splitter = new FrameSplitter((frame) => {
    packets.push(describeFrame(frame));
    notify();
  });
  reader.stdout?.on("data", (chunk: Buffer) => splitter.push(chunk));
  const ready = new Promise<void>((resolve, reject) => {
    reader.stderr?.setEncoding("utf8");
    reader.stderr?.on("data", (text: string) => {
      stderr += text;
      if (/^ready /m.test(stderr)) resolve();
    });
    reader.once("error", (err) => reject(new Error(`network observer: cannot start perl: ${err.message}`)));
    reader.once("exit", (code, signal) => {
      exit = `the capture stopped (exit ${code ?? signal}): ${stderr.trim() || "no message"}`;
      untrack();
      reject(new Error(`network observer: ${exit}`));
      notify();
    });
  });
  await withTimeout(ready, 10_000, "the network observer's capture to start");

  const waitFor = (test: (packet: OutboundPacket) => boolean, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (!packets.some(test) && exit === undefined) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(packets.some(test));
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        resolve(false);
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return {
    waitFor,
    async checkpoint() {
      if (exit !== undefined) throw new Error(`network observer: ${exit}`);
      const token = `${CHECKPOINT_PREFIX}${randomUUID()}`;
      const isMarker = (p: OutboundPacket) => p.udpPayload?.toString("latin1") === token;
      await sendDatagram(token, OBSERVED_NETWORK.checkpointAddress, 9);
      if (!(await waitFor(isMarker, CHECKPOINT_TIMEOUT_MS))) {
        throw new Error(`network observer: its own checkpoint datagram was not captured within ${CHECKPOINT_TIMEOUT_MS} ms${exit ? ` (${exit})` : ""}`);
      }
      const at = packets.findIndex(isMarker);
      const before = packets.slice(0, at);
      packets = packets.slice(at + 1);
      // Markers of an earlier checkpoint that timed out are the harness's own, not anyone's attempt to go out.
      return before.filter((p) => !p.udpPayload?.toString("latin1").startsWith(CHECKPOINT_PREFIX));
    },
    stop() {
      kill();
      untrack();
    },
  };
}

function sendDatagram(text: string, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.send(text, port, address, (err) => {
      socket.close();
      if (err) reject(new Error(`network observer: cannot send its checkpoint datagram to ${address}:${port}: ${err.message}`));
      else resolve();
    });
  });
}

/** A verdict counted as one test: no packet left loopback during `what`, or the destinations that were tried. */
export function networkVerdict(what: string, packets: readonly OutboundPacket[]): SuiteResult {
  if (packets.length === 0) return { passed: 1, failed: 0, failures: [] };
  const destinations = summarizeDestinations(packets);
  return {
    passed: 0,
    failed: 1,
    failures: [`no network: ${packets.length} packet(s) left loopback during ${what}, to: ${destinations.join("; ")}`],
  };
}

/** What the control probe tries, and how the observer must name it. */
export const CONTROL_TARGETS = { connect: { host: "203.0.113.1", port: 443 }, lookup: "example.com" } as const;

const PROBE_SCRIPT = `
const net = require("node:net"), dns = require("node:dns");
const { host, port, name } = JSON.parse(process.argv[1]);
net.connect({ host, port }).on("error", () => undefined);
dns.lookup(name, () => undefined);
setInterval(() => undefined, 60_000);
`;

/**
 * The control case, run before the suites: a separate process in the namespace connects to 203.0.113.1:443 and looks
 * up example.com. Passes only when the observer captured both and names them as a failed layer would show them.
 */
export async function runControlProbe(observer: NetworkObserver, timeoutMs = 20_000): Promise<SuiteResult> {
  const { connect, lookup } = CONTROL_TARGETS;
  const destination = `${connect.host}:${connect.port}`;
  const isConnect = (p: OutboundPacket) => p.protocol === "TCP" && p.destination === destination;
  const isLookup = (p: OutboundPacket) => p.dnsQuestion?.endsWith(` ${lookup}`) === true;
  const probe = spawnManaged("network control probe", process.execPath, ["-e", PROBE_SCRIPT, JSON.stringify({ host: connect.host, port: connect.port, name: lookup })]);
  let seen: [boolean, boolean];
  try {
    seen = await Promise.all([observer.waitFor(isConnect, timeoutMs), observer.waitFor(isLookup, timeoutMs)]);
  } finally {
    await probe.stop(0);
  }
  const packets = await observer.checkpoint();
  const named = networkVerdict("the control probe", packets).failures.join("");
  const missing = [...(seen[0] ? [] : [`a TCP connection to ${destination}`]), ...(seen[1] ? [] : [`a DNS lookup of ${lookup}`])];
  const unnamed = [destination, `DNS A ${lookup}`].filter((text) => !named.includes(text));
  if (missing.length === 0 && unnamed.length === 0) return { passed: 1, failed: 0, failures: [] };
  const problem = missing.length ? `did not see ${missing.join(" or ")}` : `did not name ${unnamed.join(" and ")}`;
  return {
    passed: 0,
    failed: 1,
    failures: [`network observer: the control probe's packets were not caught: it ${problem} (captured: ${summarizeDestinations(packets).join("; ") || "nothing"})`],
  };
}
