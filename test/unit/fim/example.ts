// The one example every FIM test renders: a Python file with one snippet from another file.
import { renderFimPrompt } from "../../../src/fim/layout";
import type { FimFormat, FimSnippet, PromptPiece } from "../../../src/fim/types";

export const text = (value: string): PromptPiece => ({ kind: "text", text: value });
export const special = (token: string): PromptPiece => ({ kind: "special", token });

export const PREFIX = "def area(r):\n    return ";
export const SUFFIX = " * r * r\n\nprint(area(2))\n";
const SNIPPETS: FimSnippet[] = [{ path: "consts.py", content: "PI = 3.14159\n" }];
export const EXAMPLE = { prefix: PREFIX, suffix: SUFFIX, snippets: SNIPPETS, filePath: "geometry.py", repoName: "shapes", languageId: "python" };

/** The example's prompt pieces in `format`, with `overrides` applied to the example. */
export function render(format: FimFormat, overrides: Partial<typeof EXAMPLE> = {}): PromptPiece[] {
  return renderFimPrompt({ format, ...EXAMPLE, ...overrides }).pieces;
}
