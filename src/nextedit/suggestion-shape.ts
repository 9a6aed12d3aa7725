// What kind of display a next-edit suggestion needs, and its new text as one line: decided here, without vscode, so
// the ide layer only draws.
import type { NextEditSuggestion } from "./next-edit-requests";

/** Whether the suggestion only inserts text right at the cursor on its line, so ghost text can show it. */
export function isInsertionAt(suggestion: Pick<NextEditSuggestion, "start" | "end" | "text">, cursor: number): boolean {
  return suggestion.start === suggestion.end && suggestion.start === cursor && !suggestion.text.startsWith("\n");
}

/** Inserted text shown inline: line breaks as a visible mark (a decoration cannot add a line), long text cut. */
export function inlineText(text: string, maxChars = 120): string {
  const lines = text.split("\n");
  const shown = lines.map((line, i) => (i === 0 ? line : line.trimStart())).filter((line, i, all) => line !== "" || (i > 0 && i < all.length - 1));
  const joined = shown.join(" ⏎ ");
  return joined.length > maxChars ? `${joined.slice(0, maxChars - 1)}…` : joined;
}
