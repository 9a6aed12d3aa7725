import type { ImportStatement } from "../imports";
import { IDENTIFIER_STOPWORDS } from "../stopwords";
import { endOfLinesBelow, startOfLinesAbove } from "../text-lines";
import type { LineNumbers } from "../text-lines";

export interface WeightedName {
  name: string;
  weight: number;
}

const NEAR_LINES_BEFORE = 40;
const NEAR_LINES_AFTER = 10;
/** The lines near the cursor are read at most this far each way, however long they are. */
const NEAR_CHARS_BEFORE = 4000;
const NEAR_CHARS_AFTER = 1000;
const MAX_LOOKUP_NAMES = 48;
/** How far (characters each way) members used through an imported module still count. */
const WIDE_CHARS = 40_000;
/**
 * Uses of imported names are looked for this far each way from the cursor: files up to twice this size are read
 * whole, longer ones around the cursor (a use further away weighs almost nothing anyway).
 */
const USAGE_CHARS = 64_000;
/** File-wide identifier usage is recomputed at most this often while typing (offsets drift a little meanwhile). */
const USAGE_TTL_MS = 2000;
const WORD = /[\p{L}_$][\p{L}\p{N}_$]*/gu;

interface FileUsage {
  /** Offsets where each imported name is used (outside the import statements), ascending. */
  uses: Map<string, number[]>;
  /** Offsets of `module.member` for imported modules/namespaces, by member. */
  members: Map<string, number[]>;
  /** The stretch of text the offsets were looked for in, and whether it reached the end of the text. */
  from: number;
  to: number;
  toEnd: boolean;
}

/**
 * The names a completion looks up in the workspace index, weighted: identifiers near the cursor and the names the file
 * imports. Reads a bounded stretch of text around the cursor, whatever the file's size or the length of its lines.
 */
export class CursorNames {
  private last: { uri: string; text: string; offset: number; imports: readonly ImportStatement[]; names: WeightedName[] } | undefined;
  private readonly usageCache = new Map<string, { at: number; importsKey: string; usage: FileUsage; refreshing: boolean }>();
  private disposed = false;

  /** `currentText` gives the document's text now (the usage refresh runs after the request, on the latest text). */
  constructor(private readonly currentText: (uri: string) => string | null) {}

  /** prepare() and the assembly after the pause ask for the same position: its names are computed once. */
  namesFor(uri: string, text: string, offset: number, imports: readonly ImportStatement[], lines: LineNumbers): WeightedName[] {
    const last = this.last;
    if (last && last.uri === uri && last.offset === offset && last.imports === imports && last.text === text) return last.names;
    const names = this.namesNearCursor(uri, text, offset, imports, lines);
    this.last = { uri, text, offset, imports, names };
    return names;
  }

  forget(uri: string): void {
    this.usageCache.delete(uri);
    if (this.last?.uri === uri) this.last = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.usageCache.clear();
    this.last = undefined;
  }

  /**
   * Names worth looking up, weighted: identifiers near the cursor (closer is better, after the cursor a little less),
   * and names the file imports but does not use yet (about to be used, very likely).
   */
  private namesNearCursor(uri: string, text: string, offset: number, imports: readonly ImportStatement[], lines: LineNumbers): WeightedName[] {
    const weights = new Map<string, number>();
    const start = startOfLinesAbove(text, Math.max(0, offset - 1), NEAR_LINES_BEFORE, NEAR_CHARS_BEFORE);
    const end = endOfLinesBelow(text, offset, NEAR_LINES_AFTER, NEAR_CHARS_AFTER);
    const cursorLine = lines.lineOf(offset);
    const importRanges = imports.map((i) => [i.startIndex, i.endIndex] as const);
    const importedNames = new Set(imports.flatMap((i) => i.names));
    const window = text.slice(start, end);
    let line = lines.lineOf(start);
    // The next line break not yet counted: each is found once, so the walk is linear in the window.
    let newline = window.indexOf("\n");
    for (const m of window.matchAll(WORD)) {
      const at = m.index ?? 0;
      while (newline >= 0 && newline < at) {
        line++;
        newline = window.indexOf("\n", newline + 1);
      }
      const name = m[0];
      if (name.length < 2 || IDENTIFIER_STOPWORDS.has(name)) continue;
      if (importRanges.some(([s, e]) => start + at >= s && start + at < e)) continue;
      const distance = line - cursorLine;
      // `module.name` where the module is imported: very likely a definition in another file.
      const qualifier = at > 0 && window.charCodeAt(at - 1) === 46 ? /([\p{L}_$][\p{L}\p{N}_$]*)\.$/u.exec(window.slice(Math.max(0, at - 64), at))?.[1] : undefined;
      const qualified = qualifier !== undefined && importedNames.has(qualifier) ? 1.5 : 1;
      const w = (1 / (1 + Math.abs(distance) / 6)) * (distance > 0 ? 0.7 : 1) * (/^[A-Z]/.test(name) ? 1.2 : 1) * qualified;
      weights.set(name, Math.max(weights.get(name) ?? 0, w));
    }
    // Imported names: unused so far means about to be used; otherwise the closer the nearest use, the better. And
    // members used through an imported module (`events.get_running_loop()` a page above): the module's definitions
    // that this file actually uses.
    const usage = this.fileUsage(uri, text, offset, imports);
    for (const imp of imports) {
      for (const name of imp.names) {
        const nearest = nearestOffset(usage.uses.get(name), offset);
        const fromUse = nearest === null ? 0.9 : 0.35 + 0.4 / (1 + nearest / 2000);
        weights.set(name, Math.max(weights.get(name) ?? 0, fromUse) + (weights.has(name) ? 0.3 : 0));
      }
    }
    for (const [member, offsets] of usage.members) {
      const nearest = nearestOffset(offsets, offset);
      if (nearest === null || nearest > WIDE_CHARS) continue;
      weights.set(member, Math.max(weights.get(member) ?? 0, 0.6 / (1 + nearest / 3000)));
    }
    return [...weights.entries()]
      .map(([name, weight]) => ({ name, weight }))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, MAX_LOOKUP_NAMES);
  }

  /**
   * Where imported names and `module.member` uses occur around the cursor. One pass over up to 128 KB (a millisecond
   * or two), so it is cached, and once a while old it is served as it is and redone after the request, not in it:
   * offsets a few keystrokes old only weigh names a little differently. A cursor that moved far is scanned anew.
   */
  private fileUsage(uri: string, text: string, offset: number, imports: readonly ImportStatement[]): FileUsage {
    const importsKey = imports.map((i) => i.names.join(",")).join(";");
    const cached = this.usageCache.get(uri);
    const covers = (u: FileUsage): boolean => (u.from === 0 || offset - u.from >= USAGE_CHARS / 2) && (u.toEnd || u.to - offset >= USAGE_CHARS / 2);
    if (cached && cached.importsKey === importsKey && covers(cached.usage)) {
      if (performance.now() - cached.at >= USAGE_TTL_MS && !cached.refreshing) {
        cached.refreshing = true;
        setImmediate(() => {
          const current = this.currentText(uri);
          if (this.disposed || this.usageCache.get(uri) !== cached) return;
          if (current === null) this.usageCache.delete(uri);
          else this.scanUsage(uri, current, Math.min(offset, current.length), imports, importsKey);
        });
      }
      return cached.usage;
    }
    return this.scanUsage(uri, text, offset, imports, importsKey);
  }

  private scanUsage(uri: string, text: string, offset: number, imports: readonly ImportStatement[], importsKey: string): FileUsage {
    const imported = new Set(imports.flatMap((i) => i.names));
    const ranges = imports.map((i) => [i.startIndex, i.endIndex] as const);
    // A file up to twice the reach is read whole; a longer one around the cursor.
    const from = text.length <= 2 * USAGE_CHARS ? 0 : Math.max(0, Math.min(offset - USAGE_CHARS, text.length - 2 * USAGE_CHARS));
    const to = Math.min(text.length, from + 2 * USAGE_CHARS);
    const usage: FileUsage = { uses: new Map(), members: new Map(), from, to, toEnd: to === text.length };
    // Python's `import gyp.common` is used as `gyp.common.EnsureDirExists(…)`: the member is the third name.
    const dotted = new Set(imports.filter((i) => i.names.length === 1 && i.specifier.startsWith(`${i.names[0]}.`)).map((i) => i.specifier));
    if (imported.size) {
      const part = text.slice(from, to);
      for (const m of part.matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,2}/g)) {
        const at = from + (m.index ?? 0);
        const [head, member, subMember] = m[0].split(".");
        if (!imported.has(head) || (at > 0 && text.charCodeAt(at - 1) === 46)) continue;
        if (ranges.some(([s, e]) => at >= s && at < e)) continue;
        push(usage.uses, head, at);
        if (member) push(usage.members, member, at);
        if (subMember && dotted.has(`${head}.${member}`)) push(usage.members, subMember, at);
      }
    }
    this.usageCache.set(uri, { at: performance.now(), importsKey, usage, refreshing: false });
    return usage;
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Distance from `offset` to the nearest of ascending offsets; null for none. */
function nearestOffset(offsets: readonly number[] | undefined, offset: number): number | null {
  if (!offsets || offsets.length === 0) return null;
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [offsets[lo], offsets[lo - 1]].filter((x): x is number => x !== undefined);
  return Math.min(...candidates.map((x) => Math.abs(x - offset)));
}
