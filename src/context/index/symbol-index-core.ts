import { open, stat } from "node:fs/promises";
import { dirname, sep } from "node:path";
import type { Logger } from "../../common/logger";
import { extractDefinitions } from "../definition-extractor";
import { ImportResolver } from "./import-resolver";
import { outlineModule } from "../module-outline";
import { isIndexableLanguage, languageIdForPath } from "../languages";
import { SymbolStore } from "./symbol-store";
import { SyntaxRuntime } from "../syntax-runtime";
import { DEFAULT_INDEX_LIMITS } from "../symbol-types";
import type { DefinitionQuery, DefinitionQueryResult, DefinitionSource, FoundDefinition, IndexLimits, IndexStats, SymbolDefinition } from "../symbol-types";
import { resolvesWithin, walkSourceFiles } from "./workspace-files";
import { exportedObjectMembers, namespaceReexports, pythonStarImports, SPREAD } from "./exported-object";
import { classStatics } from "./class-statics";

export interface SymbolIndexCoreOptions {
  grammarsDir: string;
  logger: Logger;
  limits?: Partial<IndexLimits>;
}

/** A file's parse may take this long, in wall and in CPU time, before it is given up (a pathological file must not stall the index). */
const PARSE_TIMEOUT_MS = 1500;
const BINARY_SNIFF_BYTES = 8000;
/** Files read to follow a name through re-exports (barrels of barrels): cycles and huge barrels stay bounded. */
const MAX_REEXPORT_FILES = 8;
/** Submodules outlined through their package's name (`import gyp.common`, `import gyp.msvs_emulation`). */
const MAX_DOTTED_OUTLINES = 4;
/** Files an exported object's spreads are followed through. */
const MAX_SPREAD_FILES = 4;
/** Modules star-imported by a Python module that are outlined with it. */
const MAX_STAR_OUTLINES = 4;

/**
 * The workspace symbol index: parses files with the languages' definitions queries (grammars/<grammar>/definitions.scm)
 * and keeps their definitions in a bounded store. Runs inside the index worker (symbol-index-worker.ts); tests and
 * benches may also run it in-thread.
 */
export class SymbolIndexCore {
  private readonly runtime: SyntaxRuntime;
  private readonly store: SymbolStore;
  private readonly resolver: ImportResolver;
  private readonly limits: IndexLimits;
  private roots: string[] = [];
  private skipped = 0;

  constructor(private readonly opts: SymbolIndexCoreOptions) {
    this.limits = { ...DEFAULT_INDEX_LIMITS, ...opts.limits };
    this.runtime = new SyntaxRuntime(opts.grammarsDir, opts.logger);
    this.store = new SymbolStore(this.limits);
    this.resolver = new ImportResolver(() => this.roots);
  }

  /** Indexes the source files under the roots, one file per event-loop turn so that queries are answered meanwhile. */
  async indexFolders(roots: readonly string[], signal?: AbortSignal): Promise<IndexStats> {
    this.roots = [...new Set([...this.roots, ...roots])];
    this.resolver.invalidate();
    for await (const path of walkSourceFiles(roots, { maxFiles: this.limits.maxFiles, signal })) {
      if (signal?.aborted) break;
      await this.indexFile(path);
      await new Promise((r) => setImmediate(r));
    }
    return this.stats();
  }

  /** (Re)indexes one file, from `text` when given (an unsaved editor buffer) or from disk. False when skipped. */
  async indexFile(path: string, text?: string, languageIdHint?: string): Promise<boolean> {
    const languageId = languageIdHint ?? languageIdForPath(path);
    if (!languageId || !isIndexableLanguage(languageId)) return false;
    try {
      const source = text ?? (await this.readSource(path));
      if (source === null) {
        this.store.removeFile(path);
        this.skipped++;
        return false;
      }
      const grammar = await this.runtime.load(languageId);
      const query = grammar && this.runtime.getDefinitionQuery(grammar);
      if (!grammar || !query) return false;
      // Given up once both clocks have run out: the wall clock alone skips a sound file on a loaded machine (the parse
      // waits for a core), the process's CPU time alone counts the work of its other threads too.
      const deadline = performance.now() + PARSE_TIMEOUT_MS;
      const cpuAtStart = process.cpuUsage();
      const outOfTime = () => performance.now() > deadline && cpuMsSince(cpuAtStart) > PARSE_TIMEOUT_MS;
      const tree = grammar.parser.parse(source, null, { progressCallback: outOfTime });
      if (!tree) {
        grammar.parser.reset();
        this.skipped++;
        this.opts.logger.debug(`index: gave up parsing ${path} after ${PARSE_TIMEOUT_MS} ms`);
        return false;
      }
      try {
        const definitions = extractDefinitions(tree, query, grammar.spec, source, path, this.limits.maxSymbolsPerFile);
        const js = isJsLike(languageId);
        const object = js ? exportedObjectMembers(tree, source, path, definitions) : { members: [], spreads: [] };
        const reexports = js ? namespaceReexports(tree, source, object.spreads) : languageId === "python" ? pythonStarImports(tree, source) : [];
        this.store.setFile(path, definitions, object.members, reexports);
      } finally {
        tree.delete();
      }
      return true;
    } catch (e) {
      // A file deleted or changed while being indexed: it is simply not in the index.
      this.store.removeFile(path);
      this.opts.logger.debug(`index: skipped ${path}: ${(e as Error).message}`);
      return false;
    }
  }

  removeFile(path: string): void {
    this.store.removeFile(path);
    this.resolver.invalidate();
  }

  async query(q: DefinitionQuery): Promise<DefinitionQueryResult> {
    const resolvedImports: Record<string, string | null> = {};
    const importedPaths = new Set<string>();
    /** Local names that stand for a whole module (`from . import events`, `import * as errors from "./errors"`). */
    const modules = new Map<string, string>();
    /** Local names that stand for the object a module exports (`import helpers from "./helpers"`, `require()`). */
    const objects = new Map<string, string>();
    /** Python submodules imported by their dotted path (`import gyp.common`): reached through the head's name. */
    const dottedModules: { specifier: string; head: string; last: string; path: string }[] = [];
    if (q.fromPath) {
      for (const imp of q.imports) {
        // `from . import events` and `from . import tasks` share a specifier: each still brings its own module.
        const seen = imp.specifier in resolvedImports;
        if (seen && q.languageId !== "python") continue;
        const resolved = seen ? resolvedImports[imp.specifier] : this.resolver.resolve(q.fromPath, imp.specifier, q.languageId);
        resolvedImports[imp.specifier] = resolved;
        const targets = resolved && !seen ? [resolved] : [];
        if (imp.namespace && resolved) modules.set(imp.namespace, resolved);
        if (imp.defaultName && resolved) objects.set(imp.defaultName, resolved);
        // Python's `import pkg.common` binds `pkg`, and the code says `pkg.common.f()`: `common` stands for the submodule.
        const dotted = q.languageId === "python" && resolved && imp.names.length === 1 && imp.specifier.startsWith(`${imp.names[0]}.`);
        if (dotted) {
          const last = imp.specifier.slice(imp.specifier.lastIndexOf(".") + 1);
          if (last && !modules.has(last)) modules.set(last, resolved);
          if (dottedModules.length < MAX_DOTTED_OUTLINES) dottedModules.push({ specifier: imp.specifier, head: imp.names[0], last, path: resolved });
        }
        // Python's `from pkg import module`: the names may be modules of their own.
        if (q.languageId === "python" && !dotted) {
          for (const name of imp.names) {
            const sub = this.resolver.resolve(q.fromPath, imp.specifier.endsWith(".") ? imp.specifier + name : `${imp.specifier}.${name}`, q.languageId);
            if (sub) targets.push(sub);
            const module = sub ?? (resolved && name === imp.specifier ? resolved : null);
            if (module) modules.set(name, module);
          }
        }
        for (const target of targets) {
          importedPaths.add(target);
          if (!this.store.has(target)) await this.indexFile(target);
        }
        if (resolved && isJsLike(q.languageId)) {
          for (const name of imp.names) {
            const module = await this.reexportedNamespace(resolved, name, q.languageId);
            if (module && !modules.has(name)) {
              modules.set(name, module);
              importedPaths.add(module);
            }
          }
        }
      }
    }
    // `serialization.Encoding`, where serialization/__init__.py imports Encoding from a module of its own: that module's
    // definitions are what the package's name reaches.
    if (q.languageId === "python") {
      for (const module of new Set(modules.values())) {
        if (!/[\\/]__init__\.pyi?$/.test(module)) continue;
        for (const target of await this.packageSources(module, q.languageId)) importedPaths.add(target);
      }
    }
    /** Names the file imports itself: a class of that name found through `__init__.py` re-exports is still the one imported. */
    const importedNames = new Set(q.imports.flatMap((i) => i.names));
    const definitions: FoundDefinition[] = [];
    const fromDir = q.fromPath ? dirname(q.fromPath) : "";
    for (const name of q.names) {
      const module = modules.get(name);
      const object = objects.get(name);
      const outline = module
        ? outlineModule(name, module, this.store.getFile(module) ?? [], q.names)
        : object
          ? outlineModule(name, object, this.store.getExportedObject(object), q.names)
          : null;
      if (outline) definitions.push({ ...outline, source: "imported-file", candidates: 1 });
      if (object) for (const spread of await this.spreadOutlines(name, object, q)) definitions.push({ ...spread, source: "imported-file", candidates: 1 });
      if (module && q.languageId === "python") for (const star of await this.starOutlines(name, module, q)) definitions.push({ ...star, source: "imported-file", candidates: 1 });
      // A Python class attribute is reached through its class (`_Reasons.UNSUPPORTED_MAC`), in the class's outline below.
      const all = this.store.lookup(name).filter((def) => !isClassAttribute(def));
      if (all.length === 0) continue;
      const ranked = all
        .map((def) => {
          const source: DefinitionSource = def.path === q.fromPath ? "same-file" : importedPaths.has(def.path) ? "imported-file" : "workspace";
          const rank = source === "imported-file" ? 0 : source === "same-file" ? 1 : 2;
          return { def, source, rank, proximity: sharedPrefixLength(fromDir, def.path) };
        })
        // What an import or `module.name` reaches is a file's own member, not a class's method of the same name.
        .sort((a, b) => a.rank - b.rank || Number(a.def.member ?? false) - Number(b.def.member ?? false) || b.proximity - a.proximity || a.def.path.localeCompare(b.def.path) || a.def.startLine - b.def.startLine);
      for (const r of ranked.slice(0, q.maxPerName)) definitions.push({ ...r.def, source: r.source, candidates: all.length });
      // An imported class used as a namespace (`Status.fromCode(…)`): what its name can be followed by.
      const cls = ranked[0];
      if (!outline && cls.def.kind === "class" && (cls.source === "imported-file" || (q.languageId === "python" && importedNames.has(name)))) {
        const { statics, share } = classStatics(cls.def, this.store.getFile(cls.def.path) ?? []);
        const outlined = outlineModule(name, cls.def.path, statics, q.names);
        // Weighed by its share in Python, where any class has attributes; a static in JavaScript/TypeScript is the point.
        if (outlined) definitions.push({ ...outlined, source: "imported-file", candidates: 1, ...(q.languageId === "python" ? { weight: share } : {}) });
      }
    }
    // `gyp.common.f()` once the line is gone names only `gyp`: each submodule imported through it gets its outline
    // (under its dotted name; the name `common`, when looked up, got it above).
    const wanted = new Set(q.names);
    for (const d of dottedModules) {
      if (!wanted.has(d.head) || wanted.has(d.last)) continue;
      const outline = outlineModule(d.specifier, d.path, this.store.getFile(d.path) ?? [], q.names);
      if (outline) definitions.push({ ...outline, source: "imported-file", candidates: 1 });
    }
    return { definitions, resolvedImports };
  }

  /**
   * The module that `name`, imported from `path`, stands for when `path` re-exports a namespace under it; followed
   * through further re-exports of the same kind, a few hops at most and never twice through a file.
   */
  private async reexportedNamespace(path: string, name: string, languageId: string): Promise<string | null> {
    // Breadth-first through `export { name } from` and `export * from`, until a file re-exports a module as `name`.
    const queue = [path];
    const seen = new Set<string>();
    while (queue.length && seen.size < MAX_REEXPORT_FILES) {
      const from = queue.shift()!;
      if (seen.has(from)) continue;
      seen.add(from);
      if (!this.store.has(from)) await this.indexFile(from);
      for (const r of this.store.getReexports(from)) {
        if (r.name !== name && r.name !== "*") continue;
        const target = this.resolver.resolve(from, r.specifier, languageId);
        if (!target) continue;
        if (r.namespace) {
          if (!this.store.has(target)) await this.indexFile(target);
          return target;
        }
        queue.push(target);
      }
    }
    return null;
  }

  /**
   * Outlines of what an exported object spreads (`export default { ...utils, ...platform }`): an imported namespace's
   * members, another module's exported object (and what that spreads). A few files at most, each once.
   */
  private async spreadOutlines(localName: string, path: string, q: DefinitionQuery): Promise<SymbolDefinition[]> {
    const out: SymbolDefinition[] = [];
    const queue = [path];
    const seen = new Set<string>();
    while (queue.length && seen.size < MAX_SPREAD_FILES) {
      const from = queue.shift()!;
      if (seen.has(from)) continue;
      seen.add(from);
      for (const r of this.store.getReexports(from)) {
        if (r.name !== SPREAD) continue;
        const target = this.resolver.resolve(from, r.specifier, q.languageId);
        if (!target || seen.has(target)) continue;
        if (!this.store.has(target)) await this.indexFile(target);
        const outline = r.namespace ? outlineModule(localName, target, this.store.getFile(target) ?? [], q.names) : outlineModule(localName, target, this.store.getExportedObject(target), q.names);
        if (outline) out.push(outline);
        if (!r.namespace) queue.push(target);
      }
    }
    return out;
  }

  /** The modules a Python package's `__init__.py` imports names from (`from .base import Certificate`), indexed. */
  private async packageSources(path: string, languageId: string): Promise<string[]> {
    if (!this.store.has(path)) await this.indexFile(path);
    const out: string[] = [];
    for (const r of this.store.getReexports(path)) {
      if (r.name !== "") continue;
      const target = this.resolver.resolve(path, r.specifier, languageId);
      if (!target || target === path) continue;
      if (!this.store.has(target)) await this.indexFile(target);
      out.push(target);
    }
    return out;
  }

  /** Outlines of the modules a Python module star-imports (`from .events import *` in a package's `__init__.py`). */
  private async starOutlines(localName: string, path: string, q: DefinitionQuery): Promise<SymbolDefinition[]> {
    const out: SymbolDefinition[] = [];
    for (const r of this.store.getReexports(path).filter((x) => x.name === "*").slice(0, MAX_STAR_OUTLINES)) {
      const target = this.resolver.resolve(path, r.specifier, q.languageId);
      if (!target || target === path) continue;
      if (!this.store.has(target)) await this.indexFile(target);
      const outline = outlineModule(localName, target, this.store.getFile(target) ?? [], q.names);
      if (outline) out.push(outline);
    }
    return out;
  }

  stats(): IndexStats {
    const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
    return { ...this.store.stats(this.skipped), memory: { heapUsed, external, arrayBuffers, rss } };
  }

  /** Every definition of a name (benches pick their samples with it). */
  lookupName(name: string): readonly SymbolDefinition[] {
    return this.store.lookup(name);
  }

  definitionsIn(path: string): readonly SymbolDefinition[] {
    return this.store.getFile(path) ?? [];
  }

  dispose(): void {
    this.runtime.dispose();
  }

  /** Null for a file that is missing, too big or binary. Invalid UTF-8 decodes with replacement characters. */
  private async readSource(path: string): Promise<string | null> {
    // An import (`../../../home/me/keys`) or a saved symlink may name a file outside the workspace: not read.
    if (this.roots.length > 0 && !(await resolvesWithin(path, this.roots))) return null;
    const info = await stat(path);
    if (!info.isFile() || info.size > this.limits.maxFileBytes) return null;
    const handle = await open(path, "r");
    try {
      const buffer = await handle.readFile();
      const sniff = buffer.subarray(0, BINARY_SNIFF_BYTES);
      if (sniff.includes(0)) return null;
      return new TextDecoder("utf-8", { fatal: false }).decode(buffer);
    } finally {
      await handle.close();
    }
  }
}

function isClassAttribute(def: SymbolDefinition): boolean {
  return !!def.member && def.kind === "constant" && /\.pyi?$/.test(def.path);
}

function isJsLike(languageId: string): boolean {
  return /^(typescript|javascript)(react)?$/.test(languageId);
}

function sharedPrefixLength(dir: string, path: string): number {
  const a = dir.split(sep);
  const b = dirname(path).split(sep);
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
