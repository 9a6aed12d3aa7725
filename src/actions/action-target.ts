import type { ActionDocument, ActionHost, EditorDiagnostic, LinePosition, LineRange } from "./action-host";
import type { ActionSyntax } from "./action-services";
import type { LineIndex } from "./line-index";
import type { ActionDiagnostic } from "./prompts";

/** The code an action works on: whole lines of the document. */
export interface ActionTarget {
  /** From the first line's start to the last line's end (without its line break). */
  range: LineRange;
  /** The same, as offsets into the text. */
  start: number;
  end: number;
  /** "the selected code", "function add" … */
  label: string;
}

/**
 * The selection (as whole lines), else the declaration around `at` (shown to the user before the model starts),
 * else undefined.
 */
export async function resolveTarget(
  syntax: ActionSyntax,
  host: ActionHost,
  document: ActionDocument,
  lines: LineIndex,
  selection: LineRange,
  at: LinePosition,
): Promise<ActionTarget | undefined> {
  let startLine: number;
  let endLine: number;
  let label = "the selected code";
  if (!isEmpty(selection)) {
    startLine = selection.start.line;
    // A selection that ends at the start of a line does not take that line.
    endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  } else {
    const declaration = await syntax.findDeclaration(document.languageId, lines.text, lines.offsetAt(at)).catch(() => null);
    if (!declaration) return undefined;
    startLine = lines.positionAt(declaration.startIndex).line;
    endLine = lines.positionAt(declaration.endIndex).line;
    label = describeDeclaration(declaration.nodeType, lines, startLine, endLine);
    host.showTarget(document, wholeLines(lines, startLine, endLine));
  }
  const range = wholeLines(lines, startLine, endLine);
  return { range, start: lines.offsetAt(range.start), end: lines.offsetAt(range.end), label };
}

/** "function add", "class TodoList", "method push" …, from the declaration's lines. */
function describeDeclaration(nodeType: string, lines: LineIndex, startLine: number, endLine: number): string {
  const kind = /class/.test(nodeType) ? "class" : /method/.test(nodeType) ? "method" : /struct|enum|trait|interface|impl|type/.test(nodeType) ? "type" : "function";
  for (let line = startLine; line <= endLine; line++) {
    const text = lines.lineText(line);
    const name = /\b(?:function\*?|def|fn|func|class|interface|struct|enum|trait|impl|type|const|let|var)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)/.exec(text);
    if (name) return `${kind} ${name[1]}`;
    const method = /^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*([A-Za-z_$][\w$]*)\s*\(/.exec(text);
    if (method && !/^(if|for|while|switch|return)$/.test(method[1]!)) return `${kind} ${method[1]}`;
  }
  return `the ${kind}`;
}

/** Errors and warnings for the prompt: those given (a quick fix's), else the document's that touch the target; ten at most. */
export function diagnosticsIn(host: ActionHost, document: ActionDocument, range: LineRange, given?: readonly EditorDiagnostic[]): ActionDiagnostic[] {
  const list = given ?? host.diagnostics(document).filter((d) => intersects(d.range, range));
  return list
    .filter((d) => d.severity === "error" || d.severity === "warning")
    .slice(0, 10)
    .map((d) => ({ line: d.range.start.line + 1, message: d.message, ...(d.source ? { source: d.source } : {}) }));
}

function wholeLines(lines: LineIndex, startLine: number, endLine: number): LineRange {
  return { start: { line: startLine, character: 0 }, end: { line: endLine, character: lines.lineText(endLine).length } };
}

function isEmpty(range: LineRange): boolean {
  return compare(range.start, range.end) === 0;
}

/** Whether the ranges overlap or touch (VS Code's Range.intersection is then defined). */
function intersects(a: LineRange, b: LineRange): boolean {
  return compare(a.start, b.end) <= 0 && compare(b.start, a.end) <= 0;
}

function compare(a: LinePosition, b: LinePosition): number {
  return a.line - b.line || a.character - b.character;
}
