import type { SymbolDefinition } from "./symbol-types";

/** Characters of members an outline holds when it has room, and when the budget is tight. */
const FULL_CHARS = 800;
const SHORT_CHARS = 280;
const LINE_CHARS = 110;
/** Names near the cursor that steer which members an outline keeps (most wanted first). */
const STEERING_NAMES = 24;

/**
 * An imported module as its top-level members, one line each (`def get_running_loop():`, `DEBUG_STACK_DEPTH = 10`):
 * what `events.` can be followed by. Long modules keep the members whose names share words with the code near the
 * cursor (`self._conn_lost` → `LOG_THRESHOLD_FOR_CONNLOST_WRITES`), listed in the module's own order. `header` is the
 * short form for a tight budget. Null for a module with no top-level definitions.
 */
export function outlineModule(localName: string, path: string, definitions: readonly SymbolDefinition[], nearNames: readonly string[]): SymbolDefinition | null {
  const members = definitions.filter((d) => !d.member && !/^__\w+__$/.test(d.name) && d.path === path);
  if (members.length === 0) return null;
  const words = steeringWords(nearNames);
  const ranked = members
    .map((def, order) => ({ def, order, line: memberLine(def), relevance: relevance(def.name, words) }))
    .sort((a, b) => b.relevance - a.relevance || a.order - b.order);
  const full = pick(ranked, FULL_CHARS);
  const short = pick(ranked, SHORT_CHARS);
  const text = render(full, members.length);
  return {
    name: localName,
    kind: "outline",
    path,
    startLine: Math.min(...full.map((m) => m.def.startLine)),
    endLine: Math.max(...full.map((m) => m.def.endLine)),
    text,
    header: short.length < full.length ? render(short, members.length) : text,
  };
}

interface RankedMember {
  def: SymbolDefinition;
  order: number;
  line: string;
  relevance: number;
}

/** The best-ranked members that fit in `chars` (at least one), back in the module's order. */
function pick(ranked: readonly RankedMember[], chars: number): RankedMember[] {
  const out: RankedMember[] = [];
  let used = 0;
  for (const m of ranked) {
    if (out.length > 0 && used + m.line.length + 1 > chars) continue;
    out.push(m);
    used += m.line.length + 1;
  }
  return out.sort((a, b) => a.order - b.order);
}

function render(members: readonly RankedMember[], total: number): string {
  const lines = members.map((m) => m.line);
  if (members.length < total) lines.push("…");
  return lines.join("\n");
}

/** A member's header on one line: decorators dropped, whitespace collapsed, long parameter lists cut. */
function memberLine(def: SymbolDefinition): string {
  const lines = def.header.split("\n");
  const from = lines.findIndex((l) => !l.trimStart().startsWith("@"));
  const line = lines
    .slice(Math.max(0, from))
    .join(" ")
    .replace(/\s+/g, " ")
    .replace(/\(\s+/g, "(")
    .replace(/\s+\)/g, ")")
    .trim();
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)} …` : line;
}

/** Lower-case words (3+ letters) of the names near the cursor, each with the weight of its best name. */
function steeringWords(nearNames: readonly string[]): Map<string, number> {
  const words = new Map<string, number>();
  nearNames.slice(0, STEERING_NAMES).forEach((name, rank) => {
    const weight = 1 / (1 + rank / 8);
    for (const word of splitWords(name)) if (word.length >= 3) words.set(word, Math.max(words.get(word) ?? 0, weight));
  });
  return words;
}

/** How much a member's name shares with the code near the cursor; public names first among equals. */
function relevance(name: string, words: ReadonlyMap<string, number>): number {
  const lower = name.toLowerCase();
  let score = name.startsWith("_") ? 0 : 0.05;
  // Substrings, not whole words: `conn` and `lost` of `_conn_lost` are both in `CONNLOST`.
  for (const [word, weight] of words) if (lower.includes(word)) score += weight;
  return score;
}

/** `_conn_lost` → conn, lost; `getRunningLoop` → get, running, loop. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
