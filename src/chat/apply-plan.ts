/** Where a code block from the chat goes in a file, as plain offsets into the file's text. */
export interface ApplyPlan {
  start: number;
  end: number;
  newText: string;
  /** For the diff title and the confirmation: "replaces lines 2–4", "replaces the selection", … */
  summary: string;
}

/**
 * Decides how a code block replaces part of a file: the selection when there is one; else the declaration whose first
 * line matches the block's first line (up to its closing line, or the end of its indented body); else the whole file
 * when it is empty; else the block is added at the end. The user sees the result as a diff before anything is written.
 */
export function planApply(documentText: string, code: string, selection?: { start: number; end: number }): ApplyPlan {
  const eol = documentText.includes("\r\n") ? "\r\n" : "\n";
  const block = normalizeBlock(code, eol);
  if (selection && selection.end > selection.start) {
    const selected = documentText.slice(selection.start, selection.end);
    const text = selected.endsWith(eol) || selected.endsWith("\n") ? block : block.replace(/\r?\n$/, "");
    return { start: selection.start, end: selection.end, newText: text, summary: "replaces the selection" };
  }
  if (documentText.trim() === "") return { start: 0, end: documentText.length, newText: block, summary: "fills the empty file" };

  const lines = documentText.split(eol);
  const codeLines = block.split(eol).filter((l) => l.trim() !== "");
  const first = codeLines[0]?.trim();
  const startLine = first ? lines.findIndex((l) => l.trim() === first) : -1;
  if (startLine >= 0) {
    const endLine = findBlockEnd(lines, startLine, codeLines[codeLines.length - 1]?.trim() ?? "");
    const start = offsetOfLine(lines, startLine, eol);
    const end = offsetOfLine(lines, endLine + 1, eol);
    const indent = /^\s*/.exec(lines[startLine] ?? "")?.[0] ?? "";
    const codeIndent = /^\s*/.exec(codeLines[0] ?? "")?.[0] ?? "";
    const reindented = indent !== codeIndent ? reindent(block, codeIndent, indent, eol) : block;
    const atEnd = endLine + 1 >= lines.length;
    return {
      start,
      end: Math.min(end, documentText.length),
      newText: atEnd && !documentText.endsWith(eol) ? reindented.replace(/\r?\n$/, "") : reindented,
      summary: startLine === endLine ? `replaces line ${startLine + 1}` : `replaces lines ${startLine + 1}–${endLine + 1}`,
    };
  }
  // One blank line between the file's last line and the new code.
  const separator = documentText.endsWith(eol + eol) ? "" : documentText.endsWith(eol) ? eol : eol + eol;
  return { start: documentText.length, end: documentText.length, newText: separator + block, summary: "adds the code at the end of the file" };
}

/** The last line of the declaration that starts at `startLine`. */
function findBlockEnd(lines: readonly string[], startLine: number, lastCodeLine: string): number {
  const indentOf = (l: string) => (/^\s*/.exec(l)?.[0].length ?? 0);
  const base = indentOf(lines[startLine] ?? "");
  const closer = /^[}\])]|^end\b/.exec(lastCodeLine)?.[0];
  for (let i = startLine + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (indentOf(line) < base) return lastNonEmpty(lines, startLine, i - 1);
    if (indentOf(line) === base) {
      if (closer && line.trim().startsWith(closer)) return i;
      return lastNonEmpty(lines, startLine, i - 1);
    }
  }
  return lastNonEmpty(lines, startLine, lines.length - 1);
}

function lastNonEmpty(lines: readonly string[], from: number, to: number): number {
  for (let i = to; i > from; i--) if (lines[i]!.trim() !== "") return i;
  return from;
}

function offsetOfLine(lines: readonly string[], line: number, eol: string): number {
  let offset = 0;
  for (let i = 0; i < line && i < lines.length; i++) offset += lines[i]!.length + eol.length;
  return offset;
}

function normalizeBlock(code: string, eol: string): string {
  const text = code.replace(/\r\n/g, "\n").replace(/\n+$/, "");
  return `${text.split("\n").join(eol)}${eol}`;
}

function reindent(block: string, from: string, to: string, eol: string): string {
  return block
    .split(eol)
    .map((l) => (l !== "" && l.startsWith(from) ? to + l.slice(from.length) : l))
    .join(eol);
}
