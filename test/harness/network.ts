// The real-VS-Code layers run inside a network namespace that has only loopback: code-server, its extension host and
// Chromium are started inside it, so nothing Hearth does can reach the network, and tests prove it.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

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

/** True when this process sees no network interface but loopback. */
export function isLoopbackOnly(): boolean {
  return networkInterfaces().every((i) => i === "lo");
}

function loopbackUp(): boolean {
  try {
    const operstate = readFileSync("/proc/net/dev", "utf8");
    if (!operstate.includes("lo:")) return false;
    const r = spawnSync("ip", ["-o", "link", "show", "lo"], { encoding: "utf8" });
    return r.status === 0 && /<[^>]*\bUP\b/.test(r.stdout);
  } catch {
    return false;
  }
}

/**
 * Makes sure the current command runs in a loopback-only network namespace. When it already does, returns (setting
 * HEARTH_NETNS=1 for the children to see). Otherwise re-executes the same command under `unshare --net` (root) or
 * `unshare -r --net` (non-root) with `ip link set lo up` first, passes stdio and SIGINT/SIGTERM/SIGHUP through, and
 * exits with its exit code: in that case the returned promise never settles.
 *
 * HEARTH_NO_NETNS=1 opts out (a machine where namespaces are not allowed); the no-network tests then skip.
 */
export async function ensureNetworkNamespace(): Promise<void> {
  if (process.env.HEARTH_NO_NETNS === "1") {
    console.warn("harness: HEARTH_NO_NETNS=1: running WITH the network; the no-network tests will be skipped");
    delete process.env.HEARTH_NETNS;
    return;
  }
  if (isLoopbackOnly()) {
    if (!loopbackUp()) spawnSync("ip", ["link", "set", "lo", "up"], { stdio: "inherit" });
    process.env.HEARTH_NETNS = "1";
    return;
  }
  if (process.env.HEARTH_NETNS_REEXEC === "1") {
    throw new Error(`harness: re-executed under unshare but still see interfaces ${networkInterfaces().join(", ")}`);
  }
  const isRoot = process.getuid?.() === 0;
  const unshareArgs = isRoot ? ["--net"] : ["-r", "--net"];
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn("unshare", [...unshareArgs, "sh", "-c", 'ip link set lo up && exec "$@"', "hearth-netns", ...argv], {
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
  await new Promise<never>((_, reject) => {
    child.once("error", (err) =>
      reject(new Error(`harness: cannot run unshare (${err.message}); install util-linux, or set HEARTH_NO_NETNS=1 to run with the network`)),
    );
    child.once("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
}
