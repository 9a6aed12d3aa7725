import type { Node, Tree } from "web-tree-sitter";
import { getCodeSyntax } from "../completion/postprocess/code-syntax";
import { scanCode } from "../completion/postprocess/code-scanner";
import type { CursorSurroundings } from "../completion/multiline-decision";
import type { LanguageSpec } from "./languages";
import { lineEndAt, lineStartAt } from "./text-lines";

/** One scope around the cursor, described by its header (a signature, a class line). */
export interface EnclosingScope {
  nodeType: string;
  header: string;
  startIndex: number;
}

const MAX_HEADER_CHARS = 300;
const MAX_HEADER_LINES = 3;
const MAX_SCOPES = 4;

/** Innermost first: the function, then the class, then the namespace the cursor is in. */
export function findEnclosingScopes(tree: Tree, text: string, offset: number, spec: LanguageSpec): EnclosingScope[] {
  const scopes: EnclosingScope[] = [];
  let node: Node | null = tree.rootNode.descendantForIndex(Math.max(0, offset - 1), offset);
  for (let depth = 0; node && depth < 200 && scopes.length < MAX_SCOPES; depth++, node = node.parent) {
    if (!spec.scopeTypes.has(node.type)) continue;
    if (node.startIndex >= offset) continue;
    const body = node.childForFieldName("body") ?? lastBlockChild(node, spec);
    // A cursor still inside the header (typing parameters) has no enclosing scope yet at this level.
    if (body && offset <= body.startIndex) continue;
    const headerEnd = body ? body.startIndex : Math.min(node.endIndex, lineEndAt(text, node.startIndex));
    scopes.push({ nodeType: node.type, header: compactHeader(text, lineStartAt(text, node.startIndex), headerEnd), startIndex: node.startIndex });
  }
  return scopes;
}

function lastBlockChild(node: Node, spec: LanguageSpec): Node | null {
  for (let i = node.namedChildCount - 1; i >= 0; i--) {
    const child = node.namedChild(i);
    if (child && spec.blockTypes.has(child.type)) return child;
  }
  return null;
}

function compactHeader(text: string, start: number, end: number): string {
  const lines = text.slice(start, end).replace(/\s+$/, "").split("\n").filter((l) => l.trim() !== "");
  let header = lines.slice(0, MAX_HEADER_LINES).join("\n");
  if (lines.length > MAX_HEADER_LINES) header += " …";
  return header.length > MAX_HEADER_CHARS ? header.slice(0, MAX_HEADER_CHARS) + " …" : header;
}

/** Whether the cursor is in a string, a comment or an empty block, from the tree. */
export function describeCursorNode(tree: Tree, offset: number, spec: LanguageSpec): { inString: boolean; inComment: boolean; inEmptyBlock: boolean } {
  let inString = false;
  let inComment = false;
  let inEmptyBlock = false;
  let node: Node | null = tree.rootNode.descendantForIndex(Math.max(0, offset - 1), offset);
  for (let depth = 0; node && depth < 6; depth++, node = node.parent) {
    const strictlyInside = node.startIndex < offset && offset < node.endIndex;
    if (spec.stringTypes.has(node.type) && strictlyInside) inString = true;
    // A line comment ends at the line end, where the cursor usually is while typing it.
    if (spec.commentTypes.has(node.type) && node.startIndex < offset && offset <= node.endIndex) inComment = true;
    if (spec.blockTypes.has(node.type) && strictlyInside) {
      inEmptyBlock = node.namedChildren.every((c) => c === null || spec.commentTypes.has(c.type));
      break;
    }
  }
  return { inString, inComment, inEmptyBlock };
}

/** The cursor's surroundings for the single/multi-line decision; from the tree when there is one, else lexically. */
export function describeSurroundings(text: string, offset: number, languageId: string, tree: Tree | null, spec: LanguageSpec | null): CursorSurroundings {
  const lineStart = lineStartAt(text, offset);
  const lineEnd = lineEndAt(text, offset);
  const surroundings: CursorSurroundings = {
    languageId,
    linePrefix: text.slice(lineStart, offset),
    lineSuffix: text.slice(offset, lineEnd).replace(/\r$/, ""),
    previousLine: previousNonBlankLine(text, lineStart),
  };
  if (tree && spec) {
    Object.assign(surroundings, describeCursorNode(tree, offset, spec));
  } else {
    const from = Math.max(0, lineStartAt(text, Math.max(0, offset - 4000)));
    const state = scanCode(text.slice(from, offset), getCodeSyntax(languageId)).end;
    surroundings.inString = state.mode === "string";
    surroundings.inComment = state.mode === "line-comment" || state.mode === "block-comment";
  }
  return surroundings;
}

function previousNonBlankLine(text: string, lineStart: number): string {
  let end = lineStart - 1;
  while (end > 0) {
    const start = lineStartAt(text, end);
    const line = text.slice(start, end);
    if (line.trim() !== "") return line;
    end = start - 1;
  }
  return "";
}

/** A declaration an action works on: the innermost named function, method or class at an offset. */
export interface DeclarationRange {
  nodeType: string;
  /** Start of the declaration with its doc comments, decorators and `export`. */
  startIndex: number;
  endIndex: number;
}

/** Function values that are only a declaration when a variable names them (`const f = () => …`). */
const ANONYMOUS = new Set(["arrow_function", "function_expression", "function", "lambda", "lambda_expression", "closure_expression", "func_literal", "class"]);
const WRAPPERS = new Set(["export_statement", "decorated_definition", "lexical_declaration", "variable_declaration"]);

/**
 * The innermost function, method or class around `offset`, widened to what belongs to it: `export`, decorators, the
 * `const` that names an arrow function, and the doc comments directly above it.
 */
export function findDeclarationAt(tree: Tree, text: string, offset: number, spec: LanguageSpec): DeclarationRange | null {
  let node: Node | null = tree.rootNode.descendantForIndex(offset, offset);
  for (let depth = 0; node && depth < 200; depth++, node = node.parent) {
    if (!spec.scopeTypes.has(node.type)) continue;
    let outer: Node = node;
    if (ANONYMOUS.has(node.type)) {
      if (node.parent?.type !== "variable_declarator") continue;
      outer = node.parent;
    }
    while (outer.parent && (WRAPPERS.has(outer.parent.type) || outer.parent.type === "variable_declarator")) outer = outer.parent;
    let start = outer.startIndex;
    for (let prev = outer.previousNamedSibling; prev && spec.commentTypes.has(prev.type); prev = prev.previousNamedSibling) {
      // Only comments that touch the declaration (no blank line between).
      if (/\n[ \t]*\n/.test(text.slice(prev.endIndex, start))) break;
      start = prev.startIndex;
    }
    return { nodeType: node.type, startIndex: start, endIndex: outer.endIndex };
  }
  return null;
}
