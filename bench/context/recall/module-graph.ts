// Follows names across the modules of one corpus: an import to the export it names, through any number of re-exports
// (`export { x } from`, `export *`, `module.exports = require(…)`, `from .m import x` in `__init__.py`), and a member
// access to the member's definition (a namespace's export, an object's property, a class's static member).
import { dirname, sep } from "node:path";
import type { Decl, ModuleFacts, ValueRef } from "./module-facts";

/** Where a chain of names ends up. `edges` counts the imports and re-exports followed to get there. */
export type Resolved =
  | { kind: "decl"; path: string; decl: Decl; edges: number }
  | { kind: "module"; path: string; edges: number }
  | { kind: "object"; path: string; members: Map<string, ValueRef>; spreads: ValueRef[]; edges: number };

/** How the used symbol was reached from the line's first name. */
export type UseKind = "direct" | "module-member" | "object-member" | "class-static";

export interface ResolvedUse {
  decl: Decl;
  path: string;
  /** The name as the definition spells it. */
  symbol: string;
  kind: UseKind;
  /** Re-exports between the file's import and the definition (0: the import names the defining module). */
  reexports: number;
  /** The first name was imported under `if TYPE_CHECKING:`. */
  typeChecking: boolean;
  /** The class whose member this is (class-static uses). */
  owner?: Decl;
}

const MAX_DEPTH = 40;
/** Steps one resolution may take: a variable that refers to itself (`const a = a.b`) must end. */
const MAX_STEPS = 2000;

export class ModuleGraph {
  private readonly facts = new Map<string, ModuleFacts | null>();
  private steps = 0;

  /**
   * @param read the facts of a file (parsed once, then kept)
   * @param resolve a specifier to a file, null when it is not a file of the corpus
   */
  constructor(
    private readonly root: string,
    private readonly read: (path: string) => ModuleFacts | null,
    private readonly resolveSpecifier: (fromPath: string, specifier: string, python: boolean) => string | null,
  ) {}

  factsOf(path: string): ModuleFacts | null {
    if (!this.facts.has(path)) this.facts.set(path, this.inCorpus(path) ? this.read(path) : null);
    return this.facts.get(path) ?? null;
  }

  private inCorpus(path: string): boolean {
    return path === this.root || path.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  private resolveIn(fromPath: string, specifier: string): string | null {
    const python = this.factsOf(fromPath)?.language === "python";
    const target = this.resolveSpecifier(fromPath, specifier, python);
    return target && this.inCorpus(target) ? target : null;
  }

  /**
   * The definition a use in `path` reaches: `chain[0]` must be imported by the file; each further name is a member
   * of what the previous one is. The deepest definition whose name `accept`s wins (`Status.fromCode` is fromCode's
   * definition; `Status.of`, when `of` is not accepted, is Status's).
   */
  resolveUse(path: string, chain: readonly string[], accept: (name: string) => boolean): ResolvedUse | null {
    const facts = this.factsOf(path);
    const binding = facts?.imports.get(chain[0]);
    if (!facts || !binding || facts.scope.has(chain[0])) return null;
    this.steps = 0;
    let current: Resolved | null = this.valueOf(binding.ref, path, 0, new Set());
    let best: ResolvedUse | null = null;
    let previous: Resolved | null = null;
    for (let i = 0; current; i++) {
      if (current.kind === "decl" && current.decl.name && accept(current.decl.name) && current.path !== path) {
        best = {
          decl: current.decl,
          path: current.path,
          symbol: current.decl.name,
          kind: useKind(previous),
          reexports: Math.max(0, current.edges - 1),
          typeChecking: binding.typeChecking,
          ...(previous?.kind === "decl" ? { owner: previous.decl } : {}),
        };
      }
      if (i + 1 >= chain.length) break;
      previous = current;
      current = this.member(current, chain[i + 1], new Set());
    }
    return best;
  }

  /** What a reference made in `path` stands for. */
  valueOf(ref: ValueRef, path: string, edges: number, seen: Set<string>): Resolved | null {
    if (seen.size > MAX_DEPTH || ++this.steps > MAX_STEPS) return null;
    switch (ref.kind) {
      case "decl":
        return { kind: "decl", path, decl: ref.decl, edges };
      case "object":
        return { kind: "object", path, members: ref.members, spreads: ref.spreads, edges };
      case "member": {
        const base = this.valueOf(ref.base, path, edges, seen);
        return base ? this.member(base, ref.name, seen) : null;
      }
      case "local": {
        const facts = this.factsOf(path);
        const decl = facts?.scope.get(ref.name);
        if (decl) return { kind: "decl", path, decl, edges };
        const binding = facts?.imports.get(ref.name);
        return binding ? this.valueOf(binding.ref, path, edges, seen) : null;
      }
      case "import": {
        const python = this.factsOf(path)?.language === "python";
        if (python) return this.pythonImport(path, ref.specifier, ref.name, edges + 1, seen);
        const target = this.resolveIn(path, ref.specifier);
        if (!target) return null;
        if (ref.name === "*") return { kind: "module", path: target, edges: edges + 1 };
        return this.exportOf(target, ref.name, edges + 1, seen);
      }
    }
  }

  /** `from <specifier> import <name>` (or `import <specifier>` when name is `*`) made in `path`. */
  private pythonImport(path: string, specifier: string, name: string, edges: number, seen: Set<string>): Resolved | null {
    const module = this.resolveIn(path, specifier);
    if (name === "*") return module ? { kind: "module", path: module, edges } : null;
    const attribute = module ? this.exportOf(module, name, edges, seen) : null;
    if (attribute) return attribute;
    const submodule = this.resolveIn(path, specifier.endsWith(".") ? specifier + name : `${specifier}.${name}`);
    return submodule ? { kind: "module", path: submodule, edges } : null;
  }

  /** The export `name` of a module (`default`, `=` for what `require` returns, `*` for the namespace). */
  exportOf(path: string, name: string, edges: number, seen: Set<string>): Resolved | null {
    const key = `${path}\0${name}`;
    if (seen.has(key) || seen.size > MAX_DEPTH || ++this.steps > MAX_STEPS) return null;
    const facts = this.factsOf(path);
    if (!facts) return null;
    const inner = new Set(seen).add(key);
    if (name === "*") return { kind: "module", path, edges };
    if (facts.language === "python") return this.pythonAttribute(facts, name, edges, inner);
    const own = facts.exports.get(name);
    if (own) return this.valueOf(own, path, edges, inner);
    const commonJs = facts.exports.get("=");
    if (name === "=" || (name === "default" && !commonJs)) {
      // `require()` of a module that never set module.exports: its `exports.x` and ES exports; no default: nothing.
      return name === "=" ? { kind: "module", path, edges } : null;
    }
    if (commonJs) {
      const value = this.valueOf(commonJs, path, edges, inner);
      if (name === "default") return value;
      const viaValue = value ? this.member(value, name, inner) : null;
      if (viaValue) return viaValue;
    }
    for (const specifier of facts.starExports) {
      if (name === "default") break;
      const target = this.resolveIn(path, specifier);
      const found = target ? this.exportOf(target, name, edges + 1, inner) : null;
      if (found) return found;
    }
    return null;
  }

  /** An attribute of a Python module: its definition, a name it imports, a star import's, or a submodule. */
  private pythonAttribute(facts: ModuleFacts, name: string, edges: number, seen: Set<string>): Resolved | null {
    const decl = facts.scope.get(name);
    if (decl) return { kind: "decl", path: facts.path, decl, edges };
    const binding = facts.imports.get(name);
    if (binding) return this.valueOf(binding.ref, facts.path, edges, seen);
    for (const specifier of facts.starExports) {
      const target = this.resolveIn(facts.path, specifier);
      const starred = target ? this.factsOf(target) : null;
      // `from m import *` takes what m's `__all__` lists, else its names without a leading underscore.
      if (!starred || !(starred.all ? starred.all.has(name) : !name.startsWith("_"))) continue;
      const found = this.exportOf(starred.path, name, edges + 1, seen);
      if (found) return found;
    }
    if (/__init__\.pyi?$/.test(facts.path)) {
      const submodule = this.resolveIn(facts.path, `.${name}`);
      if (submodule && dirname(submodule) !== facts.path) return { kind: "module", path: submodule, edges };
    }
    return null;
  }

  /** `value.name`: a module's export, an object's property, a class's static member, through a variable's value. */
  member(value: Resolved, name: string, seen: Set<string>): Resolved | null {
    if (++this.steps > MAX_STEPS) return null;
    switch (value.kind) {
      case "module":
        return this.exportOf(value.path, name, value.edges, seen);
      case "object": {
        const ref = value.members.get(name);
        if (ref) return this.valueOf(ref, value.path, value.edges, seen);
        for (const spread of value.spreads) {
          const base = this.valueOf(spread, value.path, value.edges, seen);
          const found = base ? this.member(base, name, seen) : null;
          if (found) return found;
        }
        return null;
      }
      case "decl": {
        const member = value.decl.members?.get(name);
        if (member) return { kind: "decl", path: value.path, decl: member, edges: value.edges };
        if (!value.decl.value) return null;
        const base = this.valueOf(value.decl.value, value.path, value.edges, seen);
        return base ? this.member(base, name, seen) : null;
      }
    }
  }
}

function useKind(previous: Resolved | null): UseKind {
  if (!previous) return "direct";
  if (previous.kind === "module") return "module-member";
  if (previous.kind === "object") return "object-member";
  const decl = previous.decl;
  // A function with properties (`axios.create`) is a namespace as a class is.
  if (decl.kind === "class" || decl.kind === "enum" || decl.kind === "namespace" || decl.kind === "function") return "class-static";
  return "object-member";
}
