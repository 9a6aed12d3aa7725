import { withProjectRules } from "../chat/project-rules";
import { quoteWorkspaceSnippet } from "../chat/prompt";
import type { ChatMessage } from "../engine/protocol";
import type { QuotedSnippet } from "./codebase-context";
import { docConventionFor, fenceTagFor } from "./conventions";
import type { TestFramework } from "./test-frameworks";

/** The actions that answer with code shown as a diff (Explain answers in the chat instead). */
export type EditAction = "fix" | "document" | "tests" | "edit";

export interface ActionDiagnostic {
  /** 1-based line in the file. */
  line: number;
  message: string;
  source?: string;
}

export interface ActionPromptInput {
  action: EditAction;
  languageId: string;
  /** Workspace-relative path of the file. */
  path: string;
  /** The code the action works on: whole lines of the file. */
  target: string;
  /** 1-based first line of the target. */
  startLine: number;
  /** A few lines before and after the target, for orientation (not to be repeated). */
  before?: string;
  after?: string;
  /** The file's import lines. */
  imports?: string;
  /** Definitions of symbols the target uses, from this file, imported files or the workspace. */
  definitions?: readonly { path: string; text: string }[];
  /** Fix: the problems reported in the target. */
  diagnostics?: readonly ActionDiagnostic[];
  /** Edit: what the user asked for. */
  instruction?: string;
  /** Tests: the framework the project uses and where the tests go. */
  framework?: TestFramework | null;
  testPath?: string;
  /** Tests: the beginning of the existing test file, to follow its style and imports. */
  existingTests?: string;
  /** The project's rules section (chat/project-rules.ts), sent after the system rule. */
  rules?: string;
  /** Fix and Generate Tests: code codebase search found (codebase-context.ts), quoted as workspace data. */
  codebase?: readonly QuotedSnippet[];
}

/** Characters of definitions sent at most (a small local model reads a few hundred tokens well, not thousands). */
const MAX_DEFINITION_CHARS = 4000;
const MAX_EXISTING_TEST_CHARS = 2000;

export const ACTION_SYSTEM_PROMPT =
  "You are Hearth, a coding assistant that edits code on the user's own machine. You answer with code only: " +
  "exactly one fenced Markdown code block with a language tag, and no explanation before or after it.";

/** The chat messages for an action: the system rule, then one user message with the context, the code and the task. */
export function buildActionMessages(input: ActionPromptInput): ChatMessage[] {
  const tag = fenceTagFor(input.languageId);
  const fence = input.target.includes("```") ? "````" : "```";
  const block = (text: string, lang = tag) => `${fence}${lang}\n${text.replace(/\n$/, "")}\n${fence}`;
  const parts: string[] = [];
  if (input.imports?.trim()) parts.push(`Imports of ${input.path}:\n${block(input.imports)}`);
  const definitions = pickDefinitions(input.definitions ?? []);
  if (definitions.length) parts.push(`Definitions the code uses:\n${definitions.map((d) => `From ${d.path}:\n${block(d.text)}`).join("\n\n")}`);
  if (input.codebase?.length) {
    const intro = input.action === "tests" ? "Existing tests in this project, found by codebase search (follow how they use the test framework):" : "Related code found by codebase search:";
    parts.push(`${intro}\n\n${input.codebase.map((s) => quoteWorkspaceSnippet(s.detail, tag, s.text)).join("\n\n")}`);
  }
  if (input.action === "tests" && input.existingTests?.trim()) {
    parts.push(`The existing test file ${input.testPath ?? ""} begins:\n${block(input.existingTests.slice(0, MAX_EXISTING_TEST_CHARS))}`);
  }
  if (input.before?.trim()) parts.push(`Code just before it (do not repeat it):\n${block(input.before)}`);
  parts.push(`The code, from ${input.path} line ${input.startLine}:\n${block(input.target)}`);
  if (input.after?.trim()) parts.push(`Code just after it (do not repeat it):\n${block(input.after)}`);
  parts.push(taskFor(input, tag));
  return [
    { role: "system", content: withProjectRules(ACTION_SYSTEM_PROMPT, input.rules) },
    { role: "user", content: parts.join("\n\n") },
  ];
}

/**
 * Edit's messages up to where the instruction goes, known before the user has typed it: the engine evaluates them
 * (prefillChat) while the instruction box is open, and the messages buildActionMessages returns with the instruction
 * begin with exactly this text.
 */
export function instructionPrefixMessages(input: Omit<ActionPromptInput, "action" | "instruction">): ChatMessage[] {
  const marker = `<instruction ${Math.random().toString(36).slice(2)}>`;
  const messages = buildActionMessages({ ...input, action: "edit", instruction: marker });
  const last = messages.at(-1)!;
  return [...messages.slice(0, -1), { role: "user", content: last.content.slice(0, last.content.indexOf(marker)) }];
}

function taskFor(input: ActionPromptInput, tag: string): string {
  const replace = `Answer with the complete replacement for the code above in one \`\`\`${tag} block: keep its indentation, change nothing else, no explanation.`;
  switch (input.action) {
    case "fix": {
      const problems = (input.diagnostics ?? []).map((d) => `- line ${d.line}: ${d.message}${d.source ? ` (${d.source})` : ""}`);
      const what = problems.length ? `Fix these problems reported in it:\n${problems.join("\n")}` : "Find and fix the bugs in it.";
      return `Task: ${what}\n${replace}`;
    }
    case "document": {
      const convention = docConventionFor(input.languageId);
      return (
        `Task: document this code with ${convention.name}: ${convention.rule}. Document what it does, its parameters and ` +
        `what it returns; replace an existing doc comment rather than adding a second one. Do not change the code itself.\n${replace}`
      );
    }
    case "edit":
      return `Task: ${input.instruction?.trim() || "improve this code"}\n${replace}`;
    case "tests": {
      const framework = input.framework ? `${input.framework.name}, the framework this project uses` : `the usual test framework for ${input.languageId}`;
      const where = input.framework?.id === "cargo-test" ? "a #[cfg(test)] mod tests to append to the same file" : `the test file ${input.testPath ?? ""}`;
      const imports = input.existingTests?.trim() ? "Add only new tests that fit after the existing ones (no repeated imports)." : "Include the imports the tests need.";
      return (
        `Task: write unit tests for the code above with ${framework}, for ${where}. Cover normal cases, edge cases and ` +
        `errors. ${imports}\nAnswer with the test code only, in one \`\`\`${tag} block, no explanation.`
      );
    }
  }
}

function pickDefinitions(definitions: readonly { path: string; text: string }[]): { path: string; text: string }[] {
  const picked: { path: string; text: string }[] = [];
  let used = 0;
  for (const d of definitions) {
    if (used + d.text.length > MAX_DEFINITION_CHARS) continue;
    picked.push(d);
    used += d.text.length;
  }
  return picked;
}

/** The question Explain puts into the chat, with the code attached as the selection. */
export function explainQuestion(label: string, diagnostics: readonly ActionDiagnostic[] = []): string {
  const problems = diagnostics.length ? ` Also explain these reported problems: ${diagnostics.map((d) => `line ${d.line}: ${d.message}`).join("; ")}.` : "";
  return `Explain what ${label} does: its purpose, how it works step by step, and anything surprising or risky in it.${problems}`;
}
