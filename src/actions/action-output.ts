import type { Destination } from "./action-destination";
import type { ActionSyntax } from "./action-services";
import { cleanActionOutput } from "./clean-output";
import { classifyLines, commentSyntaxFor } from "./comment-lines";
import { documentCode } from "./doc-comment";
import type { EditAction } from "./prompts";

// From the model's answer to the text an action proposes for its destination, and nothing outside it: Document
// places only the answer's documentation into the original; Fix and Edit keep, of an answer that rewrote more than the
// one declaration they target, only that declaration; Generate Tests leaves out imports the test file already has.

export type Shaped = { code: string; open: boolean } | { problem: string } | null;

export interface OutputShaper {
  /** The answer so far (`final` false while the model writes), as the code for the destination; null when none. */
  shape(output: string, final: boolean): Promise<Shaped>;
}

export interface ShaperInput {
  action: EditAction;
  destination: Destination;
  languageId: string;
  indentUnit: string | undefined;
  syntax: ActionSyntax;
}

export function outputShaper({ action, destination, languageId, indentUnit, syntax }: ShaperInput): OutputShaper {
  const clean = (output: string) =>
    cleanActionOutput({
      output,
      languageId,
      original: destination.original,
      before: destination.before,
      after: destination.after,
      ...(indentUnit ? { indentUnit } : {}),
      ...(destination.baseIndent !== undefined ? { baseIndent: destination.baseIndent } : {}),
    });
  return {
    shape: async (output, final) => {
      const cleaned = clean(output);
      if (!cleaned) return null;
      const { open } = cleaned;
      switch (action) {
        case "document": {
          const documented = documentCode(destination.original, cleaned.code, languageId, !final);
          if ("problem" in documented) return final ? documented : null;
          return { code: documented.code, open };
        }
        case "tests":
          return { code: withoutKnownImports(cleaned.code, destination.before, languageId), open };
        default:
          return { code: final ? await oneDeclaration(syntax, languageId, destination.original, cleaned.code) : cleaned.code, open };
      }
    },
  };
}

const IMPORT = /^(import\b|from\s+\S+\s+import\b|(const|let|var)\s+[\w{}\s,]+=\s*require\(|use\s|#include\b|using\s|require\b|require_relative\b)/;

/** New tests without the leading import lines that the test file they go into already has. */
export function withoutKnownImports(code: string, existing: string, languageId: string): string {
  if (!existing.trim()) return code;
  const known = new Set(existing.split("\n").map((l) => l.trim()).filter((l) => IMPORT.test(l)));
  const lines = code.split("\n");
  const { kinds } = classifyLines(lines, commentSyntaxFor(languageId));
  let start = 0;
  while (start < lines.length && (kinds[start] === "blank" || known.has(lines[start]!.trim()))) start++;
  return start === 0 || start === lines.length ? code : lines.slice(start).join("\n");
}

/**
 * When the original is one declaration (with its comments) and the answer holds that declaration among others (the
 * model rewrote the code around it too), the answer's version of that declaration alone; else the answer as it is.
 */
export async function oneDeclaration(syntax: ActionSyntax, languageId: string, original: string, code: string): Promise<string> {
  const own = await declarationOf(syntax, languageId, original, firstCodeLine(original, languageId));
  if (!own || original.slice(own.start, own.end).trim() !== original.trim()) return code;
  const head = original.split("\n")[own.line]!.trim();
  const lines = code.split("\n");
  const line = lines.findIndex((l) => l.trim() === head);
  if (line < 0) return code;
  const found = await declarationOf(syntax, languageId, code, line);
  if (!found) return code;
  const narrowed = code.slice(found.start, found.end);
  return narrowed.trim() === code.trim() ? code : narrowed;
}

function firstCodeLine(text: string, languageId: string): number {
  const { kinds } = classifyLines(text.split("\n"), commentSyntaxFor(languageId));
  return Math.max(0, kinds.indexOf("code"));
}

/** The whole lines of the declaration that `line` begins (found from its last character: `export` is outside it). */
async function declarationOf(syntax: ActionSyntax, languageId: string, text: string, line: number): Promise<{ start: number; end: number; line: number } | null> {
  const lines = text.split("\n");
  const lineStart = lines.slice(0, line).reduce((offset, l) => offset + l.length + 1, 0);
  const at = lineStart + Math.max(0, (lines[line] ?? "").trimEnd().length - 1);
  const found = await syntax.findDeclaration(languageId, text, at).catch(() => null);
  if (!found) return null;
  const start = text.lastIndexOf("\n", found.startIndex - 1) + 1;
  const newline = text.indexOf("\n", found.endIndex);
  return { start, end: newline < 0 ? text.length : newline, line };
}
