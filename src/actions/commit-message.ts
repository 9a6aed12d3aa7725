// Writing a commit message: the prompt (the repository's style, its recent subjects, the diff fitted to the window),
// the model's answer streamed and cleaned into a message. It never commits: the caller puts the text where the user
// reviews it (the Source Control input box).
import { estimateRuleTokens, withProjectRules } from "../chat/project-rules";
import { isAbortError } from "../common/abort";
import type { CountTokens } from "../context/token-estimate";
import type { ChatMessage } from "../engine/protocol";
import type { ActionModel } from "./action-services";
import { budgetDiff, fitEntries, parseUnifiedDiff, printable, type BudgetedDiff } from "./commit-diff";
import { detectCommitStyle, styleInstructions, type CommitStyle } from "./commit-style";

export const COMMIT_SYSTEM_PROMPT =
  "You are Hearth, a coding assistant on the user's own machine. You write git commit messages: a subject line, then, " +
  "only when the change needs explaining, a blank line and a short body wrapped at 72 characters. You answer with the " +
  "commit message only: no code fences, no quotes, no preamble.";

/** Tokens kept for the message itself. */
export const COMMIT_ANSWER_TOKENS = 256;
/** Tokens the diff may take at most, however large the window: a small model summarises a few thousand tokens well. */
const MAX_DIFF_TOKENS = 6000;
const MESSAGE_OVERHEAD_TOKENS = 16;

export interface CommitRequest {
  /** git's unified diff of the changes (`git diff --cached`, or of the working tree when nothing is staged). */
  diff: string;
  /** Files with no diff to show, e.g. untracked files when nothing is staged: listed by path as added. */
  newFiles?: readonly string[];
  /** Recent commit subjects (or whole messages), newest first. */
  recentSubjects: readonly string[];
  /** Whether the diff is of staged changes (else of all changes). */
  staged: boolean;
  /** The project's rules section (chat/project-rules.ts): a team's AGENTS.md often says how commits are written. */
  rules?: string;
  count?: CountTokens;
}

export interface CommitPrompt {
  messages: ChatMessage[];
  style: CommitStyle;
  diff: BudgetedDiff;
}

/** The messages for a commit message within `windowTokens`: the style as rules, recent subjects as examples, the diff. */
export function buildCommitPrompt(request: CommitRequest, windowTokens: number): CommitPrompt {
  // Weighing non-ASCII text by its bytes: a diff of Chinese text is about a token a character, not one per 3.5.
  const count = request.count ?? estimateRuleTokens;
  const style = detectCommitStyle(request.recentSubjects);
  const examples = style.examples.length ? `Recent commit subjects in this repository, to match their style:\n${style.examples.map((s) => `- ${s}`).join("\n")}` : "";
  const rules = `Rules for the message:\n${styleInstructions(style)}\n- Say what changed and why, not how; do not list every file.`;
  const intro = `Write the commit message for these ${request.staged ? "staged changes" : "changes (nothing is staged, so all changes)"}.`;
  const fixed = [intro, examples, rules].filter(Boolean).join("\n\n");
  const system = withProjectRules(COMMIT_SYSTEM_PROMPT, request.rules);
  const left = Math.max(0, Math.min(MAX_DIFF_TOKENS, windowTokens - COMMIT_ANSWER_TOKENS - count(system) - count(fixed) - 3 * MESSAGE_OVERHEAD_TOKENS));
  // Thousands of untracked files (a build folder not ignored) must not crowd out the diff or overflow the window.
  const newFileLines = (request.newFiles ?? []).map((p) => `${printable(p)} (added, not yet tracked)`);
  const newFiles = fitEntries(newFileLines, request.diff.trim() ? Math.floor(left / 2) : left, count).join("\n");
  const room = left - count(newFiles);
  const diff = budgetDiff(parseUnifiedDiff(request.diff), Math.max(0, Math.min(MAX_DIFF_TOKENS, room)), count);
  const changes = [diff.text, newFiles].filter(Boolean).join("\n\n");
  const user = [intro, examples, `The changes:\n${changes || "(no changes)"}`, rules].filter(Boolean).join("\n\n");
  return { messages: [{ role: "system", content: system }, { role: "user", content: user }], style, diff };
}

/**
 * The model's answer as a commit message: without code fences, surrounding quotes or a "Commit message:" lead-in,
 * trailing spaces and blank lines trimmed, at most one blank line in a row.
 */
export function cleanCommitMessage(output: string): string {
  let text = withoutControls(output.replace(/\r\n?/g, "\n")).trim();
  // An opening fence alone (the stream so far) is no message yet.
  if (/^(`{3,}|~{3,})[^\n]*$/.test(text)) return "";
  const fenced = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)(?:\n?\1\s*)?$/.exec(text);
  if (fenced) text = fenced[2]!.trim();
  text = text.replace(/^(\*\*)?(commit message|message|subject)(\*\*)?\s*:\s*(\*\*)?\s*\n?/i, "");
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(text);
  if (quoted && !quoted[2]!.includes(quoted[1]!)) text = quoted[2]!;
  return text
    .split("\n")
    .map((line) => line.replace(/\s+$/, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Terminal escape sequences (CSI, OSC), other control characters but tab and newline, and bidi controls. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROLS = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A message the model wrote, perhaps copying a hostile repository's file names or history: escapes would replay in the
 * terminal of everyone who reads `git log`, and bidi controls show text in another order than it is.
 */
function withoutControls(text: string): string {
  return text.replace(CONTROLS, "");
}

export interface WriteCommitOptions {
  model: ActionModel;
  signal: AbortSignal;
  /** The message so far, cleaned, each time the model writes more. */
  onText?: (text: string) => void;
}

export type CommitOutcome = { status: "written"; message: string; prompt: CommitPrompt } | { status: "cancelled" } | { status: "empty" };

/** Asks the model for the message and streams it; "empty" when the model wrote nothing usable. */
export async function writeCommitMessage(request: CommitRequest, options: WriteCommitOptions): Promise<CommitOutcome> {
  const prompt = buildCommitPrompt(request, options.model.contextWindow());
  let raw = "";
  try {
    const result = await options.model.chat(
      { messages: prompt.messages, maxTokens: COMMIT_ANSWER_TOKENS },
      {
        signal: options.signal,
        onChunk: (chunk) => {
          raw += chunk;
          options.onText?.(cleanCommitMessage(raw));
        },
      },
    );
    if (result.stopReason === "cancelled" || options.signal.aborted) return { status: "cancelled" };
    const message = cleanCommitMessage(result.text.length >= raw.length ? result.text : raw);
    return message ? { status: "written", message, prompt } : { status: "empty" };
  } catch (error) {
    if (isAbortError(error) || options.signal.aborted) return { status: "cancelled" };
    throw error;
  }
}
