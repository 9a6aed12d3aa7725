import type { SymbolDefinition } from "./symbol-types";

/** Characters of members an outline holds when it has room, and when the budget is tight. */
const FULL_CHARS = 800;
const SHORT_CHARS = 280;
const LINE_CHARS = 110;
/** In a module with more members than fit: characters of signatures, then of other members' names. */
const SIGNATURE_CHARS = 400;
const NAMES_CHARS = 700;
/**
 * The short form holds the likeliest member's signature alone and then names: once the line is gone, the member it
 * used is rarely named near the cursor, and what can follow `utils.` is worth more to it than how one member is called.
 */
const SHORT_SIGNATURE_CHARS = 0;
const SHORT_NAMES_CHARS = 400;
/**
 * A Python file imports whole modules (`import events, exceptions, tasks`) and uses each through its name, so several
 * outlines compete for a tight budget; JavaScript and TypeScript import names, and an outline (of an object such as
 * `utils`) rarely has rivals. About 50 tokens: at 512 tokens Python's short forms of 100 left room for two modules,
 * and the one the line used lost out to modules named closer to the cursor (recall at 512: 78.6% → 82.8%).
 */
const SHORT_NAMES_CHARS_PYTHON = 200;
/**
 * Python's short form is names alone: a signature line costs as many tokens as a dozen names, and a Python module's
 * first member is often a long class line (recall at 512 tokens: 83.4% → 84.4%).
 */
const NO_SIGNATURES = -1;
const NAMES_PREFIX = "also: ";
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
  // A member the file names itself (`utils.forEach` a page above) is the likeliest to be used again.
  const nearSet = new Set(nearNames);
  const ranked = members
    .map((def, order) => ({ def, order, line: memberLine(def), relevance: relevance(def.name, words) + (nearSet.has(def.name) ? 2 : 0) }))
    .sort((a, b) => b.relevance - a.relevance || a.order - b.order);
  const full = form(ranked, FULL_CHARS, SIGNATURE_CHARS, NAMES_CHARS);
  const python = /\.pyi?$/.test(path);
  const short = form(ranked, SHORT_CHARS, python ? NO_SIGNATURES : SHORT_SIGNATURE_CHARS, python ? SHORT_NAMES_CHARS_PYTHON : SHORT_NAMES_CHARS);
  const text = render(full, members.length);
  const spanned = [...full.signatures, ...full.named];
  return {
    name: localName,
    kind: "outline",
    path,
    startLine: Math.min(...spanned.map((m) => m.def.startLine)),
    endLine: Math.max(...spanned.map((m) => m.def.endLine)),
    text,
    header: short.signatures.length + short.named.length < spanned.length ? render(short, members.length) : text,
  };
}

interface OutlineForm {
  signatures: RankedMember[];
  named: RankedMember[];
}

/**
 * Each member's signature when they all fit in `chars`; else the likeliest members' signatures and the next ones'
 * names only (what can follow `utils.` matters more than how each is called); no signature at all for a negative
 * `signatureChars`.
 */
function form(ranked: readonly RankedMember[], chars: number, signatureChars: number, namesChars: number): OutlineForm {
  const all = pick(ranked, chars);
  if (all.length === ranked.length) return { signatures: all, named: [] };
  const signatures = signatureChars < 0 ? [] : pick(ranked, signatureChars);
  const shown = new Set(signatures);
  return { signatures, named: pickNames(ranked.filter((m) => !shown.has(m)), namesChars) };
}

/** The best-ranked members whose names fit in `chars`, back in the module's order. */
function pickNames(ranked: readonly RankedMember[], chars: number): RankedMember[] {
  const out: RankedMember[] = [];
  let used = NAMES_PREFIX.length;
  for (const m of ranked) {
    if (used + m.def.name.length + 2 > chars) continue;
    out.push(m);
    used += m.def.name.length + 2;
  }
  return out.sort((a, b) => a.order - b.order);
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

function render({ signatures, named }: OutlineForm, total: number): string {
  const lines = signatures.map((m) => m.line);
  if (named.length) lines.push(NAMES_PREFIX + named.map((m) => m.def.name).join(", "));
  if (signatures.length + named.length < total) lines.push("…");
  return lines.join("\n");
}

/** A member's header on one line: decorators dropped, whitespace collapsed, long parameter lists cut. */
function memberLine(def: SymbolDefinition): string {
  const decorator = (l: string): boolean => l.trimStart().startsWith("@");
  // A decorated Python function's header can be its decorator line alone: its `def` line is in its text.
  const lines = def.header.split("\n").every(decorator) ? untilFirstOwnLine(def.text.split("\n", 12), decorator) : def.header.split("\n");
  const from = lines.findIndex((l) => !decorator(l));
  const line = lines
    .slice(Math.max(0, from))
    .join(" ")
    .replace(/\s+/g, " ")
    .replace(/\(\s+/g, "(")
    .replace(/\s+\)/g, ")")
    .trim();
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)} …` : line;
}

function untilFirstOwnLine(lines: string[], decorator: (l: string) => boolean): string[] {
  const own = lines.findIndex((l) => !decorator(l));
  return own < 0 ? lines : lines.slice(0, own + 1);
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
