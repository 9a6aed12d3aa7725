// Canaries that say a hostile input ran code: a key that appeared on a built-in prototype (prototype pollution), a
// marker file a payload writes, a trap function a payload calls.
import { existsSync, readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";

const PROTOTYPES: [string, object][] = [
  ["Object", Object.prototype],
  ["Array", Array.prototype],
  ["Function", Function.prototype],
  ["String", String.prototype],
  ["Number", Number.prototype],
  ["Boolean", Boolean.prototype],
  ["Promise", Promise.prototype],
];

export type PrototypeSnapshot = Map<string, Set<string | symbol>>;

export function snapshotPrototypes(prototypes: [string, object][] = PROTOTYPES): PrototypeSnapshot {
  return new Map(prototypes.map(([name, proto]) => [name, new Set(Reflect.ownKeys(proto))]));
}

/** Keys added to a built-in prototype since the snapshot ("Object.NODE_OPTIONS"); removes them so the next case starts clean. */
export function pollutionSince(snapshot: PrototypeSnapshot, prototypes: [string, object][] = PROTOTYPES): string[] {
  const found: string[] = [];
  for (const [name, proto] of prototypes) {
    const before = snapshot.get(name);
    if (!before) continue;
    for (const key of Reflect.ownKeys(proto)) {
      if (before.has(key)) continue;
      found.push(`${name}.prototype.${String(key)}`);
      delete (proto as Record<string | symbol, unknown>)[key];
    }
  }
  return found;
}

/** What a marker file a payload would write says, or null when there is none. */
export function markerContent(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** Tells the case pool about a process a case started, so that a hung case's processes die with its thread. */
export function reportChildProcess(pid: number | undefined, alive = true): void {
  if (pid !== undefined) parentPort?.postMessage({ type: "child", pid, alive });
}
