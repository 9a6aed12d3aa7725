import { CLOSERS } from "../../code/code-syntax";
import { scanCode } from "../../code/code-scanner";
import { indentWidth } from "./postprocess-context";
import type { PostprocessContext } from "./postprocess-context";

/** What the stop rules decided, for the transforms that run once the text is complete. */
export interface StopInfo {
  /** The stop rule that cut the text, or null when the text ended on its own (or by a token limit). */
  stoppedBy: string | null;
  /** The engine stopped at its token limit: the model had not finished, so nothing says where the suggestion ends. */
  tokenLimit: boolean;
}

/** Stop rules whose cut is a truncation, not a place the code ends: what they keep may leave a bracket open. */
const TRUNCATING_RULES = new Set(["max-lines", "unsafe-character", "repeated-line"]);

/**
 * Lines a multi-line suggestion keeps when the token limit ended it (no block end, no end from the model). Eight lines
 * are read at a glance before Tab, hold 98% of SAFIM's block middles and 81% of HumanEval's multi-line ones, and are
 * well under the 20 lines of noise the test model once wrote; a suggestion that a block end or the model ended is not
 * capped (HumanEval's function bodies end the file and run to 29 lines).
 */
export const UNENDED_MAX_LINES = 8;

/** A whole-text transform applied once generation is over; null means "no suggestion". */
export interface FinalTransform {
  readonly name: string;
  apply(text: string, ctx: PostprocessContext, info: StopInfo): string | null;
}

export const capUnendedSuggestion: FinalTransform = {
  name: "unended-cap",
  apply(text, ctx, info) {
    if (!ctx.multiline || !info.tokenLimit || info.stoppedBy !== null) return text;
    let end = -1;
    for (let line = 0; line < UNENDED_MAX_LINES; line++) {
      end = text.indexOf("\n", end + 1);
      if (end < 0) return text;
    }
    return text.slice(0, end);
  },
};

/**
 * Text cut off in the middle of a construct (the model ran out of tokens) would leave a bracket open: fall back to the
 * last line where every bracket the completion opened is closed again.
 */
export const cutToBalancedLine: FinalTransform = {
  name: "balanced-line",
  apply(text, ctx, info) {
    if (!ctx.multiline || (info.stoppedBy !== null && !TRUNCATING_RULES.has(info.stoppedBy))) return text;
    const scan = scanCode(text, ctx.syntax, ctx.prefixState);
    if (scan.endDepth === 0 || scan.end.mode !== "code") return text;
    for (let i = scan.lines.length - 1; i >= 1; i--) {
      const line = scan.lines[i];
      if (line.depth === 0 && line.startsInCode) {
        const kept = text.slice(0, line.start - 1);
        if (kept.trim() !== "") return kept;
      }
    }
    return text;
  },
};

/** The completion ends with exactly what already follows the cursor on its line: drop the repeat. */
export const removeRepeatedLineSuffix: FinalTransform = {
  name: "repeated-line-suffix",
  apply(text, ctx) {
    const rest = ctx.lineSuffix.trim();
    // Closing brackets alone are judged by block-end, which knows whether they are balanced.
    if (rest === "" || [...rest].every((c) => c in CLOSERS || c === " ")) return text;
    const trimmed = text.trimEnd();
    if (!trimmed.endsWith(rest)) return text;
    return trimmed.slice(0, trimmed.length - rest.length);
  },
};

/**
 * Keeps the completion's indentation in the document's style: the editor already indented the cursor's line, and the
 * following lines use the document's tabs or spaces.
 */
export const matchIndentation: FinalTransform = {
  name: "indentation",
  apply(text, ctx) {
    let out = text;
    if (ctx.linePrefix !== "" && ctx.linePrefix.trim() === "") out = out.replace(/^[ \t]+/, "");
    if (!out.includes("\n")) return out;
    const lines = out.split("\n");
    const unit = ctx.indentUnit;
    // A document that already mixes tabs and spaces has no style to restore.
    if (unit === "") return out;
    const useTabs = unit === "\t";
    const modelUnit = detectModelUnit(lines.slice(1));
    const leads = lines.slice(1).filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)?.[0] ?? "");
    // Only a completion that is consistent in itself is re-indented: mixed input is the model copying mixed code.
    if (leads.some((l) => l.includes("\t")) && leads.some((l) => l.includes(" "))) return out;
    for (let i = 1; i < lines.length; i++) {
      const m = /^[ \t]*/.exec(lines[i]);
      const lead = m ? m[0] : "";
      if (lead === "") continue;
      const hasTab = lead.includes("\t");
      const hasSpace = lead.includes(" ");
      if (useTabs && hasSpace && !hasTab && modelUnit > 0) {
        const levels = Math.floor(lead.length / modelUnit);
        lines[i] = "\t".repeat(levels) + " ".repeat(lead.length - levels * modelUnit) + lines[i].slice(lead.length);
      } else if (!useTabs && hasTab) {
        lines[i] = lead.replace(/\t/g, unit) + lines[i].slice(lead.length);
      }
    }
    return lines.join("\n");
  },
};

/**
 * Trailing whitespace is noise, except a final newline when the cursor's line continues after it: that newline keeps
 * the completion and the existing text on separate lines.
 */
export const trimTrailingWhitespace: FinalTransform = {
  name: "trailing-whitespace",
  apply(text, ctx) {
    const trimmed = text.trimEnd();
    const keepNewline = /\n[ \t]*$/.test(text) && ctx.lineSuffix.trim() !== "" && ctx.linePrefix.trim() === "" && trimmed !== "";
    return keepNewline ? trimmed + "\n" : trimmed;
  },
};

export const dropBlank: FinalTransform = {
  name: "blank",
  apply(text) {
    return text.trim() === "" ? null : text;
  },
};

export const DEFAULT_FINAL_TRANSFORMS: readonly FinalTransform[] = [
  capUnendedSuggestion,
  cutToBalancedLine,
  removeRepeatedLineSuffix,
  matchIndentation,
  trimTrailingWhitespace,
  dropBlank,
];

function detectModelUnit(lines: readonly string[]): number {
  let unit = 0;
  for (const line of lines) {
    if (line.trim() === "" || !line.startsWith(" ")) continue;
    const w = indentWidth(line);
    if (w > 0 && (unit === 0 || w < unit)) unit = w;
  }
  return Math.min(unit, 8);
}
