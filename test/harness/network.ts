// The real-VS-Code layers run inside a network namespace of their own in which nothing can reach the network and every
// attempt is seen: besides loopback it has one interface, hearth0, that carries the default routes (IPv4 and IPv6) and
// drops everything sent on it, and name lookups go through DNS to a resolver address behind it. The network observer
// (network-observer.ts) records each frame sent on hearth0, so a connection or a lookup anywhere but loopback shows up
// with its destination instead of failing silently at once.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The observed namespace's addresses: documentation ranges (RFC 5737, RFC 3849) that lead nowhere even outside it. */
export const OBSERVED_NETWORK = {
  interfaceName: "hearth0",
  /** The peer of hearth0 when it has to be a veth pair (a kernel without the dummy and ifb drivers). */
  peerName: "hearth1",
  ipv4: "192.0.2.2/24",
  ipv6: "2001:db8:4845::2/64",
  /** The only nameserver in the namespace's resolv.conf: a query to it leaves through hearth0 and is recorded. */
  resolver: "192.0.2.53",
  /** Where the observer's own checkpoint datagrams go (port 9, discard). */
  checkpointAddress: "192.0.2.1",
} as const;

export interface ObservedNetwork {
  interfaceName: string;
  /** How hearth0 was made: "dummy", "ifb" or "veth". */
  kind: string;
}

/**
 * Network interfaces of *this process's* network namespace. /proc/net/dev is per-namespace; /sys/class/net is not a
 * reliable test (it shows the namespace sysfs was mounted in, so after a bare `unshare --net` it still lists eth0).
 */
export function networkInterfaces(): string[] {
  try {
    return readFileSync("/proc/net/dev", "utf8")
      .split("\n")
      .slice(2)
      .map((l) => l.split(":")[0]?.trim() ?? "")
      .filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Makes sure the current command runs in an observed namespace (see the top of this file). Outside one, re-executes
 * the same command under `unshare --net --mount` (root) or `unshare -r --net --mount` (non-root), passes stdio and
 * SIGINT/SIGTERM/SIGHUP through, and exits with its exit code: then the returned promise never settles. Inside (the
 * re-executed command), builds the namespace's network, sets HEARTH_NETNS=1 for the children to see and returns it.
 *
 * HEARTH_NO_NETNS=1 opts out (a machine where namespaces are not allowed): returns null, nothing is observed and the
 * no-network tests skip.
 */
export async function ensureNetworkNamespace(): Promise<ObservedNetwork | null> {
  if (process.env.HEARTH_NO_NETNS === "1") {
    console.warn("harness: HEARTH_NO_NETNS=1: running WITH the network, unobserved; the no-network tests will be skipped");
    delete process.env.HEARTH_NETNS;
    return null;
  }
  if (process.env.HEARTH_NETNS_REEXEC === "1") {
    const network = setUpObservedNetwork();
    process.env.HEARTH_NETNS = "1";
    return network;
  }
  const isRoot = process.getuid?.() === 0;
  const unshareArgs = isRoot ? ["--net", "--mount"] : ["-r", "--net", "--mount"];
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn("unshare", [...unshareArgs, "--", ...argv], {
    stdio: "inherit",
    env: { ...process.env, HEARTH_NETNS_REEXEC: "1" },
  });
  const forward = (signal: NodeJS.Signals) => () => {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, forward(signal));
  return new Promise<never>((_, reject) => {
    child.once("error", (err) =>
      reject(new Error(`harness: cannot run unshare (${err.message}); install util-linux, or set HEARTH_NO_NETNS=1 to run with the network`)),
    );
    child.once("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
}

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(command, args, { encoding: "utf8" });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim();
  return { ok: r.status === 0, output };
}

function must(command: string, args: string[]): void {
  const r = run(command, args);
  if (!r.ok) throw new Error(`harness: cannot set up the observed network: \`${command} ${args.join(" ")}\` failed: ${r.output}`);
}

/**
 * Inside a fresh network and mount namespace (we are its root): hearth0 with the default routes, and name lookups
 * through DNS to OBSERVED_NETWORK.resolver. hearth0 is a dummy interface where the kernel has the driver, else an ifb
 * (the same: it drops what it is given), else one end of a veth pair.
 */
export function setUpObservedNetwork(): ObservedNetwork {
  const { interfaceName: dev, peerName: peer } = OBSERVED_NETWORK;
  if (networkInterfaces().some((i) => i !== "lo")) {
    throw new Error(`harness: expected a fresh network namespace, but it has ${networkInterfaces().join(", ")}`);
  }
  must("ip", ["link", "set", "lo", "up"]);
  const ipv6 = existsSync("/proc/sys/net/ipv6");
  const kind = createInterface(dev, peer, ipv6);
  must("ip", ["addr", "add", OBSERVED_NETWORK.ipv4, "dev", dev]);
  if (ipv6) must("ip", ["-6", "addr", "add", OBSERVED_NETWORK.ipv6, "dev", dev, "nodad"]);
  must("ip", ["link", "set", dev, "up"]);
  must("ip", ["route", "add", "default", "dev", dev]);
  if (ipv6) must("ip", ["-6", "route", "add", "default", "dev", dev]);
  routeNameLookupsThroughDns();
  return { interfaceName: dev, kind };
}

function createInterface(dev: string, peer: string, ipv6: boolean): string {
  let kind: string;
  if (run("ip", ["link", "add", dev, "type", "dummy"]).ok) kind = "dummy";
  else if (run("ip", ["link", "add", dev, "type", "ifb"]).ok) {
    // An ifb gets a queue; without one, frames reach the capture in the order they were sent, checkpoints included.
    must("tc", ["qdisc", "replace", "dev", dev, "root", "noqueue"]);
    kind = "ifb";
  } else {
    const veth = run("ip", ["link", "add", dev, "type", "veth", "peer", "name", peer]);
    if (!veth.ok) throw new Error(`harness: cannot create ${dev}: this kernel offers none of the dummy, ifb and veth interfaces (${veth.output})`);
    kind = "veth";
  }
  // No ARP, multicast or link-local address: the kernel itself sends nothing on hearth0 (no neighbour discovery, MLD or
  // router solicitation), so every frame there comes from a process.
  for (const link of kind === "veth" ? [dev, peer] : [dev]) {
    must("ip", ["link", "set", link, "arp", "off", "multicast", "off"]);
    if (ipv6) must("ip", ["link", "set", link, "addrgenmode", "none"]);
  }
  if (kind === "veth") must("ip", ["link", "set", peer, "up"]);
  return kind;
}

/**
 * This mount namespace's /etc/resolv.conf names only OBSERVED_NETWORK.resolver (1 s, one try: a lookup fails fast),
 * and its nsswitch.conf resolves hosts from files and DNS only, so no lookup goes to a local stub (127.0.0.53), to
 * systemd-resolved or avahi over a Unix socket, or anywhere else the capture cannot see.
 */
function routeNameLookupsThroughDns(): void {
  if (!existsSync("/etc/resolv.conf")) {
    throw new Error("harness: /etc/resolv.conf is missing: lookups would go to 127.0.0.1, unobserved; create an empty one");
  }
  const dir = mkdtempSync(join(tmpdir(), "hearth-netns-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const resolvConf = join(dir, "resolv.conf");
  writeFileSync(resolvConf, `# hearth's observed network namespace\nnameserver ${OBSERVED_NETWORK.resolver}\noptions timeout:1 attempts:1\n`);
  must("mount", ["--bind", resolvConf, "/etc/resolv.conf"]);
  if (existsSync("/etc/nsswitch.conf")) {
    const nsswitch = join(dir, "nsswitch.conf");
    const lines = readFileSync("/etc/nsswitch.conf", "utf8").split("\n").filter((l) => !/^\s*hosts\s*:/.test(l));
    writeFileSync(nsswitch, [...lines, "hosts: files dns", ""].join("\n"));
    must("mount", ["--bind", nsswitch, "/etc/nsswitch.conf"]);
  }
}
