import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Language, Query } from "web-tree-sitter";
import type { GrammarEntry, LanguageSpec, QueryKind } from "./languages";

/** A query file's text, after the text of the files it inherits, with where each file's part starts. */
export interface QuerySource {
  readonly text: string;
  readonly parts: readonly { readonly file: string; readonly start: number }[];
}

export interface LanguageQueries {
  readonly spec: LanguageSpec;
  /** Each query file the registry lists for the language. */
  readonly sources: ReadonlyMap<QueryKind, QuerySource>;
}

type NodeSets = Exclude<keyof LanguageSpec, "grammar">;

/** The captures each node-list file may use, and the set of LanguageSpec each fills. */
const NODE_LISTS: Readonly<Record<Exclude<QueryKind, "definitions">, Readonly<Record<string, NodeSets>>>> = {
  scopes: {
    scope: "scopeTypes",
    "scope.anonymous": "anonymousScopeTypes",
    "declaration.wrapper": "wrapperTypes",
    "declaration.binding": "bindingTypes",
    function: "functionTypes",
    members: "memberContainerTypes",
  },
  imports: { import: "importTypes", "import.require": "requireTypes" },
  blocks: { block: "blockTypes", container: "containerTypes" },
  lexical: { comment: "commentTypes", string: "stringTypes" },
};

/** A query file that cannot be read or used; the message starts with the file (and line and column) at fault. */
export class QueryFileError extends Error {
  override readonly name = "QueryFileError";
}

/** How deep `; inherits:` may chain (typescript → javascript is one). */
const MAX_INHERITANCE = 8;

/** Reads a language's query files from grammars/<grammar>/ and the node types its node-list files name. */
export async function loadLanguageQueries(grammarsDir: string, entry: GrammarEntry): Promise<LanguageQueries> {
  const sources = new Map<QueryKind, QuerySource>();
  await Promise.all(entry.queries.map(async (kind) => sources.set(kind, await readQuerySource(grammarsDir, entry.grammar, kind))));
  const sets: Record<NodeSets, Set<string>> = {
    scopeTypes: new Set(), anonymousScopeTypes: new Set(), wrapperTypes: new Set(), bindingTypes: new Set(), functionTypes: new Set(),
    memberContainerTypes: new Set(), importTypes: new Set(), requireTypes: new Set(), blockTypes: new Set(), containerTypes: new Set(),
    commentTypes: new Set(), stringTypes: new Set(),
  };
  for (const [kind, source] of sources) {
    if (kind === "definitions") continue;
    const captures = NODE_LISTS[kind];
    for (const { types, capture, at } of readNodeList(source)) {
      const field = Object.hasOwn(captures, capture) ? captures[capture] : undefined;
      if (!field) throw new QueryFileError(`${where(source, at)}: @${capture} means nothing in ${kind}.scm (it knows ${Object.keys(captures).map((c) => `@${c}`).join(", ")})`);
      for (const t of types) sets[field].add(t);
    }
  }
  return { spec: { grammar: entry.grammar, ...sets }, sources };
}

/** The file `<grammar>/<kind>.scm` with the files it inherits (`; inherits: javascript` in its leading comments) before it. */
export async function readQuerySource(grammarsDir: string, grammar: string, kind: QueryKind, chain: readonly string[] = []): Promise<QuerySource> {
  const file = join(grammarsDir, grammar, `${kind}.scm`);
  if (chain.includes(grammar)) throw new QueryFileError(`${file}: inherits itself (${[...chain, grammar].join(" → ")})`);
  if (chain.length > MAX_INHERITANCE) throw new QueryFileError(`${file}: inherits more than ${MAX_INHERITANCE} levels deep`);
  let own: string;
  try {
    own = await readFile(file, "utf8");
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : (e as Error).message;
    throw new QueryFileError(chain.length ? `${file}: ${why} (inherited by ${chain.at(-1)}/${kind}.scm)` : `${file}: ${why}`);
  }
  let text = "";
  const parts: { file: string; start: number }[] = [];
  for (const parent of inheritedGrammars(own)) {
    const inherited = await readQuerySource(grammarsDir, parent, kind, [...chain, grammar]);
    parts.push(...inherited.parts.map((p) => ({ file: p.file, start: p.start + text.length })));
    text += inherited.text + "\n";
  }
  parts.push({ file, start: text.length });
  return { text: text + own, parts };
}

/** The grammars named by `; inherits: a, b` lines among a file's leading comments. */
function inheritedGrammars(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith(";")) break;
    const m = /^;+\s*inherits\s*:\s*(.+)$/.exec(trimmed);
    if (m) out.push(...m[1].split(",").map((g) => g.trim()).filter(Boolean));
  }
  return out;
}

/** `file:line:column` of an offset in a query source. */
export function where(source: QuerySource, offset: number): string {
  let part = source.parts[0];
  for (const p of source.parts) if (p.start <= offset) part = p;
  const before = source.text.slice(part.start, offset).split("\n");
  return `${part.file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

interface NodeListPattern {
  types: string[];
  capture: string;
  /** Where the capture is written. */
  at: number;
}

/**
 * The patterns of a node-list file: `(type) @capture` or `[(a) (b) …] @capture`, one or more captures each. Anything
 * else is refused with where it is: the code reads these files as lists of node types, never runs them as queries.
 */
export function readNodeList(source: QuerySource): NodeListPattern[] {
  const text = source.text;
  const out: NodeListPattern[] = [];
  let i = 0;
  function skipSpace(): void {
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      if (text[i] !== ";") return;
      while (i < text.length && text[i] !== "\n") i++;
    }
  }
  function fail(what: string): never {
    throw new QueryFileError(`${where(source, i)}: ${what}; a node list holds only (type) or [(a) (b) …] patterns, each with its captures`);
  }
  function word(pattern: RegExp, what: string): string {
    const m = pattern.exec(text.slice(i, i + 200));
    if (!m) fail(what);
    i += m[0].length;
    return m[1] ?? m[0];
  }
  function node(): string {
    if (text[i] !== "(") fail(`expected "(" but found ${JSON.stringify(text.slice(i, i + 12) || "the end")}`);
    i++;
    skipSpace();
    const name = word(/^[A-Za-z_][A-Za-z0-9_]*/, "expected a node type");
    skipSpace();
    if (text[i] !== ")") fail(`expected ")" after ${name}`);
    i++;
    return name;
  }
  for (skipSpace(); i < text.length; skipSpace()) {
    const types: string[] = [];
    if (text[i] === "[") {
      i++;
      for (skipSpace(); text[i] !== "]"; skipSpace()) types.push(node());
      i++;
    } else types.push(node());
    skipSpace();
    if (text[i] !== "@") fail("expected a capture (@name)");
    while (text[i] === "@") {
      const at = i;
      out.push({ types, capture: word(/^@([A-Za-z_][A-Za-z0-9_.-]*)/, "expected a capture name after @"), at });
      skipSpace();
    }
  }
  return out;
}

/** Compiles a query file against its grammar; a QueryFileError says which file, line and column it stopped at. */
export function compileQuery(QueryClass: typeof Query, language: Language, source: QuerySource): Query {
  try {
    return new QueryClass(language, source.text);
  } catch (e) {
    const offset = typeof (e as { index?: unknown }).index === "number" ? (e as { index: number }).index : 0;
    throw new QueryFileError(`${where(source, offset)}: ${(e as Error).message}`);
  }
}
