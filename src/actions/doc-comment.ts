import { classifyLines, commentSyntaxFor, indentOf, rebaseIndent, type CommentSyntax, type LineKind } from "./comment-lines";

// Document takes only the documentation from the model's answer and puts it into the original code itself, so that
// the code is byte-identical whatever else the answer changed: a comment block above the declaration (after replacing
// the one there), or in Python a docstring as the first statement of the def's or class's body.

export type Documented = { code: string } | { problem: string };

/**
 * The original with the documentation of `answer` (code cleaned from the model's answer) put in place of the target's
 * doc comment or docstring, or above / inside its declaration. `partial`: the model is still writing, so a comment or
 * docstring that is not closed yet is shown as it is so far.
 */
export function documentCode(original: string, answer: string, languageId: string, partial = false): Documented {
  return languageId === "python" ? documentPython(original, answer, partial) : documentWithComment(original, answer, languageId, partial);
}

const NO_DOCS = "the model's answer held no documentation for it";
const UNCLOSED = "the documentation in the model's answer is not a closed comment";

function documentWithComment(original: string, answer: string, languageId: string, partial: boolean): Documented {
  const syntax = commentSyntaxFor(languageId);
  const lines = original.split("\n");
  const { kinds } = classifyLines(lines, syntax);
  const anchor = kinds.findIndex((k) => k === "code");
  if (anchor < 0) return { problem: "the code to document holds no declaration" };
  const doc = commentBefore(answer.split("\n"), syntax, lines[anchor]!, partial);
  if ("problem" in doc) return doc;
  // The original's own doc comment (if any) among the comment and decorator lines right above its declaration.
  const run = headerRun(kinds, anchor);
  const existing = commentGroup(kinds, run, anchor);
  const at = existing ? existing.start : run;
  const indent = indentOf(lines[existing ? existing.start : anchor]!);
  const placed = rebaseIndent(doc.lines, indent);
  const out = [...lines.slice(0, at), ...placed, ...lines.slice(existing ? existing.end : at)];
  return { code: out.join("\n") };
}

/** The first line of the run of comment and decorator lines that ends just above line `anchor`. */
function headerRun(kinds: readonly LineKind[], anchor: number): number {
  let start = anchor;
  while (start > 0 && (kinds[start - 1] === "comment" || kinds[start - 1] === "decorator")) start--;
  return start;
}

/** The topmost group of consecutive comment lines in [start, anchor): the doc comment sits above the decorators. */
function commentGroup(kinds: readonly LineKind[], start: number, anchor: number): { start: number; end: number } | undefined {
  const first = kinds.slice(start, anchor).indexOf("comment");
  if (first < 0) return undefined;
  let end = start + first;
  while (end < anchor && kinds[end] === "comment") end++;
  return { start: start + first, end };
}

/** The doc comment above the answer's version of the declaration whose first line is `declaration`. */
function commentBefore(lines: readonly string[], syntax: CommentSyntax, declaration: string, partial: boolean): { lines: string[] } | { problem: string } {
  const { kinds, openAtEnd } = classifyLines(lines, syntax);
  const anchor = findDeclaration(lines, kinds, declaration);
  let group: { start: number; end: number } | undefined;
  if (anchor >= 0) {
    group = commentGroup(kinds, headerRun(kinds, anchor), anchor);
  } else if (!kinds.includes("code")) {
    // No declaration yet (still writing), or an answer that is only the comment.
    group = commentGroup(kinds, 0, kinds.length);
    if (group && openAtEnd && !partial) return { problem: UNCLOSED };
  }
  if (!group) return { problem: NO_DOCS };
  const doc = lines.slice(group.start, group.end);
  if (classifyLines(doc, syntax).openAtEnd && !(partial && group.end === lines.length)) return { problem: UNCLOSED };
  return { lines: doc };
}

/** The answer's line for the declaration: the same line, else one that starts alike, else its first line of code. */
function findDeclaration(lines: readonly string[], kinds: readonly LineKind[], declaration: string): number {
  const code = (i: number) => kinds[i] === "code";
  const same = lines.findIndex((l, i) => code(i) && l.trim() === declaration.trim());
  if (same >= 0) return same;
  const head = /^[^({=:]*/.exec(declaration.trim())?.[0].trim() ?? "";
  const alike = head ? lines.findIndex((l, i) => code(i) && l.trim().startsWith(head)) : -1;
  return alike >= 0 ? alike : kinds.indexOf("code");
}

// Python: the docstring is the first statement of the body.

const DEF = /^(async\s+def|def|class)\b/;
const STRING_START = /^([rRuUbBfF]{0,2})("""|'''|"|')/;

interface Docstring {
  start: number;
  /** Exclusive. */
  end: number;
  closed: boolean;
}

function documentPython(original: string, answer: string, partial: boolean): Documented {
  const lines = original.split("\n");
  const def = lines.findIndex((l) => DEF.test(l.trim()));
  if (def < 0) return { problem: "a Python docstring goes into a def or class, and the code to document has none" };
  const header = headerEnd(lines, def);
  if (header < 0) return { problem: "the def's or class's header has no end" };
  if (afterColon(lines[header]!)) return { problem: "a one-line def or class has no body line to put a docstring above" };
  const doc = answerDocstring(answer.split("\n"), lines[def]!, partial);
  if ("problem" in doc) return doc;
  const body = lines.findIndex((l, i) => i > header && l.trim() !== "" && !l.trim().startsWith("#"));
  const existing = body >= 0 ? docstringAt(lines, body) : undefined;
  const indent = body >= 0 ? indentOf(lines[body]!) : indentOf(lines[def]!) + "    ";
  const placed = rebaseDocstring(doc.lines, indent);
  const at = existing ? existing.start : header + 1;
  return { code: [...lines.slice(0, at), ...placed, ...lines.slice(existing ? existing.end : at)].join("\n") };
}

/** The line that ends a def's or class's header (brackets closed, a colon at its end); -1 when none does. */
function headerEnd(lines: readonly string[], from: number): number {
  let depth = 0;
  for (let i = from; i < lines.length; i++) {
    const code = lines[i]!.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/, "");
    for (const ch of code) {
      if ("([{".includes(ch)) depth++;
      else if (")]}".includes(ch)) depth--;
    }
    if (depth <= 0 && (/:\s*$/.test(code) || afterColon(code))) return i;
  }
  return -1;
}

/** Whether a header line goes on after its closing colon (`def f(): return 1`). */
function afterColon(line: string): boolean {
  const code = line.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/, "");
  return /\)\s*(->\s*[^:]+)?:\s*\S/.test(code) || /^\s*class\s+\w+(\([^)]*\))?\s*:\s*\S/.test(code);
}

/** The string literal that starts on line `at`, if it is one (a docstring when it is the body's first statement). */
function docstringAt(lines: readonly string[], at: number): Docstring | undefined {
  const text = lines[at]!.trim();
  const m = STRING_START.exec(text);
  if (!m) return undefined;
  const quote = m[2]!;
  const rest = text.slice(m[0].length);
  if (quote.length === 1 || rest.includes(quote)) return { start: at, end: at + 1, closed: quote.length === 1 || rest.includes(quote) };
  for (let i = at + 1; i < lines.length; i++) if (lines[i]!.includes(quote)) return { start: at, end: i + 1, closed: true };
  return { start: at, end: lines.length, closed: false };
}

function answerDocstring(lines: readonly string[], def: string, partial: boolean): { lines: string[] } | { problem: string } {
  let found: Docstring | undefined;
  const same = lines.findIndex((l) => l.trim() === def.trim());
  const head = /^[^(:]*/.exec(def.trim())![0];
  const at = same >= 0 ? same : lines.findIndex((l) => l.trim().startsWith(head) && DEF.test(l.trim()));
  if (at >= 0) {
    const header = headerEnd(lines, at);
    const body = header >= 0 ? lines.findIndex((l, i) => i > header && l.trim() !== "" && !l.trim().startsWith("#")) : -1;
    found = body >= 0 ? docstringAt(lines, body) : undefined;
  } else {
    // No def yet (still writing), or an answer that is only the docstring.
    const first = lines.findIndex((l) => l.trim() !== "");
    found = first >= 0 ? docstringAt(lines, first) : undefined;
  }
  if (!found) return { problem: NO_DOCS };
  if (!found.closed && !(partial && found.end === lines.length)) return { problem: UNCLOSED };
  return { lines: lines.slice(found.start, found.end) };
}

/** A docstring moved to the body's indentation: its opening line's indentation is the statement's. */
function rebaseDocstring(lines: readonly string[], indent: string): string[] {
  const own = indentOf(lines[0]!);
  return lines.map((l, i) => {
    if (!l.trim()) return "";
    if (i === 0 || l.startsWith(own)) return indent + l.slice(own.length).replace(/\s+$/, "");
    return indent + l.trim();
  });
}

/**
 * Where Document's target starts once the comment and decorator lines right above it (no blank line between) are
 * taken in: a selection of the function alone has its doc comment replaced, not a second one added. Python's docstring
 * is inside the body, so a Python target stays as it is.
 */
export function documentationStart(text: string, start: number, languageId: string): number {
  if (languageId === "python" || start === 0) return start;
  const above = text.slice(0, start).split("\n");
  above.pop(); // the target's own line, up to its start
  const { kinds } = classifyLines(above, commentSyntaxFor(languageId));
  let first = above.length;
  while (first > 0 && (kinds[first - 1] === "comment" || kinds[first - 1] === "decorator")) first--;
  if (first === above.length) return start;
  return above.slice(0, first).reduce((offset, line) => offset + line.length + 1, 0);
}
