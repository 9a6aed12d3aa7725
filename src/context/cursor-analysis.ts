import type { Node, Tree } from "web-tree-sitter";
import { getCodeSyntax } from "../code/code-syntax";
import { scanCode } from "../code/code-scanner";
import type { CursorSurroundings } from "./context-types";
import type { LanguageSpec } from "./languages";
import { lineEndWithin, lineStartWithin } from "./text-lines";
import { firstNamedChildren, pathTo } from "./tree-path";

/** One scope around the cursor, described by its header (a signature, a class line). */
export interface EnclosingScope {
  nodeType: string;
  header: string;
  startIndex: number;
  /** 0-based line where the scope starts. */
  startLine: number;
}

const MAX_HEADER_CHARS = 300;
const MAX_HEADER_LINES = 3;
/** A header is read from at most this much text: a signature whose parameters run on for pages is cut anyway. */
const MAX_HEADER_SCAN_CHARS = 4000;
const MAX_SCOPES = 4;
/** How much of the cursor's line the single/multi-line decision looks at, each side of the cursor. */
const LINE_CONTEXT_CHARS = 1000;
/** How far above the cursor's line the previous non-blank line is looked for. */
const PREVIOUS_LINE_SCAN_CHARS = 4000;
/** Without a tree, whether the cursor is in a string or comment is judged from this much text before it. */
const LEXICAL_SCAN_CHARS = 4000;
/** A block with more statements than this is not empty, whatever they are. */
const MAX_EMPTY_BLOCK_CHILDREN = 64;

/** Innermost first: the function, then the class, then the namespace the cursor is in. */
export function findEnclosingScopes(tree: Tree, text: string, offset: number, spec: LanguageSpec): EnclosingScope[] {
  const scopes: EnclosingScope[] = [];
  const path = pathTo(tree, Math.max(0, offset - 1), offset) ?? [];
  for (let i = path.length - 1; i >= 0 && scopes.length < MAX_SCOPES; i--) {
    const node = path[i];
    if (!spec.scopeTypes.has(node.type)) continue;
    if (node.startIndex >= offset) continue;
    const body = node.childForFieldName("body") ?? lastBlockChild(node, spec);
    // A cursor still inside the header (typing parameters) has no enclosing scope yet at this level.
    if (body && offset <= body.startIndex) continue;
    const lineStart = lineStartWithin(text, node.startIndex, MAX_HEADER_SCAN_CHARS);
    const headerEnd = body ? Math.min(body.startIndex, node.startIndex + MAX_HEADER_SCAN_CHARS) : Math.min(node.endIndex, lineEndWithin(text, node.startIndex, MAX_HEADER_SCAN_CHARS));
    scopes.push({ nodeType: node.type, header: compactHeader(text, lineStart, Math.max(lineStart, headerEnd)), startIndex: node.startIndex, startLine: node.startPosition.row });
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
  const lines = text.slice(start, end).trimEnd().split("\n").filter((l) => l.trim() !== "");
  let header = lines.slice(0, MAX_HEADER_LINES).join("\n");
  if (lines.length > MAX_HEADER_LINES) header += " …";
  return header.length > MAX_HEADER_CHARS ? header.slice(0, MAX_HEADER_CHARS) + " …" : header;
}

/** Whether the cursor is in a string, a comment or an empty block, from the tree. */
export function describeCursorNode(tree: Tree, offset: number, spec: LanguageSpec): { inString: boolean; inComment: boolean; inEmptyBlock: boolean } {
  let inString = false;
  let inComment = false;
  let inEmptyBlock = false;
  const path = pathTo(tree, Math.max(0, offset - 1), offset) ?? [];
  for (let i = path.length - 1; i >= 0 && i >= path.length - 6; i--) {
    const node = path[i];
    const strictlyInside = node.startIndex < offset && offset < node.endIndex;
    if (spec.stringTypes.has(node.type) && strictlyInside) inString = true;
    // A line comment ends at the line end, where the cursor usually is while typing it.
    if (spec.commentTypes.has(node.type) && node.startIndex < offset && offset <= node.endIndex) inComment = true;
    if (spec.blockTypes.has(node.type) && strictlyInside) {
      const count = node.namedChildCount;
      inEmptyBlock = count <= MAX_EMPTY_BLOCK_CHILDREN && firstNamedChildren(node, count).every((c) => spec.commentTypes.has(c.type));
      break;
    }
  }
  return { inString, inComment, inEmptyBlock };
}

/**
 * The cursor's surroundings for the single/multi-line decision; from the tree when there is one, else lexically. Reads
 * a bounded stretch of the cursor's line, whatever its length (a minified file is one line).
 */
export function describeSurroundings(text: string, offset: number, languageId: string, tree: Tree | null, spec: LanguageSpec | null): CursorSurroundings {
  const lineStart = lineStartWithin(text, offset, LINE_CONTEXT_CHARS);
  const lineEnd = lineEndWithin(text, offset, LINE_CONTEXT_CHARS);
  const surroundings: CursorSurroundings = {
    languageId,
    linePrefix: text.slice(lineStart, offset),
    lineSuffix: text.slice(offset, lineEnd).replace(/\r$/, ""),
    previousLine: previousNonBlankLine(text, lineStart),
  };
  if (tree && spec) {
    Object.assign(surroundings, describeCursorNode(tree, offset, spec));
  } else {
    const from = lineStartWithin(text, Math.max(0, offset - LEXICAL_SCAN_CHARS), LEXICAL_SCAN_CHARS);
    const state = scanCode(text.slice(from, offset), getCodeSyntax(languageId)).end;
    surroundings.inString = state.mode === "string";
    surroundings.inComment = state.mode === "line-comment" || state.mode === "block-comment";
  }
  return surroundings;
}

/** The nearest non-blank line above `lineStart` (its last LINE_CONTEXT_CHARS), looking a bounded way up. */
function previousNonBlankLine(text: string, lineStart: number): string {
  const floor = Math.max(0, lineStart - PREVIOUS_LINE_SCAN_CHARS);
  let end = lineStart - 1;
  while (end > floor) {
    const start = lineStartWithin(text, end, Math.min(LINE_CONTEXT_CHARS, end - floor));
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

/**
 * The innermost function, method or class around `offset`, widened to what belongs to it: `export`, decorators, the
 * `const` that names an arrow function, and the doc comments directly above it. A function value (spec's anonymous
 * scopes: `() => …`) is a declaration only where a binding names it (`const f = () => …`).
 */
export function findDeclarationAt(tree: Tree, text: string, offset: number, spec: LanguageSpec): DeclarationRange | null {
  const path = pathTo(tree, offset, offset) ?? [];
  const parentOf = (i: number): Node | null => (i > 0 ? path[i - 1] : null);
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    if (!spec.scopeTypes.has(node.type)) continue;
    let outerAt = i;
    if (spec.anonymousScopeTypes.has(node.type)) {
      const binding = parentOf(i);
      if (!binding || !spec.bindingTypes.has(binding.type)) continue;
      outerAt = i - 1;
    }
    for (let parent = parentOf(outerAt); parent && (spec.wrapperTypes.has(parent.type) || spec.bindingTypes.has(parent.type)); parent = parentOf(outerAt)) outerAt--;
    const outer = path[outerAt];
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
