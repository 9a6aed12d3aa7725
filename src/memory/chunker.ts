import type { Node, Tree } from "web-tree-sitter";
import type { LanguageSpec } from "../context/languages";

/** One piece of a file as codebase memory stores it: what is embedded and searched, and where it is. */
export interface CodeChunk {
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The enclosing declarations' signatures, outermost first (a method's class line), one per line. */
  header: string;
  /** The chunk's own text, as in the file. */
  text: string;
  /** The name of the definition the chunk holds, when it holds one whole (for the symbol-index side of search). */
  symbol?: string;
}

export interface ChunkOptions {
  /** The most characters of code per chunk, header included: the embedding model's window, in characters. */
  maxChars: number;
  /** Chunks shorter than this are merged with their neighbours (a lone import or constant says little alone). */
  minChars?: number;
}

/** A signature is cut here: a parameter list that runs for pages is not a header. */
const SIGNATURE_MAX_CHARS = 200;
/** Levels below a definition searched for its body (`export` → `function` → body; `decorated` → `class` → body). */
const BODY_SEARCH_DEPTH = 3;
/** Nesting followed into bodies: deeper than this a definition is split by lines. */
const MAX_NESTING = 4;

interface Span {
  start: number;
  end: number;
  startRow: number;
  endRow: number;
}

/**
 * Cuts a parsed file into chunks: each function, method and class whole when it fits the window (with the comments
 * right above it), a class too large for one chunk as its members with the class's signature in their header, a long
 * function as windows of lines that each carry its signature, and the statements between definitions merged into
 * chunks of their own. No line is in two chunks.
 */
export function chunkTree(tree: Tree, spec: LanguageSpec, text: string, path: string, options: ChunkOptions): CodeChunk[] {
  const out: CodeChunk[] = [];
  const ctx: Ctx = { spec, text, path, maxChars: options.maxChars, minChars: options.minChars ?? Math.min(200, options.maxChars / 4), out };
  visitContainer(ctx, namedChildren(tree.rootNode), [], 0);
  return out;
}

interface Ctx {
  spec: LanguageSpec;
  text: string;
  path: string;
  maxChars: number;
  minChars: number;
  out: CodeChunk[];
}

function visitContainer(ctx: Ctx, children: Node[], enclosing: readonly string[], depth: number): void {
  let group: Span | null = null;
  let comments: Span | null = null;
  const budget = ctx.maxChars - headerText(enclosing).length;
  const flushGroup = (): void => {
    if (group) emitSpan(ctx, group, enclosing, undefined);
    group = null;
  };
  for (const child of children) {
    const span = spanOf(child);
    if (ctx.spec.commentTypes.has(child.type)) {
      comments = comments ? join(comments, span) : span;
      continue;
    }
    const definition = definitionName(ctx, child);
    if (definition !== null) {
      flushGroup();
      const whole = comments ? join(comments, span) : span;
      comments = null;
      if (whole.end - whole.start <= budget) emitSpan(ctx, whole, enclosing, definition || undefined);
      else splitDefinition(ctx, child, whole, enclosing, depth);
      continue;
    }
    const withComments = comments ? join(comments, span) : span;
    comments = null;
    if (group && withComments.end - group.start > budget) flushGroup();
    if (withComments.end - withComments.start > budget) {
      flushGroup();
      splitLines(ctx, withComments, enclosing, undefined);
      continue;
    }
    group = group ? join(group, withComments) : withComments;
  }
  if (comments) group = group ? join(group, comments) : comments;
  flushGroup();
  mergeSmall(ctx);
}

/** A definition too large for one chunk: its members when it holds some (a class), else its lines in windows. */
function splitDefinition(ctx: Ctx, node: Node, whole: Span, enclosing: readonly string[], depth: number): void {
  const body = findBody(ctx, node, 0);
  const signature = signatureOf(ctx, node, body);
  const inner = [...enclosing, signature];
  const name = definitionName(ctx, node) || undefined;
  if (body && depth < MAX_NESTING) {
    const members = namedChildren(body);
    const first = members.findIndex((m) => definitionName(ctx, m) !== null);
    if (first >= 0) {
      // The signature with what comes before the first member definition (fields, a docstring) is the class's chunk,
      // as far as it fits; the rest of those lines stay with the members.
      let headEnd = first > 0 ? members[first - 1].endIndex : body.startIndex;
      let rest = first;
      if (headEnd - whole.start > budgetFor(ctx, enclosing)) {
        headEnd = body.startIndex;
        rest = 0;
      }
      const endRow = rest > 0 ? members[rest - 1].endPosition.row : body.startPosition.row;
      const head: Span = { start: whole.start, end: headEnd, startRow: whole.startRow, endRow };
      if (ctx.text.slice(head.start, head.end).trim()) emitSpan(ctx, head, enclosing, name);
      visitContainer(ctx, members.slice(rest), inner, depth + 1);
      return;
    }
  }
  splitLines(ctx, whole, inner, name);
}

function budgetFor(ctx: Ctx, enclosing: readonly string[]): number {
  return ctx.maxChars - headerText(enclosing).length;
}

/** Windows of whole lines, each within the budget (a line longer than the window is cut). */
function splitLines(ctx: Ctx, span: Span, enclosing: readonly string[], symbol: string | undefined): void {
  const budget = Math.max(200, ctx.maxChars - headerText(enclosing).length);
  let start = lineStart(ctx.text, span.start);
  let row = span.startRow;
  while (start < span.end) {
    let end = start;
    let endRow = row;
    while (end < span.end) {
      const next = ctx.text.indexOf("\n", end);
      const lineEnd = next < 0 || next >= span.end ? span.end : next + 1;
      if (lineEnd - start > budget && end > start) break;
      end = Math.min(lineEnd, start + budget);
      endRow = rowAt(ctx.text, row, start, end);
      if (end < lineEnd) break;
    }
    emitSpan(ctx, { start, end, startRow: row, endRow }, enclosing, symbol);
    row = endRow;
    start = end;
  }
}

function emitSpan(ctx: Ctx, span: Span, enclosing: readonly string[], symbol: string | undefined): void {
  const start = lineStart(ctx.text, span.start);
  let text = ctx.text.slice(start, span.end);
  if (text.endsWith("\n")) text = text.slice(0, -1);
  if (!text.trim()) return;
  const endRow = ctx.text[span.end - 1] === "\n" ? Math.max(span.startRow, span.endRow - 1) : span.endRow;
  ctx.out.push({ path: ctx.path, startLine: span.startRow, endLine: endRow, header: headerText(enclosing), text, ...(symbol ? { symbol } : {}) });
}

/** Adjacent small chunks of the same header (imports, constants) become one, within the window. */
function mergeSmall(ctx: Ctx): void {
  const out = ctx.out;
  for (let i = out.length - 1; i > 0; i--) {
    const a = out[i - 1];
    const b = out[i];
    if (a.header !== b.header || a.path !== b.path || b.startLine < a.endLine) continue;
    // A definition stays alone: it is what a question asks for, and what the symbol index points at.
    if (a.symbol || b.symbol) continue;
    const small = a.text.length < ctx.minChars || b.text.length < ctx.minChars;
    const merged = a.text.length + b.text.length + 1 + a.header.length;
    if (!small || merged > ctx.maxChars) continue;
    const gap = "\n".repeat(Math.max(1, b.startLine - a.endLine));
    out.splice(i - 1, 2, { path: a.path, startLine: a.startLine, endLine: b.endLine, header: a.header, text: a.text + gap + b.text });
  }
}

/**
 * The name of the definition a node is (a function, method or class, or a wrapper such as `export` or a decorator
 * around one, or `const f = () => …`); "" for an anonymous one; null when the node is a plain statement.
 */
function definitionName(ctx: Ctx, node: Node): string | null {
  const { spec } = ctx;
  let target: Node | null = node;
  for (let i = 0; target && i < BODY_SEARCH_DEPTH; i++) {
    if (spec.scopeTypes.has(target.type) && !spec.anonymousScopeTypes.has(target.type)) return nameOf(ctx, target);
    if (!spec.wrapperTypes.has(target.type) && !spec.bindingTypes.has(target.type) && i > 0) break;
    if (spec.bindingTypes.has(target.type)) {
      const value = target.childForFieldName("value");
      if (value && spec.scopeTypes.has(value.type)) return nameOf(ctx, target);
      return null;
    }
    target = spec.wrapperTypes.has(target.type) || i === 0 ? wrappedChild(ctx, target) : null;
  }
  return null;
}

function wrappedChild(ctx: Ctx, node: Node): Node | null {
  for (const child of namedChildren(node)) {
    if (ctx.spec.scopeTypes.has(child.type) || ctx.spec.bindingTypes.has(child.type) || ctx.spec.wrapperTypes.has(child.type)) return child;
  }
  return null;
}

function nameOf(ctx: Ctx, node: Node): string {
  const name = node.childForFieldName("name");
  if (!name) return "";
  const text = ctx.text.slice(name.startIndex, name.endIndex);
  return /^[\p{L}_$][\p{L}\p{N}_$.]*$/u.test(text) ? text : "";
}

function findBody(ctx: Ctx, node: Node, level: number): Node | null {
  const body = node.childForFieldName("body");
  if (body && namedChildren(body).length) return body;
  if (level >= BODY_SEARCH_DEPTH) return null;
  for (const child of namedChildren(node)) {
    if (ctx.spec.blockTypes.has(child.type) || ctx.spec.containerTypes.has(child.type)) return child;
    const deeper = findBody(ctx, child, level + 1);
    if (deeper) return deeper;
  }
  return null;
}

/** A definition's first line(s) up to its body, on one line and bounded. */
function signatureOf(ctx: Ctx, node: Node, body: Node | null): string {
  const start = lineStart(ctx.text, node.startIndex);
  const end = body ? body.startIndex : ctx.text.indexOf("\n", node.startIndex);
  const raw = ctx.text.slice(start, end < 0 ? node.endIndex : Math.min(end, start + SIGNATURE_MAX_CHARS * 2));
  const line = raw.replace(/\s+/g, " ").trim();
  return line.length > SIGNATURE_MAX_CHARS ? `${line.slice(0, SIGNATURE_MAX_CHARS)} …` : line;
}

function headerText(enclosing: readonly string[]): string {
  return enclosing.join("\n");
}

function spanOf(node: Node): Span {
  return { start: node.startIndex, end: node.endIndex, startRow: node.startPosition.row, endRow: node.endPosition.row };
}

function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end), startRow: Math.min(a.startRow, b.startRow), endRow: Math.max(a.endRow, b.endRow) };
}

function namedChildren(node: Node): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < node.namedChildCount; i++) {
    const child = node.namedChild(i);
    if (!child) continue;
    // A line being typed can turn the rest of a file into one ERROR node: its children are the file's statements.
    if (child.type === "ERROR" && child.namedChildCount) out.push(...namedChildren(child));
    else out.push(child);
  }
  return out;
}

function lineStart(text: string, offset: number): number {
  const i = text.lastIndexOf("\n", offset - 1);
  // Bounded like the index's headers: on a minified line, the chunk starts where its node starts.
  return i < 0 ? (offset > 1000 ? offset : 0) : offset - i - 1 > 1000 ? offset : i + 1;
}

function rowAt(text: string, row: number, from: number, to: number): number {
  let r = row;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) r++;
  return r;
}
