// Who keeps the big strings alive: a heap snapshot of this thread, every string of at least `minChars` (that begins
// with a given text), and for each
// the nearest object of a named class that retains it (a Map's owner, not the Map). A document kept once per edit (a
// cache keyed by slices of it: V8 keeps a slice's whole parent) shows up as one owner holding many of them.
import { readFileSync, rmSync } from "node:fs";
import { writeHeapSnapshot } from "node:v8";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Plain containers, looked through to find the class that owns them. */
const CONTAINERS = new Set(["Object", "Map", "Array", "Set", "Generator", "Promise", "LruCache", "WeakMap"]);

/** `prefix`: count only the strings that begin with it (a snapshot keeps each string's text, at least its start). */
export function bigStringOwners(path: string, minChars: number, prefix = ""): { strings: number; byOwner: Record<string, number> } {
  writeHeapSnapshot(path);
  let s: Snapshot;
  try {
    s = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  } finally {
    rmSync(path, { force: true });
  }
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const types = s.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt, edgesAt] = ["type", "name", "self_size", "edge_count"].map((f) => fields.indexOf(f)) as [number, number, number, number];
  const edgeWidth = s.snapshot.meta.edge_fields.length;
  const edgeTypeAt = s.snapshot.meta.edge_fields.indexOf("type");
  const edgeToAt = s.snapshot.meta.edge_fields.indexOf("to_node");
  const weak = s.snapshot.meta.edge_types[0].indexOf("weak");
  const count = s.nodes.length / width;
  const retainers: number[][] = Array.from({ length: count }, () => []);
  for (let node = 0, edge = 0; node < count; node++) {
    const end = edge + s.nodes[node * width + edgesAt]! * edgeWidth;
    for (; edge < end; edge += edgeWidth) if (s.edges[edge + edgeTypeAt] !== weak) retainers[s.edges[edge + edgeToAt]! / width]!.push(node);
  }
  const type = (node: number) => types[s.nodes[node * width + typeAt]!];
  const name = (node: number) => s.strings[s.nodes[node * width + nameAt]!] ?? "";
  const byOwner: Record<string, number> = {};
  let strings = 0;
  for (let node = 0; node < count; node++) {
    // A sequential string's self size is its characters (1 or 2 bytes each) plus a small header.
    if (type(node) !== "string" || s.nodes[node * width + sizeAt]! < minChars || !name(node).startsWith(prefix)) continue;
    strings++;
    const owner = ownerOf(node, retainers, (n) => type(n) === "object" && /^[A-Z]/.test(name(n)) && !CONTAINERS.has(name(n)) && !name(n).startsWith("system"), name);
    byOwner[owner] = (byOwner[owner] ?? 0) + 1;
  }
  return { strings, byOwner };
}

/** Breadth-first up the retainers to the nearest node that `isOwner` accepts. */
function ownerOf(start: number, retainers: number[][], isOwner: (node: number) => boolean, name: (node: number) => string): string {
  const seen = new Set([start]);
  let frontier = [start];
  for (let depth = 0; depth < 12 && frontier.length; depth++) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const r of retainers[node]!) {
        if (seen.has(r)) continue;
        seen.add(r);
        if (isOwner(r)) return name(r);
        next.push(r);
      }
    }
    frontier = next;
  }
  return "(no named owner)";
}
