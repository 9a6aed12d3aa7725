import type { Conversation } from "./conversation";

/**
 * A conversation as a Markdown document: the questions as written, the answers as the model wrote them (they are
 * Markdown already), and a note where an answer was stopped or failed.
 */
export function exportMarkdown(conversation: Conversation, options: { now?: Date; model?: string } = {}): string {
  const when = (options.now ?? new Date()).toISOString().slice(0, 16).replace("T", " ");
  const lines = [`# ${conversation.title.replace(/\n/g, " ")}`, "", `_Exported from Hearth on ${when}${options.model ? ` · model ${options.model}` : ""}._`, ""];
  for (const entry of conversation.entries) {
    lines.push(entry.role === "user" ? "## You" : "## Hearth", "");
    if (entry.role === "user" && entry.context?.length) lines.push(`> Context: ${entry.context.join(", ")}`, "");
    const body = entry.content.trimEnd();
    if (body) lines.push(body, "");
    // An unclosed fence in a stopped answer would swallow the rest of the document.
    if (countFences(body) % 2 === 1) lines.push("```", "");
    if (entry.note) lines.push(`_${entry.note}_`, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function countFences(text: string): number {
  return text.split("\n").filter((line) => /^\s{0,3}(```|~~~)/.test(line)).length;
}

/** A file name for the export: the title, made safe for every file system. */
export function exportFileName(conversation: Conversation): string {
  const base = conversation.title
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .toLowerCase();
  return `${base || "conversation"}.md`;
}
