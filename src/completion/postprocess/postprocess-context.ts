import { getCodeSyntax } from "../../code/code-syntax";
import type { CodeSyntax } from "../../code/code-syntax";
import { scanCode } from "../../code/code-scanner";
import type { ScanState } from "../../code/code-scanner";

/** What the caller knows about one completion request. */
export interface PostprocessRequest {
  prefix: string;
  suffix: string;
  languageId: string;
  multiline: boolean;
  /** Stop after this many lines (multi-line only); none by default. */
  maxLines?: number;
}

/** Facts about the text around the cursor, computed once per request and shared by every transform. */
export interface PostprocessContext {
  readonly syntax: CodeSyntax;
  readonly multiline: boolean;
  readonly maxLines: number;
  /** The cursor's line up to the cursor, and after it (without "\r"). */
  readonly linePrefix: string;
  readonly lineSuffix: string;
  /** The suffix's non-blank lines, trimmed; the first is the rest of the cursor's line when the cursor starts that line. */
  readonly suffixLines: readonly string[];
  /** The last non-blank line before the cursor's line, without trailing whitespace ("" when none). */
  readonly previousLine: string;
  /** First non-whitespace character of the suffix ("" when none). */
  readonly nextSuffixChar: string;
  /** Lexical state at the cursor: open brackets, and whether the cursor is inside a string or comment. */
  readonly prefixState: ScanState;
  /** Indentation width of the cursor's line once the completion starts writing on it. */
  readonly cursorIndent: number;
  /** Python: indentation of the def/class that encloses the cursor (null at module level or for brace languages). */
  readonly enclosingDefinitionIndent: number | null;
  /** The document's indentation: a tab, or the run of spaces one level takes; "" when it mixes both. */
  readonly indentUnit: string;
}

/** Beyond this, the start of the prefix cannot change what brackets are open at the cursor in any realistic file. */
const PREFIX_SCAN_CHARS = 200_000;
const SUFFIX_LINES = 8;

export function createPostprocessContext(req: PostprocessRequest): PostprocessContext {
  const syntax = getCodeSyntax(req.languageId);
  const lastNewline = req.prefix.lastIndexOf("\n");
  const linePrefix = stripCr(req.prefix.slice(lastNewline + 1));
  const suffixFirstNewline = req.suffix.indexOf("\n");
  const lineSuffix = stripCr(suffixFirstNewline < 0 ? req.suffix : req.suffix.slice(0, suffixFirstNewline));
  const cursorAtLineStart = linePrefix.trim() === "";

  const suffixLines: string[] = [];
  const rawSuffixLines = req.suffix.split("\n", 64);
  rawSuffixLines.forEach((line, i) => {
    if (suffixLines.length >= SUFFIX_LINES) return;
    if (i === 0 && !cursorAtLineStart) return; // the rest of a partly typed line is not a line of its own
    const t = normalizeLine(line);
    if (t) suffixLines.push(t);
  });

  const prefixTail = req.prefix.length > PREFIX_SCAN_CHARS ? req.prefix.slice(-PREFIX_SCAN_CHARS) : req.prefix;
  const prefixState = scanCode(prefixTail, syntax).end;

  return {
    syntax,
    multiline: req.multiline,
    maxLines: req.maxLines ?? Number.POSITIVE_INFINITY,
    linePrefix,
    lineSuffix,
    suffixLines,
    previousLine: lastNonBlankLine(req.prefix.slice(0, lastNewline + 1)),
    nextSuffixChar: req.suffix.trimStart().charAt(0),
    prefixState,
    cursorIndent: indentWidth(linePrefix),
    enclosingDefinitionIndent: syntax.indentationBlocks ? findEnclosingDefinitionIndent(req.prefix, indentWidth(linePrefix), cursorAtLineStart) : null,
    indentUnit: detectIndentUnit(req.prefix.slice(-20_000) + "\n" + req.suffix.slice(0, 5_000)),
  };
}

export function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Lines compare equal when they differ only in indentation and spacing runs. */
export function normalizeLine(line: string): string {
  return line.trim().replace(/\s+/g, " ");
}

/** Width of a line's indentation, a tab counting as 4 columns. */
export function indentWidth(line: string): number {
  let w = 0;
  for (const c of line) {
    if (c === " ") w++;
    else if (c === "\t") w += 4;
    else break;
  }
  return w;
}

function lastNonBlankLine(text: string): string {
  let end = text.length;
  // Bounded: a prefix of blank lines is no reason to walk the whole file.
  for (let scanned = 0; end > 0 && scanned < 200; scanned++) {
    const start = text.lastIndexOf("\n", end - 1);
    const line = text.slice(start + 1, end).trimEnd();
    if (line !== "") return line;
    end = start < 0 ? 0 : start;
  }
  return "";
}

const DEFINITION_HEADER = /^(\s*)(?:async\s+def|def|class)\s/;

/**
 * Python: the def/class whose body holds the cursor. Walks up the prefix; a less-indented line that is not a header
 * closes every block deeper than itself.
 */
function findEnclosingDefinitionIndent(prefix: string, cursorIndent: number, cursorAtLineStart: boolean): number | null {
  let limit = Number.POSITIVE_INFINITY;
  let end = prefix.length;
  // A cursor at the start of a blank line has not chosen its indentation yet: it belongs to whatever block precedes.
  if (!cursorAtLineStart || cursorIndent > 0) limit = cursorIndent;
  if (limit === 0) return null;
  for (let scanned = 0; end > 0 && scanned < 2000; scanned++) {
    const start = prefix.lastIndexOf("\n", end - 1);
    const line = stripCr(prefix.slice(start + 1, end));
    end = start < 0 ? 0 : start;
    if (scanned === 0) continue; // the cursor's own line
    if (line.trim() === "") continue;
    const w = indentWidth(line);
    if (w >= limit) continue;
    if (DEFINITION_HEADER.test(line)) return w;
    limit = w;
    if (w === 0) return null;
  }
  return null;
}

function detectIndentUnit(tail: string): string {
  let tabs = 0;
  let spaces = 0;
  const widths = new Map<number, number>();
  let previous = 0;
  for (const raw of tail.split("\n")) {
    if (raw.trim() === "") continue;
    if (raw.startsWith("\t")) tabs++;
    else if (raw.startsWith(" ")) spaces++;
    const w = indentWidth(raw);
    const delta = w - previous;
    if (delta > 0 && !raw.startsWith("\t")) widths.set(delta, (widths.get(delta) ?? 0) + 1);
    previous = w;
  }
  if (tabs > 0 && spaces > 0) return "";
  if (tabs > spaces) return "\t";
  let best = 4;
  let bestCount = 0;
  for (const [w, count] of widths) if (w <= 8 && count > bestCount) [best, bestCount] = [w, count];
  return " ".repeat(best);
}
