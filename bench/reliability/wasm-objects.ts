// Counts the live tree-sitter objects of this thread (WASM memory, never garbage-collected: each must be deleted).
// Bench instrumentation: it wraps web-tree-sitter's own methods (Parser.initialize, Parser.parse, Tree.copy,
// Node.walk, TreeCursor.copy and each class's delete), so every object counts wherever in Hearth it is made.
// The symbol index worker's objects live in its own thread and are not counted here.
import { createRequire } from "node:module";

export interface WasmCounts {
  parsers: number;
  trees: number;
  cursors: number;
}

interface Counter {
  created: WasmCounts;
  deleted: WasmCounts;
}

const KEY = Symbol.for("hearth.bench.wasmCounter");

type Proto = Record<string, (...args: unknown[]) => unknown>;

/**
 * Installs the counter once per thread, on both builds of web-tree-sitter: Hearth's transpiled code (out/) imports the
 * ES module, its bundle (dist/) the CommonJS one, and each is a module instance of its own.
 */
export async function wasmObjectCounter(): Promise<{ live(): WasmCounts; created(): WasmCounts }> {
  const global = globalThis as unknown as Record<symbol, Counter | undefined>;
  let counter = global[KEY];
  if (!counter) {
    const c: Counter = { created: { parsers: 0, trees: 0, cursors: 0 }, deleted: { parsers: 0, trees: 0, cursors: 0 } };
    counter = c;
    global[KEY] = c;
    const builds = [createRequire(__filename)("web-tree-sitter") as TreeSitterClasses, (await import("web-tree-sitter")) as unknown as TreeSitterClasses];
    for (const ts of new Set(builds.map((b) => b.Parser)).size === 1 ? builds.slice(0, 1) : builds) instrument(ts, c);
  }
  const state = counter;
  return {
    created: () => ({ ...state.created }),
    live: () => ({
      parsers: state.created.parsers - state.deleted.parsers,
      trees: state.created.trees - state.deleted.trees,
      cursors: state.created.cursors - state.deleted.cursors,
    }),
  };
}

type TreeSitterClasses = Record<"Parser" | "Tree" | "Node" | "TreeCursor", { prototype: Proto }>;

function instrument(ts: TreeSitterClasses, c: Counter): void {
  const wrap = (proto: Proto, method: string, after: (result: unknown) => void) => {
    const original = proto[method]!;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      after(result);
      return result;
    };
  };
  const once = new WeakSet<object>();
  const deleting = (kind: keyof WasmCounts) =>
    function (this: object) {
      if (!once.has(this)) {
        once.add(this);
        c.deleted[kind]++;
      }
    };
  const onDelete = (proto: Proto, kind: keyof WasmCounts) => {
    const original = proto.delete!;
    const count = deleting(kind);
    proto.delete = function (this: object, ...args: unknown[]) {
      count.call(this);
      return original.apply(this, args);
    };
  };
  wrap(ts.Parser.prototype, "initialize", () => c.created.parsers++);
  wrap(ts.Parser.prototype, "parse", (tree) => {
    if (tree) c.created.trees++;
  });
  wrap(ts.Tree.prototype, "copy", () => c.created.trees++);
  // Tree.walk() is rootNode.walk(): counted there.
  wrap(ts.Node.prototype, "walk", () => c.created.cursors++);
  wrap(ts.TreeCursor.prototype, "copy", () => c.created.cursors++);
  onDelete(ts.Parser.prototype, "parsers");
  onDelete(ts.Tree.prototype, "trees");
  onDelete(ts.TreeCursor.prototype, "cursors");
}
