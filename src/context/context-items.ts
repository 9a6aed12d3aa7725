import type { Tree } from "web-tree-sitter";
import type { ContextItem } from "./context-types";
import { findEnclosingScopes } from "./cursor-analysis";
import type { ImportStatement } from "./imports";
import type { LanguageSpec } from "./languages";
import type { DefinitionQuery, FoundDefinition } from "./symbol-types";
import type { LineNumbers } from "./text-lines";
import type { CountTokens } from "./token-estimate";

/** A context item with the short form it falls back to when the budget is tight (a definition's signature). */
export type ItemWithHeader = ContextItem & { header?: string };

/** The enclosing scopes whose headers the prefix window (from `prefixStart`) does not already show, as one item. */
export function scopeItem(tree: Tree, text: string, offset: number, spec: LanguageSpec, prefixStart: number, path: string, count: CountTokens): ContextItem | null {
  const scopes = findEnclosingScopes(tree, text, offset, spec).filter((s) => s.startIndex < prefixStart);
  if (!scopes.length) return null;
  const body = scopes.reverse().map((s) => s.header).join("\n");
  const startLine = scopes[0].startLine;
  return { kind: "scope", source: "same-file", path, startLine, endLine: startLine, text: body, tokens: count(body), score: 10 };
}

/** The file's import statements, as many as fit in 30% of the extras budget. */
export function importsItem(imports: readonly ImportStatement[], lines: LineNumbers, path: string, extrasTokens: number, count: CountTokens): ContextItem | null {
  const seen = new Set<number>();
  const parts: string[] = [];
  for (const i of imports) {
    if (seen.has(i.startIndex)) continue;
    seen.add(i.startIndex);
    parts.push(i.text.trim());
  }
  const cap = Math.floor(extrasTokens * 0.3);
  // Keep the first statements that fit: per-statement counts, so this stays linear in the number of imports.
  let tokens = 0;
  let kept = 0;
  for (const part of parts) {
    const t = count(part + "\n");
    if (tokens + t > cap) break;
    tokens += t;
    kept++;
  }
  const body = parts.slice(0, kept).join("\n");
  if (kept === 0) return null;
  const first = imports[0];
  const last = imports[imports.length - 1];
  return { kind: "imports", source: "same-file", path, startLine: lines.lineOf(first.startIndex), endLine: lines.lineOf(last.endIndex), text: body, tokens, score: 5 };
}

export function definitionItem(def: FoundDefinition, nameWeight: number, count: CountTokens): ItemWithHeader {
  const sourceWeight = def.source === "imported-file" ? 1 : def.source === "same-file" ? 0.8 : 0.6 / Math.max(1, def.candidates);
  return {
    kind: def.kind === "outline" ? "outline" : "definition",
    source: def.source,
    path: def.path,
    symbol: def.name,
    startLine: def.startLine,
    endLine: def.endLine,
    text: def.text,
    header: def.header,
    tokens: count(def.text),
    score: nameWeight * sourceWeight,
  };
}

export function definitionQuery(fromPath: string | null, languageId: string, imports: readonly ImportStatement[], names: readonly { name: string }[]): DefinitionQuery {
  return {
    fromPath,
    languageId,
    imports: imports.map((i) => ({ specifier: i.specifier, names: i.names, ...(i.namespace ? { namespace: i.namespace } : {}) })),
    names: names.map((n) => n.name),
    maxPerName: 2,
  };
}

/** Stable order: other files' definitions, snippets, then this file's imports, definitions and scopes. */
export function orderForCacheReuse(items: ContextItem[]): ContextItem[] {
  const group = (i: ContextItem): number => {
    if (i.source !== "same-file") return i.kind === "definition" ? 0 : 1;
    return i.kind === "imports" ? 2 : i.kind === "definition" ? 3 : 4;
  };
  return [...items].sort((a, b) => group(a) - group(b) || a.path.localeCompare(b.path) || a.startLine - b.startLine);
}

export function overlaps(a: ContextItem, b: ContextItem): boolean {
  // A scope's header and a module's outline are one-line summaries: they leave room for the code they summarise.
  const summary = (i: ContextItem): boolean => i.kind === "scope" || i.kind === "outline";
  return a.path === b.path && a.startLine <= b.endLine && b.startLine <= a.endLine && !summary(a) && !summary(b);
}
