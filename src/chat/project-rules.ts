// Project rules: what a team tells every assistant about its code (AGENTS.md, .github/copilot-instructions.md, and
// Hearth's own .hearth/rules.md), sent to the model with chat questions and actions. The nearest rules to the file
// being worked on come first, so a package's own AGENTS.md wins the budget over the repository's.
import path from "node:path";
import { estimateTokens, type CountTokens } from "../context/token-estimate";
import { cutLines } from "./prompt";
import { isInside, readWorkspaceTextFile } from "./workspace-text-file";

/** The rule files looked for in each folder, in the order they are taken there. */
export const RULE_FILES: readonly string[] = [".hearth/rules.md", "AGENTS.md", ".github/copilot-instructions.md"];

/** Bytes read of one rule file at most: a huge file costs a bounded read, then it is cut to the token budget. */
export const MAX_RULE_FILE_BYTES = 256 * 1024;
/** The rules' share of a prompt by default: enough for a page of instructions, little of a small model's window. */
export const DEFAULT_RULES_TOKENS = 1024;

export interface RuleSource {
  /** Workspace-relative path, with `/`. */
  path: string;
  /** Tokens of the whole file (of what was read of it). */
  tokens: number;
  /** Tokens sent: less than `tokens` when it was cut, 0 when it was left out. */
  sentTokens: number;
}

export interface ProjectRules {
  /** The rules section for a system prompt, "" when there are none. */
  text: string;
  /** Tokens of `text`. */
  tokens: number;
  sources: RuleSource[];
  /** What was cut or refused, in words (for the log and the view). */
  notes: string[];
}

/** The rules' budget for a model's window: an eighth of it, at most DEFAULT_RULES_TOKENS. */
export function rulesBudget(windowTokens: number): number {
  return Math.max(0, Math.min(DEFAULT_RULES_TOKENS, Math.floor(windowTokens / 8)));
}

export const NO_RULES: ProjectRules = { text: "", tokens: 0, sources: [], notes: [] };

export interface ReadRulesOptions {
  /** The workspace folder: the walk stops there, and no file outside it is read. */
  root: string;
  /** The file being worked on; the workspace folder's own rules only when absent. */
  file?: string;
  /** Whether the workspace is trusted. In Restricted Mode no rules are read: they are instructions to the model. */
  trusted: boolean;
  budgetTokens?: number;
  count?: CountTokens;
}

/**
 * The project rules for `file`: from its folder up to `root`, the rule files of each folder, nearest first, within
 * `budgetTokens`. A file that does not fit whole is cut at a line boundary with a note in the text and in `notes`; the
 * ones after it are left out (named in `notes`). Binary files and links out of the workspace are refused with a note.
 */
export async function readProjectRules(options: ReadRulesOptions): Promise<ProjectRules> {
  if (!options.trusted) return NO_RULES;
  const count = options.count ?? estimateRuleTokens;
  const budget = options.budgetTokens ?? DEFAULT_RULES_TOKENS;
  const notes: string[] = [];
  const sources: RuleSource[] = [];
  const blocks: string[] = [];
  let room = budget - count(RULES_HEADER);
  for (const file of candidateFiles(options.root, options.file)) {
    const read = await readWorkspaceTextFile(options.root, file, MAX_RULE_FILE_BYTES);
    const relative = path.relative(options.root, file).split(path.sep).join("/");
    if (!read.ok) {
      if (!read.missing) notes.push(`${relative} not read: ${read.reason}.`);
      continue;
    }
    const text = read.text.trim();
    if (!text) continue;
    const whole = renderRuleFile(relative, text);
    const tokens = count(whole);
    if (tokens <= room) {
      if (read.truncated) notes.push(`${relative}: only its first ${MAX_RULE_FILE_BYTES / 1024} KB are read.`);
      blocks.push(whole);
      sources.push({ path: relative, tokens, sentTokens: tokens });
      room -= tokens;
      continue;
    }
    const header = count(renderRuleFile(relative, "")) + 16;
    const kept = room > header ? cutLines(text, room - header, count) : undefined;
    if (!kept || kept.keptLines === 0) {
      sources.push({ path: relative, tokens, sentTokens: 0 });
      notes.push(`${relative} left out: the rules budget (${budget} tokens) is used up.`);
      room = 0;
      continue;
    }
    const partial = `${renderRuleFile(relative, kept.text)}\n… (${relative} cut here: ${kept.droppedLines} more line(s) did not fit the rules budget)`;
    const sent = count(partial);
    blocks.push(partial);
    sources.push({ path: relative, tokens, sentTokens: sent });
    notes.push(`${relative} cut to its first ${kept.keptLines} line(s) to fit the rules budget (${budget} tokens).`);
    room = 0;
  }
  if (blocks.length === 0) return { ...NO_RULES, notes };
  const text = `${RULES_HEADER}\n\n${blocks.join("\n\n")}`;
  return { text, tokens: count(text), sources, notes };
}

/**
 * The estimate for text no tokenizer has counted, weighing what is not ASCII by its UTF-8 bytes: a rules file of rare
 * characters (four bytes, up to four tokens each) would otherwise take four times its budget of the model's window.
 */
export function estimateRuleTokens(text: string): number {
  let ascii = "";
  let nonAscii = 0;
  for (const c of text) {
    if (c.charCodeAt(0) > 0x7f) nonAscii += Buffer.byteLength(c, "utf8");
    else ascii += c;
  }
  return Math.max(estimateTokens(text), Math.ceil(estimateTokens(ascii) + nonAscii / 1.5));
}

const RULES_HEADER = "The project's rules for assistants follow (nearest to the file first). Follow them unless the user asks otherwise.";

/** A system prompt with the project's rules section after it (unchanged when there are none). */
export function withProjectRules(system: string, rules: string | undefined): string {
  return rules ? `${system}\n\n${rules}` : system;
}

function renderRuleFile(relative: string, text: string): string {
  return `From ${relative}:\n${text}`;
}

/** The rule files to look for, nearest folder first, never above `root`. */
export function candidateFiles(root: string, file: string | undefined): string[] {
  const resolvedRoot = path.resolve(root);
  let dir = file ? path.dirname(path.resolve(file)) : resolvedRoot;
  if (!isInside(resolvedRoot, dir)) dir = resolvedRoot;
  const files: string[] = [];
  for (;;) {
    for (const name of RULE_FILES) files.push(path.join(dir, name));
    if (dir === resolvedRoot) break;
    dir = path.dirname(dir);
  }
  return files;
}
