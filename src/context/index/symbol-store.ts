import type { Reexport } from "./exported-object";
import type { IndexLimits, IndexStats, SymbolDefinition } from "../symbol-types";

interface FileEntry {
  definitions: SymbolDefinition[];
  /** The members of the object the module exports as a whole (JavaScript/TypeScript), if any. */
  exportedObject: SymbolDefinition[];
  /** What the file re-exports (JavaScript/TypeScript): modules under a name, other files' names. */
  reexports: readonly Reexport[];
  bytes: number;
}

/** Bytes a definition costs in memory, roughly: two bytes per UTF-16 unit plus object overhead. */
function sizeOf(def: SymbolDefinition): number {
  return 2 * (def.text.length + def.header.length + def.name.length + def.kind.length) + 120;
}

/**
 * The workspace symbol table, bounded: past any limit (files, symbols, bytes) the least recently used files are
 * evicted, so a 50,000-file workspace costs no more than the limits allow. A lookup or an update marks a file used.
 */
export class SymbolStore {
  /** Insertion order is recency order: the first key is the least recently used file. */
  private readonly files = new Map<string, FileEntry>();
  private readonly byName = new Map<string, SymbolDefinition[]>();
  private symbols = 0;
  private bytes = 0;
  private evicted = 0;

  constructor(private readonly limits: IndexLimits) {}

  setFile(path: string, definitions: readonly SymbolDefinition[], exportedObject: readonly SymbolDefinition[] = [], reexports: readonly Reexport[] = []): void {
    this.removeFile(path);
    const kept = definitions.slice(0, this.limits.maxSymbolsPerFile);
    const members = exportedObject.slice(0, this.limits.maxSymbolsPerFile);
    const bytes = [...kept, ...members].reduce((n, d) => n + sizeOf(d), 200 + path.length * 2 + reexports.reduce((n, r) => n + 2 * (r.name.length + r.specifier.length) + 60, 0));
    const entry: FileEntry = { definitions: kept, exportedObject: members, reexports, bytes };
    this.files.set(path, entry);
    for (const def of kept) {
      const list = this.byName.get(def.name);
      if (list) list.push(def);
      else this.byName.set(def.name, [def]);
    }
    this.symbols += kept.length;
    this.bytes += entry.bytes;
    this.evictBeyondLimits(path);
  }

  removeFile(path: string): boolean {
    const entry = this.files.get(path);
    if (!entry) return false;
    this.files.delete(path);
    for (const def of entry.definitions) {
      const list = this.byName.get(def.name);
      if (!list) continue;
      const rest = list.filter((d) => d.path !== path);
      if (rest.length) this.byName.set(def.name, rest);
      else this.byName.delete(def.name);
    }
    this.symbols -= entry.definitions.length;
    this.bytes -= entry.bytes;
    return true;
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** Every definition of a name; the files they are in become recently used. */
  lookup(name: string): readonly SymbolDefinition[] {
    const list = this.byName.get(name);
    if (!list) return [];
    for (const def of list) this.touch(def.path);
    return list;
  }

  getFile(path: string): readonly SymbolDefinition[] | null {
    const entry = this.files.get(path);
    if (!entry) return null;
    this.touch(path);
    return entry.definitions;
  }

  /** The members of the object the file exports as a whole (empty when none, or when the file is not indexed). */
  getExportedObject(path: string): readonly SymbolDefinition[] {
    const entry = this.files.get(path);
    if (!entry) return [];
    this.touch(path);
    return entry.exportedObject;
  }

  /** What the file re-exports (empty when it is not indexed). */
  getReexports(path: string): readonly Reexport[] {
    return this.files.get(path)?.reexports ?? [];
  }

  stats(skippedFiles = 0): IndexStats {
    return { files: this.files.size, symbols: this.symbols, bytes: this.bytes, evictedFiles: this.evicted, skippedFiles };
  }

  private touch(path: string): void {
    const entry = this.files.get(path);
    if (!entry) return;
    this.files.delete(path);
    this.files.set(path, entry);
  }

  private evictBeyondLimits(keep: string): void {
    const { maxFiles, maxSymbols, maxBytes } = this.limits;
    while (this.files.size > maxFiles || this.symbols > maxSymbols || this.bytes > maxBytes) {
      const oldest = this.files.keys().next().value;
      if (oldest === undefined || (oldest === keep && this.files.size === 1)) return;
      if (oldest === keep) {
        this.touch(keep);
        continue;
      }
      this.removeFile(oldest);
      this.evicted++;
    }
  }
}
