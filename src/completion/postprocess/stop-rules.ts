import { CLOSERS, OPENERS } from "../../code/code-syntax";
import type { ScanResult } from "../../code/code-scanner";
import { indentWidth, normalizeLine, stripCr } from "./postprocess-context";
import type { PostprocessContext } from "./postprocess-context";
import { stopAtUnsafeCharacter } from "./unsafe-characters";

/**
 * One reason to stop a completion. Rules see the text generated so far; while `final` is false more may come, so a
 * rule that needs a whole line waits for its newline. Each returns the offset to cut at, or null to keep everything.
 */
export interface StopRule {
  readonly name: string;
  findCut(text: string, scan: ScanResult, ctx: PostprocessContext, final: boolean): number | null;
}

/** A single-line request ends at the first newline. */
export const stopAtLineEnd: StopRule = {
  name: "line-end",
  findCut(text, _scan, ctx, final) {
    if (ctx.multiline) return null;
    const i = text.indexOf("\n");
    if (i < 0) return null;
    // At the start of a line that has text after the cursor, the model may write a new line and then move the old
    // one down: the newline then belongs to the suggestion.
    const rest = ctx.lineSuffix.trim();
    if (ctx.linePrefix.trim() === "" && rest !== "" && text.slice(0, i).trim() !== "") {
      const next = text.slice(i + 1).trimStart();
      if (next.length < rest.length && !final) return null;
      if (next.startsWith(rest)) return i + 1;
    }
    return i;
  },
};

/**
 * The completion closes a bracket it did not open: it has reached the end of the block (or argument list) the cursor
 * is in. If the document already has that closer after the cursor (auto-closed), cut before it; otherwise keep the
 * closer and the punctuation that ends its line, and stop there.
 */
export const stopAtBlockEnd: StopRule = {
  name: "block-end",
  findCut(text, scan, ctx, final) {
    const closer = scan.unmatchedCloser;
    if (!closer) return null;
    const expected = ctx.prefixState.stack.at(-1);
    const closesExpected = expected === undefined || OPENERS[expected] === closer.char;
    if (ctx.nextSuffixChar === closer.char || ctx.nextSuffixChar in CLOSERS || !closesExpected) return closer.index;
    // Where indentation makes the blocks, a closing bracket ends a literal or a call, not the block: dedent decides.
    if (ctx.syntax.indentationBlocks) return null;
    const newline = text.indexOf("\n", closer.index);
    if (newline < 0 && !final) return null;
    let end = closer.index + 1;
    while (end < text.length && /[)\]};,\t ]/.test(text[end])) end++;
    return end;
  },
};

/**
 * The completion has started writing what already follows the cursor: the next non-blank lines of the suffix. Lines
 * made only of brackets do not count on their own (block-end judges those); three matching lines, or all that are
 * left, decide.
 */
export const stopAtSuffixRepeat: StopRule = {
  name: "suffix-repeat",
  findCut(text, scan, ctx, final) {
    const lines = splitLines(text, scan);
    // The first line runs into the rest of the cursor's line (`foo(x)` + `;  // note`): the line is complete there.
    const rest = normalizeLine(ctx.lineSuffix);
    if (rest !== "" && /[^\s)\]}]/.test(rest) && (lines.length > 1 || final)) {
      const first = lines[0].text;
      if (first.length > rest.length && first.endsWith(rest)) return lines.length > 1 ? lines[1].start - 1 : text.length;
    }
    const wanted = ctx.suffixLines;
    if (wanted.length === 0) return null;
    const complete = final ? lines.length : lines.length - 1;
    const cursorLineTyped = ctx.linePrefix.trim() !== "";
    for (let i = cursorLineTyped ? 1 : 0; i < complete; i++) {
      const line = lines[i];
      if (!line.startsInCode || line.text === "") continue;
      if (line.text !== wanted[0]) continue;
      const following: string[] = [];
      for (let k = i; k < complete && following.length < 3; k++) if (lines[k].text !== "") following.push(lines[k].text);
      let matched = 0;
      let substantial = false;
      while (matched < following.length && matched < wanted.length && following[matched] === wanted[matched]) {
        if (/[\p{L}\p{N}_]/u.test(following[matched])) substantial = true;
        matched++;
      }
      const needed = final ? Math.min(3, following.length, wanted.length) : Math.min(3, wanted.length);
      if (matched >= needed && substantial) return line.start;
    }
    return null;
  },
};

const PY_HEADER = /^(?:async\s+def|def|class)\s/;

/**
 * Indentation-delimited languages: stop where a line leaves the def/class the cursor is in, or, when the completion
 * itself starts a def/class, where that definition ends.
 */
export const stopAtDedent: StopRule = {
  name: "dedent",
  findCut(text, scan, ctx, final) {
    if (!ctx.multiline || !ctx.syntax.indentationBlocks) return null;
    const lines = splitLines(text, scan);
    const complete = final ? lines.length : lines.length - 1;
    const cursorLineTyped = ctx.linePrefix.trim() !== "";
    const widthOf = (i: number): number => (i === 0 ? ctx.cursorIndent + indentWidth(lines[0].raw) : indentWidth(lines[i].raw));

    let limit = ctx.enclosingDefinitionIndent ?? -1;
    // The first statement the completion writes on its own line: a def/class header there bounds the completion.
    let header = cursorLineTyped ? 1 : 0;
    while (header < complete && lines[header].text === "") header++;
    while (header < complete && lines[header].text.startsWith("@")) header++;
    if (header < complete && PY_HEADER.test(lines[header].text) && (header === 0 || lines[header].startsInCode)) {
      limit = Math.max(limit, widthOf(header));
    } else header = -1;
    if (limit < 0) return null;
    for (let i = Math.max(1, header + 1); i < complete; i++) {
      const line = lines[i];
      if (line.text === "" || !line.startsInCode || line.depth > 0) continue;
      // Leaving the enclosing def for module level or for the next definition; an inner helper's end is not the end.
      const width = widthOf(i);
      if (width <= limit && (width === 0 || line.text.startsWith("@") || PY_HEADER.test(line.text))) return line.start;
    }
    return null;
  },
};

/** At the top level of a brace language, one construct at a time: stop when the first block the completion opens closes. */
export const stopAtTopLevelBlockEnd: StopRule = {
  name: "top-level-block-end",
  findCut(_text, scan, ctx) {
    if (!ctx.multiline || ctx.syntax.indentationBlocks || ctx.prefixState.stack.length > 0 || ctx.prefixState.mode !== "code") return null;
    let opened = false;
    for (let i = 1; i < scan.lines.length; i++) {
      const line = scan.lines[i];
      if (line.depth > 0) opened = true;
      else if (opened && line.startsInCode) return line.start - 1;
    }
    return null;
  },
};

/**
 * Lines that repeat in correct code: closers and separators without a letter or digit (`}`, `#`, `*\/`), one word that
 * ends a block (`end`, `fi`, `pass`, `break;`), a closing tag.
 */
function mayRepeat(line: string): boolean {
  return !/[\p{L}\p{N}]/u.test(line) || /^[\p{L}\p{N}_$#@.]+[;:,]?$/u.test(line) || /^<\/[^<>]*>$/.test(line);
}

/**
 * A model that starts repeating itself does not stop on its own. Cut at the first repeat of a line once the line
 * comes a third time in a row (blank lines between do not break the run), keeping one copy, as Continue does; Tabby
 * waits for five similar lines. One repeat alone is correct code often enough (`res.pop_back();` twice) that cutting
 * there would cost exact matches on the post-processing bench. Indentation counts: the same statement one level out
 * is another statement. The line before the first one of a suggestion that starts its own line is the document's.
 */
export const stopAtRepeatedLine: StopRule = {
  name: "repeated-line",
  findCut(text, scan, ctx, final) {
    if (!ctx.multiline) return null;
    const lines = splitLines(text, scan);
    const complete = final ? lines.length : lines.length - 1;
    const cursorLineTyped = ctx.linePrefix.trim() !== "";
    let previous = cursorLineTyped ? "" : ctx.previousLine;
    let run = previous === "" ? 0 : 1;
    let firstRepeat = 0;
    for (let i = 0; i < complete; i++) {
      const line = (i === 0 ? ctx.linePrefix + firstLineIndented(lines[0].raw, ctx) : lines[i].raw).trimEnd();
      if (line.trim() === "") continue;
      if (line !== previous || mayRepeat(normalizeLine(line))) {
        previous = line;
        run = 1;
        continue;
      }
      run++;
      if (run === 2) firstRepeat = lines[i].start;
      if (run === 3) return firstRepeat;
    }
    return null;
  },
};

/** The first line as it will be shown: after an indented cursor, its own indentation goes (see matchIndentation). */
function firstLineIndented(raw: string, ctx: PostprocessContext): string {
  return ctx.linePrefix !== "" && ctx.linePrefix.trim() === "" ? raw.replace(/^[ \t]+/, "") : raw;
}

export const stopAtMaxLines: StopRule = {
  name: "max-lines",
  findCut(_text, scan, ctx) {
    if (!ctx.multiline || scan.lines.length <= ctx.maxLines) return null;
    return scan.lines[ctx.maxLines].start - 1;
  },
};

export const DEFAULT_STOP_RULES: readonly StopRule[] = [
  stopAtUnsafeCharacter,
  stopAtRepeatedLine,
  stopAtLineEnd,
  stopAtBlockEnd,
  stopAtSuffixRepeat,
  stopAtDedent,
  stopAtTopLevelBlockEnd,
  stopAtMaxLines,
];

interface TextLine {
  start: number;
  raw: string;
  /** Trimmed, with runs of spaces collapsed. */
  text: string;
  depth: number;
  startsInCode: boolean;
}

function splitLines(text: string, scan: ScanResult): TextLine[] {
  return scan.lines.map((info, i) => {
    const end = i + 1 < scan.lines.length ? scan.lines[i + 1].start - 1 : text.length;
    const raw = stripCr(text.slice(info.start, end));
    return { start: info.start, raw, text: normalizeLine(raw), depth: info.depth, startsInCode: info.startsInCode };
  });
}
