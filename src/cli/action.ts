// `hearth action NAME FILE:LINE`: a refactor action (Fix, Document, Generate Tests, Edit with Instruction) through the
// extension's own runner (src/actions/action-runner.ts), with the context engine and workspace index the extension
// gives it; the proposal is printed as a patch (or JSON) instead of shown as a diff. Nothing is written.
import { resolve } from "node:path";
import type { EditorDiagnostic, LineRange } from "../actions/action-host";
import { ACTION_LABELS, runAction, type ActionOutcome } from "../actions/action-runner";
import { chatActionModel } from "../actions/action-services";
import type { EditAction } from "../actions/prompts";
import type { Logger } from "../common/logger";
import type { HearthConfig } from "../common/settings";
import { CompletionPipeline, pathInFolder } from "../completion/completion-pipeline";
import type { EngineClient } from "../engine/client";
import { listOption, parseFileLine, stringOption, UsageError, type ParsedArgs } from "./args";
import { followSession, readEditorSession, type EditorSession } from "./editor-session";
import type { HearthInstall } from "./runtime";
import { loadModel } from "./runtime";
import { fileDocument, TerminalActionHost, type TerminalProposal } from "./terminal-host";
import { unifiedDiff } from "./unified-diff";

const ACTIONS: readonly EditAction[] = ["fix", "document", "tests", "edit"];

export interface ActionCommand {
  action: EditAction;
  session: EditorSession;
  /** The lines named (FILE:START-END), or a position on LINE whose declaration is the target. */
  selection: LineRange;
  instruction?: string;
  /** Fix: problems to fix, at the target's first line (as a compiler reports them). */
  problems: EditorDiagnostic[];
}

/** Reads what `action` is asked: the action, the target, the instruction and problems, the session around the file. */
export async function readActionCommand(args: ParsedArgs, cwd: string): Promise<ActionCommand> {
  const [name, spec, ...extra] = args.positionals;
  if (name === "explain") throw new UsageError("Explain answers in the chat: ask it with hearth chat");
  if (!name || !isAction(name)) throw new UsageError(`action needs one of ${ACTIONS.join(", ")}${name ? `, not "${name}"` : ""}`);
  if (!spec) throw new UsageError(`action ${name} needs FILE:LINE or FILE:START-END`);
  if (extra.length > 0) throw new UsageError(`action takes NAME and one FILE:LINE, got ${extra.length} more positionals`);
  const instruction = stringOption(args, "instruction")?.trim();
  if (name === "edit" && !instruction) throw new UsageError('action edit needs --instruction "what to change"');
  const range = /^(.+):(\d+)-(\d+)$/.exec(spec);
  const target = range ? { file: range[1]!, line: Number(range[2]), endLine: Number(range[3]) } : { ...parseFileLine(spec), endLine: undefined };
  const session = await readEditorSession(args, target.file, cwd);
  const selection = lineSelection(session.file.text, target.line, target.endLine);
  const problems = listOption(args, "problem").map((message): EditorDiagnostic => ({ range: { start: selection.start, end: selection.start }, message, severity: "error" }));
  return { action: name, session, selection, problems, ...(instruction ? { instruction } : {}) };
}

function isAction(name: string): name is EditAction {
  return (ACTIONS as readonly string[]).includes(name);
}

/**
 * The whole lines START-END, or (no END) the last non-blank character of LINE: inside the declaration that LINE
 * begins or belongs to (its first character may be an `export` or a decorator outside it). Lines are 1-based.
 */
function lineSelection(text: string, line: number, endLine: number | undefined): LineRange {
  const lines = text.split("\n");
  const last = endLine ?? line;
  if (line < 1 || last < line || last > lines.length) throw new UsageError(`lines ${line}${endLine ? `-${endLine}` : ""} are not in the file (${lines.length} lines)`);
  const lineText = (n: number) => lines[n - 1]!.replace(/\r$/, "");
  if (endLine === undefined) {
    const at = { line: line - 1, character: Math.max(0, lineText(line).trimEnd().length - 1) };
    return { start: at, end: at };
  }
  return { start: { line: line - 1, character: 0 }, end: { line: last - 1, character: lineText(last).length } };
}

/** What `action` prints with --json; without it, `diff` alone. */
export interface ActionOutput {
  action: EditAction;
  status: ActionOutcome["status"];
  file: string;
  /** The lines worked on, 1-based, when a declaration was found from the position. */
  target?: { startLine: number; endLine: number };
  /** The file the proposal changes (workspace-relative) and whether it creates it. */
  proposal?: { path: string; creates: boolean; text: string };
  /** The proposal as a patch `git apply` takes (paths relative to the workspace folder). */
  diff?: string;
  /** A warning on the proposal (it does not parse) or why there is none. */
  message?: string;
}

export async function runActionCommand(
  command: ActionCommand,
  deps: { install: HearthInstall; config: HearthConfig; engine: EngineClient; logger: Logger; signal: AbortSignal },
): Promise<ActionOutput> {
  const { session } = command;
  // Built before the model loads, as in complete.ts; the actions use its context engine for syntax and context.
  const pipeline = new CompletionPipeline({
    engine: deps.engine,
    grammarsDir: resolve(deps.install.root, "grammars"),
    logger: deps.logger,
    budgetTokens: deps.config.completion.contextTokens,
    relativePath: (path) => pathInFolder(session.workspace, path) ?? path,
  });
  try {
    await loadModel(deps.engine, { config: deps.config, workspace: session.workspace, signal: deps.signal, role: "chat" });
    await followSession(pipeline, session, deps.signal);
    const model = chatActionModel(deps.engine, () => deps.config.engine.contextSize, deps.signal);
    const host = new TerminalActionHost(session.workspace, { uri: session.file.uri, diagnostics: command.problems }, () => model.contextWindow());
    const path = host.relativePath(session.file.path);
    const outcome = await runAction(
      { host, model, syntax: pipeline.context, context: pipeline.context, logger: deps.logger },
      { action: command.action, document: fileDocument(session.file, path), selection: command.selection, ...(command.instruction ? { instruction: command.instruction } : {}), ...(command.problems.length ? { diagnostics: command.problems } : {}) },
    );
    const output: ActionOutput = { action: command.action, status: outcome.status, file: path };
    if (host.target) output.target = { startLine: host.target.start.line + 1, endLine: host.target.end.line + 1 };
    if (outcome.status !== "proposed" || !host.proposal) {
      const said = host.notices.map((notice) => notice.message.replace(/^Hearth: /, "")).join(" ");
      return { ...output, message: outcome.status === "no-target" ? said : ("message" in outcome && outcome.message) || said || `${ACTION_LABELS[command.action]} proposed nothing` };
    }
    return { ...output, ...describeProposal(host, host.proposal, outcome.proposal), ...(outcome.warning ? { message: outcome.warning } : {}) };
  } finally {
    pipeline.dispose();
  }
}

/** The file the proposal changes, its new text, and the change as a patch. */
function describeProposal(host: TerminalActionHost, proposal: TerminalProposal, placed: string): Pick<ActionOutput, "proposal" | "diff"> {
  const { target, plan } = proposal.request;
  const creates = "newFile" in target;
  const path = host.relativePath(creates ? target.newFile.uri : target.uri);
  const before = creates ? "" : target.text();
  const text = before.slice(0, plan.start) + placed + before.slice(plan.end);
  return { proposal: { path, creates, text }, diff: unifiedDiff(path, creates ? null : before, text) };
}
