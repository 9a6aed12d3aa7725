import type { Node, Query, Tree } from "web-tree-sitter";
import type { LanguageSpec } from "./languages";
import type { SymbolDefinition } from "./symbol-types";
import { lineEndWithin, lineStartWithin } from "./text-lines";

const CLASS_LIKE = new Set(["class", "interface", "module", "enum", "type", "struct", "impl", "trait"]);

const FULL_TEXT_MAX_LINES = 25;
const FULL_TEXT_MAX_CHARS = 1500;
/**
 * A header (a signature, a class line) is cut here: a parameter list that runs for pages would otherwise travel to the
 * extension host with every answer that names it, and be counted there.
 */
const HEADER_MAX_CHARS = 1000;
const OUTLINE_MAX_MEMBERS = 40;
const OUTLINE_LINE_CHARS = 160;

/**
 * The definitions a definitions query finds in a tree, each with a prompt-ready text. Those inside a function
 * (spec.functionTypes) are local and left out; those inside a type (spec.memberContainerTypes) are members.
 */
export function extractDefinitions(tree: Tree, query: Query, spec: LanguageSpec, text: string, path: string, maxSymbols: number): SymbolDefinition[] {
  const out: SymbolDefinition[] = [];
  const seen = new Set<string>();
  const matches = query.matches(tree.rootNode);
  for (const match of matches) {
    if (out.length >= maxSymbols) break;
    let defNode: Node | null = null;
    let kind = "";
    let nameNode: Node | null = null;
    for (const c of match.captures) {
      if (c.name.startsWith("definition.")) {
        defNode = c.node;
        kind = c.name.slice("definition.".length);
      } else if (c.name === "name") nameNode = c.node;
    }
    if (!defNode || !nameNode) continue;
    const name = text.slice(nameNode.startIndex, nameNode.endIndex);
    if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name)) continue;
    const node = expandToStatement(defNode, spec);
    if (hasAncestorIn(node, spec.functionTypes)) continue;
    const key = `${name}:${node.startIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const def = describeDefinition(node, name, kind, text, path);
    if (hasAncestorIn(node, spec.memberContainerTypes)) def.member = true;
    out.push(def);
  }
  return out;
}

/**
 * From `variable_declarator` to `export const x = …;`, from C's `function_declarator` to the function; the climb stops
 * below a node that holds declarations (spec.containerTypes).
 */
function expandToStatement(node: Node, spec: LanguageSpec): Node {
  let current = node;
  for (let i = 0; i < 4; i++) {
    const parent = current.parent;
    if (!parent || spec.containerTypes.has(parent.type)) break;
    // Decorators and `export` sit on the lines just above or on the same line; anything further is another construct.
    if (parent.startPosition.row < current.startPosition.row - 3) break;
    if (spec.functionTypes.has(parent.type) && !spec.functionTypes.has(current.type) && current.type !== "function_declarator") break;
    current = parent;
  }
  return current;
}

function hasAncestorIn(node: Node, types: ReadonlySet<string>): boolean {
  for (let p = node.parent, depth = 0; p && depth < 50; p = p.parent, depth++) if (types.has(p.type)) return true;
  return false;
}

function describeDefinition(node: Node, name: string, kind: string, text: string, path: string): SymbolDefinition {
  const startLine = node.startPosition.row;
  const endLine = node.endPosition.row;
  // Bounded: in a minified bundle every definition is on the one line, and a search back to its start per definition
  // kept the index worker busy for seconds.
  const lineStart = lineStartWithin(text, node.startIndex, HEADER_MAX_CHARS);
  const full = text.slice(lineStart, node.endIndex);
  const body = node.childForFieldName("body") ?? findBody(node);
  const headerEnd = body ? body.startIndex : Math.min(node.endIndex, lineEndWithin(text, node.startIndex, HEADER_MAX_CHARS));
  const header = dedent(text.slice(lineStart, Math.min(headerEnd, lineStart + HEADER_MAX_CHARS)).trimEnd());
  let snippet: string;
  if (endLine - startLine + 1 <= FULL_TEXT_MAX_LINES && full.length <= FULL_TEXT_MAX_CHARS) {
    snippet = dedent(full);
  } else if (body && CLASS_LIKE.has(kind)) {
    snippet = dedent(outline(text, lineStart, body));
  } else {
    snippet = `${header}${body ? " …" : ""}`;
  }
  return { name, kind, path, startLine, endLine, text: snippet, header };
}

function findBody(node: Node): Node | null {
  for (let i = node.namedChildCount - 1; i >= 0; i--) {
    const child = node.namedChild(i);
    if (child && /body|block|declaration_list|field_declaration_list/.test(child.type)) return child;
  }
  return null;
}

/** A long class as its header plus the first line of each member. */
function outline(text: string, lineStart: number, body: Node): string {
  const head = text.slice(lineStart, Math.min(body.startIndex, lineStart + HEADER_MAX_CHARS));
  const firstLineEnd = lineEndWithin(text, body.startIndex, OUTLINE_LINE_CHARS);
  const parts = [head + text.slice(body.startIndex, firstLineEnd)];
  const count = Math.min(body.namedChildCount, OUTLINE_MAX_MEMBERS);
  for (let i = 0; i < count; i++) {
    const member = body.namedChild(i);
    // A Python block starts at its first member, whose line the head's already shows.
    if (!member || member.type.includes("comment") || member.startIndex < firstLineEnd) continue;
    const memberLineStart = lineStartWithin(text, member.startIndex, OUTLINE_LINE_CHARS);
    let line = text.slice(memberLineStart, lineEndWithin(text, member.startIndex, OUTLINE_LINE_CHARS + 1)).trimEnd();
    if (line.length > OUTLINE_LINE_CHARS) line = line.slice(0, OUTLINE_LINE_CHARS) + " …";
    parts.push(line);
  }
  if (body.namedChildCount > count) parts.push("  …");
  const closing = text.slice(lineStartWithin(text, body.endIndex, 64), body.endIndex);
  if (closing.trim().length <= 2) parts.push(closing);
  return parts.join("\n");
}

/** Removes the indentation all non-blank lines share, so a method reads like top-level code. */
export function dedent(block: string): string {
  const lines = block.replace(/\r/g, "").split("\n");
  let common = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    if (line.trim() === "") continue;
    common = Math.min(common, /^[ \t]*/.exec(line)?.[0].length ?? 0);
  }
  if (!Number.isFinite(common) || common === 0) return lines.join("\n");
  return lines.map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)?.[0].length ?? 0))).join("\n");
}
