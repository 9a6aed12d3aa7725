import * as vscode from "vscode";
import { cleanActionOutput, detectUnit } from "../actions/clean-output";
import { buildActionMessages, explainQuestion, type ActionDiagnostic, type ActionPromptInput, type EditAction } from "../actions/prompts";
import { rebaseRange } from "../actions/rebase";
import { detectTestFramework, testFileFor, type ProjectFiles } from "../actions/test-frameworks";
import type { ApplyPlan } from "../chat/apply-plan";
import { isAbortError } from "../common/abort";
import type { ContextEngine } from "../context/context-engine";
import { estimateTokens } from "../context/token-estimate";
import type { EngineClient } from "../engine/client";
import type { ChatApi } from "./chat";
import { basename, relativePath } from "./chat-context";
import { PROPOSAL_SCHEME, type ProposalHandle } from "./chat-edits";
import { COMMANDS } from "./command-ids";
import { readConfig } from "./config";
import type { HearthLog } from "./log";

/** What a command gets from a code action (or a test); all optional: the active editor and its selection otherwise. */
export interface ActionArgs {
  uri?: vscode.Uri;
  /** A selection to work on, or (empty) a position whose enclosing declaration is the target. */
  range?: vscode.Range;
  /** Fix: the problems to fix (else those in the target). */
  diagnostics?: readonly vscode.Diagnostic[];
  /** Edit with Instruction: the instruction (else an input box asks). */
  instruction?: string;
}

export type ActionOutcome =
  | { status: "proposed"; proposal: string; warning?: string }
  | { status: "answered" }
  | { status: "cancelled" | "no-target" | "failed"; message?: string };

/** The actions' part of the extension's API (extension-host tests use it). */
export interface ActionsApi {
  /** The outcome of the last action, once its generation ended. */
  readonly last: ActionOutcome | undefined;
}

const LABELS: Record<EditAction, string> = { fix: "Fix", document: "Document", tests: "Generate Tests", edit: "Edit" };
const HISTORY_KEY = "hearth.actions.instructionHistory";
const HISTORY_SIZE = 20;
const CONTEXT_LINES = 6;
const STREAM_RENDER_MS = 80;

export interface ActionsDeps {
  engine: EngineClient;
  contextEngine: ContextEngine;
  chat: ChatApi;
  log: HearthLog;
  globalState: vscode.Memento;
}

interface Target {
  editor: vscode.TextEditor;
  doc: vscode.TextDocument;
  /** Whole lines, without the last line's newline. */
  range: vscode.Range;
  start: number;
  end: number;
  /** "the selection", "function add" … */
  label: string;
}

/**
 * Explain, Fix, Document, Generate Tests and Edit with Instruction. The edits stream into the chat's proposal diff
 * (ChatEdits): nothing is written until Accept, which is one WorkspaceEdit; Escape stops the model.
 */
export function registerActions(deps: ActionsDeps): { api: ActionsApi; disposables: vscode.Disposable[] } {
  const state: { last: ActionOutcome | undefined } = { last: undefined };
  const finish = (outcome: ActionOutcome): ActionOutcome => (state.last = outcome);
  const edit = (action: EditAction) => async (args?: ActionArgs) => finish(await runEditAction(deps, action, args ?? {}));
  const disposables = [
    vscode.commands.registerCommand(COMMANDS.explain, async (args?: ActionArgs) => finish(await explain(deps, args ?? {}))),
    vscode.commands.registerCommand(COMMANDS.fix, edit("fix")),
    vscode.commands.registerCommand(COMMANDS.document, edit("document")),
    vscode.commands.registerCommand(COMMANDS.generateTests, edit("tests")),
    vscode.commands.registerCommand(COMMANDS.editWithInstruction, edit("edit")),
    vscode.commands.registerCommand(COMMANDS.cancelAction, () => deps.chat.edits.cancelGeneration()),
  ];
  return { api: state, disposables };
}

async function explain(deps: ActionsDeps, args: ActionArgs): Promise<ActionOutcome> {
  const target = await resolveTarget(deps, args);
  if (!target) return noTarget();
  const { doc } = target;
  const lines = `${target.range.start.line + 1}-${target.range.end.line + 1}`;
  const diagnostics = diagnosticsIn(doc, target.range, args.diagnostics);
  await vscode.commands.executeCommand(COMMANDS.chatFocus);
  await deps.chat.ready;
  const piece = {
    id: "selection",
    kind: "selection" as const,
    label: `${basename(doc.uri)}:${lines}`,
    detail: `${relativePath(doc.uri)}, lines ${lines}`,
    languageId: doc.languageId,
    text: doc.getText(target.range),
  };
  await deps.chat.session.send(explainQuestion(target.label, diagnostics), [piece], deps.chat.view.budget());
  return { status: "answered" };
}

async function runEditAction(deps: ActionsDeps, action: EditAction, args: ActionArgs): Promise<ActionOutcome> {
  const target = await resolveTarget(deps, args);
  if (!target) return noTarget();
  const { doc } = target;
  let instruction: string | undefined;
  if (action === "edit") {
    instruction = args.instruction ?? (await askInstruction(deps.globalState, target.label));
    if (!instruction) return { status: "cancelled" };
  }
  const text = doc.getText();
  const version = doc.version;
  const path = relativePath(doc.uri);
  const input: ActionPromptInput = {
    action,
    languageId: doc.languageId,
    path,
    target: text.slice(target.start, target.end),
    startLine: target.range.start.line + 1,
    before: linesAround(doc, target.range.start.line - CONTEXT_LINES, target.range.start.line - 1),
    after: linesAround(doc, target.range.end.line + 1, target.range.end.line + CONTEXT_LINES),
    ...(await gatherContext(deps, doc, target.end)),
  };
  if (instruction) input.instruction = instruction;
  if (action === "fix") input.diagnostics = diagnosticsIn(doc, target.range, args.diagnostics);

  // Where the result goes: the target range, or (tests) the end of a test file, new or existing.
  let destination: { target: vscode.TextDocument | { newFile: vscode.Uri }; plan: ApplyPlan; original: string; before: string; after: string; baseIndent?: string };
  if (action === "tests") {
    const tests = await planTests(doc, path);
    Object.assign(input, { framework: tests.framework, testPath: tests.testPath, existingTests: tests.existing });
    destination = tests.destination;
  } else {
    destination = {
      target: doc,
      plan: { start: target.start, end: target.end, newText: input.target, summary: `${LABELS[action]}: ${target.label}` },
      original: input.target,
      before: text.slice(0, target.start),
      after: text.slice(target.end),
    };
  }
  const messages = buildActionMessages(input);
  const indentUnit = indentUnitOf(doc);
  const clean = (output: string) =>
    cleanActionOutput({
      output,
      languageId: doc.languageId,
      original: destination.original,
      before: destination.before,
      after: destination.after,
      ...(indentUnit ? { indentUnit } : {}),
      ...(destination.baseIndent !== undefined ? { baseIndent: destination.baseIndent } : {}),
    });
  const wrap = (code: string) => (action === "tests" ? wrapAppended(destination, code) : code);

  const controller = new AbortController();
  const name = "newFile" in destination.target ? basename(destination.target.newFile) : basename(destination.target.uri);
  let handle: ProposalHandle;
  try {
    handle = await deps.chat.edits.propose({
      target: destination.target,
      plan: destination.plan,
      title: `${name} ↔ Hearth: ${LABELS[action]}`,
      streaming: { onCancel: () => controller.abort() },
    });
  } catch (error) {
    return fail(deps, error);
  }
  let raw = "";
  let timer: NodeJS.Timeout | undefined;
  const render = () => {
    timer = undefined;
    const partial = clean(raw);
    if (partial) handle.update(wrap(partial.code));
  };
  const promptTokens = messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  // Actions are answered by the chat model (the completion model unless hearth.chat.modelPath names another).
  const chatStatus = deps.engine.chatStatus;
  const window = chatStatus.kind === "ready" ? chatStatus.model.contextSize : readConfig().engine.contextSize;
  const maxTokens = Math.max(256, Math.min(action === "tests" ? 2048 : 1536, window - promptTokens - 64));
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Hearth: ${LABELS[action]}…` },
      () =>
        deps.engine.chat(
          { messages, maxTokens },
          {
            signal: controller.signal,
            onChunk: (chunk) => {
              raw += chunk;
              timer ??= setTimeout(render, STREAM_RENDER_MS);
            },
          },
        ),
    );
    clearTimeout(timer);
    if (controller.signal.aborted || result.stopReason === "cancelled") {
      await handle.close();
      vscode.window.setStatusBarMessage("Hearth: stopped; nothing was changed.", 4000);
      return { status: "cancelled" };
    }
    const final = clean(result.text.length >= raw.length ? result.text : raw);
    if (!final) {
      await handle.close();
      void vscode.window.showWarningMessage("Hearth: the model's answer contained no code; nothing was proposed.");
      return { status: "failed", message: "no code in the answer" };
    }
    const proposal = wrap(final.code);
    handle.update(proposal);
    // The document changed while the model wrote: fine around the target, refused inside it.
    if (destination.target === doc && doc.version !== version) {
      if (!rebaseRange(text, doc.getText(), destination.plan)) {
        await handle.close();
        const message = `Hearth: ${name} changed where the proposal goes while the model was writing; the proposal was dropped. Run ${LABELS[action]} again.`;
        void vscode.window.showWarningMessage(message);
        return { status: "failed", message };
      }
    }
    const baseText = destination.target === doc ? text : destination.before;
    const warning = await syntaxWarning(deps.contextEngine, baseText, destination.plan, proposal, doc.languageId, result.stopReason === "max-tokens");
    handle.finish();
    if (warning) void vscode.window.showWarningMessage(`Hearth: ${warning} Review the diff before accepting.`);
    return warning ? { status: "proposed", proposal, warning } : { status: "proposed", proposal };
  } catch (error) {
    clearTimeout(timer);
    await handle.close();
    if (isAbortError(error)) return { status: "cancelled" };
    return fail(deps, error);
  }
}

/** The selection (as whole lines), else the declaration around the cursor, else nothing; shown selected first. */
async function resolveTarget(deps: ActionsDeps, args: ActionArgs): Promise<Target | undefined> {
  let editor = vscode.window.activeTextEditor;
  // From inside an open proposal's diff, the action works on the file on its left.
  if (editor?.document.uri.scheme === PROPOSAL_SCHEME) {
    const path = editor.document.uri.path;
    editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme !== PROPOSAL_SCHEME && e.document.uri.path === path);
  }
  if (args.uri && editor?.document.uri.toString() !== args.uri.toString()) {
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(args.uri));
  }
  if (!editor) return undefined;
  const doc = editor.document;
  const selection = args.range ?? editor.selection;
  let startLine: number;
  let endLine: number;
  let label = "the selected code";
  if (!selection.isEmpty) {
    startLine = selection.start.line;
    endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  } else {
    const at = args.diagnostics?.[0]?.range.start ?? selection.start;
    const declaration = await deps.contextEngine.findDeclaration(doc.languageId, doc.getText(), doc.offsetAt(at)).catch(() => null);
    if (!declaration) return undefined;
    startLine = doc.positionAt(declaration.startIndex).line;
    endLine = doc.positionAt(declaration.endIndex).line;
    label = describeDeclaration(declaration.nodeType, doc, startLine, endLine);
    // Show what the action works on before the model starts.
    editor.selection = new vscode.Selection(startLine, 0, endLine, doc.lineAt(endLine).text.length);
    editor.revealRange(new vscode.Range(startLine, 0, endLine, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  const range = new vscode.Range(startLine, 0, endLine, doc.lineAt(endLine).text.length);
  return { editor, doc, range, start: doc.offsetAt(range.start), end: doc.offsetAt(range.end), label };
}

/** "function add", "class TodoList", "method push" …, from the declaration's lines. */
function describeDeclaration(nodeType: string, doc: vscode.TextDocument, startLine: number, endLine: number): string {
  const kind = /class/.test(nodeType) ? "class" : /method/.test(nodeType) ? "method" : /struct|enum|trait|interface|impl|type/.test(nodeType) ? "type" : "function";
  for (let line = startLine; line <= endLine; line++) {
    const name = /\b(?:function\*?|def|fn|func|class|interface|struct|enum|trait|impl|type|const|let|var)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)/.exec(doc.lineAt(line).text);
    if (name) return `${kind} ${name[1]}`;
    const method = /^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*([A-Za-z_$][\w$]*)\s*\(/.exec(doc.lineAt(line).text);
    if (method && !/^(if|for|while|switch|return)$/.test(method[1]!)) return `${kind} ${method[1]}`;
  }
  return `the ${kind}`;
}

function noTarget(): ActionOutcome {
  void vscode.window.showInformationMessage("Hearth: select some code, or put the cursor inside a function, method or class.");
  return { status: "no-target" };
}

function fail(deps: ActionsDeps, error: unknown): ActionOutcome {
  const message = error instanceof Error ? error.message : String(error);
  deps.log.warn(`actions: ${message}`);
  void vscode.window.showErrorMessage(`Hearth: ${message}`, "Show Log").then((choice) => {
    if (choice) deps.log.show();
  });
  return { status: "failed", message };
}

function linesAround(doc: vscode.TextDocument, from: number, to: number): string {
  const start = Math.max(0, from);
  const end = Math.min(doc.lineCount - 1, to);
  if (end < start) return "";
  return doc.getText(new vscode.Range(start, 0, end, doc.lineAt(end).text.length));
}

function diagnosticsIn(doc: vscode.TextDocument, range: vscode.Range, given?: readonly vscode.Diagnostic[]): ActionDiagnostic[] {
  const list = given ?? vscode.languages.getDiagnostics(doc.uri).filter((d) => d.range.intersection(range) !== undefined);
  return list
    .filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning)
    .slice(0, 10)
    .map((d) => ({ line: d.range.start.line + 1, message: d.message, ...(d.source ? { source: d.source } : {}) }));
}

/** Imports and definitions of the symbols the target uses, from the context module; nothing when it fails. */
async function gatherContext(deps: ActionsDeps, doc: vscode.TextDocument, offset: number): Promise<Pick<ActionPromptInput, "imports" | "definitions">> {
  try {
    const assembled = await deps.contextEngine.assemble({ uri: doc.uri.toString(), languageId: doc.languageId, text: doc.getText(), offset, budgetTokens: 1500 });
    const imports = assembled.items.filter((i) => i.kind === "imports").map((i) => i.text).join("\n");
    const definitions = assembled.items.filter((i) => i.kind === "definition").map((i) => ({ path: vscode.workspace.asRelativePath(i.path), text: i.text }));
    return { ...(imports ? { imports } : {}), definitions };
  } catch (error) {
    deps.log.warn(`actions: context failed: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  }
}

/** Where tests go: the project's framework and layout decide the file; a new file is created on Accept. */
async function planTests(doc: vscode.TextDocument, path: string) {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const root = folder?.uri;
  const uris = root ? await vscode.workspace.findFiles(new vscode.RelativePattern(root, "**/*"), "**/{node_modules,.git,out,dist,target,build,.venv,venv,__pycache__}/**", 3000) : [];
  const paths = uris.map((u) => vscode.workspace.asRelativePath(u, false));
  const project: ProjectFiles = {
    paths,
    read: async (p) => {
      if (!root) return null;
      try {
        return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, p))).toString("utf8");
      } catch {
        return null;
      }
    },
  };
  const framework = await detectTestFramework(project, doc.languageId);
  const testPath = root ? testFileFor(path, framework, paths) : path;
  const testUri = root ? vscode.Uri.joinPath(root, testPath) : doc.uri;
  let existing: vscode.TextDocument | undefined;
  try {
    existing = testUri.toString() === doc.uri.toString() ? doc : await vscode.workspace.openTextDocument(testUri);
  } catch {
    existing = undefined;
  }
  const summary = existing ? `adds tests to ${basename(testUri)}` : `creates ${basename(testUri)}`;
  const destination = existing
    ? {
        target: existing as vscode.TextDocument | { newFile: vscode.Uri },
        plan: { start: existing.getText().length, end: existing.getText().length, newText: "", summary },
        original: "",
        before: existing.getText(),
        after: "",
        baseIndent: "",
      }
    : { target: { newFile: testUri } as vscode.TextDocument | { newFile: vscode.Uri }, plan: { start: 0, end: 0, newText: "", summary }, original: "", before: "", after: "", baseIndent: "" };
  return { framework, testPath, existing: existing?.getText(), destination };
}

/** Tests appended to an existing file start after one blank line; a new file ends with a newline. */
function wrapAppended(destination: { before: string; target: vscode.TextDocument | { newFile: vscode.Uri } }, code: string): string {
  if ("newFile" in destination.target) return `${code}\n`;
  const text = destination.before;
  const separator = text === "" ? "" : text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
  return `${separator}${code}\n`;
}

/** A warning when the proposal breaks a file that parsed before (or was cut by the token limit). */
async function syntaxWarning(
  contextEngine: ContextEngine,
  before: string,
  plan: ApplyPlan,
  proposal: string,
  languageId: string,
  cut: boolean,
): Promise<string | undefined> {
  if (cut) return "the model's answer was cut at its length limit, so the proposal may be incomplete.";
  const after = before.slice(0, plan.start) + proposal + before.slice(plan.end);
  const [was, is] = await Promise.all([contextEngine.hasSyntaxErrors(languageId, before), contextEngine.hasSyntaxErrors(languageId, after)]).catch(() => [null, null]);
  return was === false && is === true ? `the proposal does not parse as ${languageId}, although the file did.` : undefined;
}

function indentUnitOf(doc: vscode.TextDocument): string | undefined {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const options = editor?.options;
  if (options && typeof options.insertSpaces === "boolean" && typeof options.tabSize === "number") return options.insertSpaces ? " ".repeat(options.tabSize) : "\t";
  const sample: string[] = [];
  for (let i = 0; i < Math.min(doc.lineCount, 400); i++) sample.push(doc.lineAt(i).text);
  return detectUnit(sample);
}

/** An input box with the last instructions offered below it (type a new one, or pick one again). */
async function askInstruction(globalState: vscode.Memento, label: string): Promise<string | undefined> {
  const history = globalState.get<string[]>(HISTORY_KEY, []);
  const picker = vscode.window.createQuickPick();
  picker.title = `Hearth: edit ${label}`;
  picker.placeholder = "Describe the change, e.g. “use early returns” or “make it async”";
  picker.ignoreFocusOut = true;
  const recent = history.map((h) => ({ label: h, description: "recent" }));
  picker.items = recent;
  picker.onDidChangeValue((value) => {
    picker.items = value.trim() ? [{ label: value, alwaysShow: true }, ...recent.filter((r) => r.label !== value)] : recent;
  });
  const chosen = await new Promise<string | undefined>((resolve) => {
    picker.onDidAccept(() => {
      resolve(picker.selectedItems[0]?.label ?? (picker.value.trim() || undefined));
      picker.hide();
    });
    picker.onDidHide(() => resolve(undefined));
    picker.show();
  });
  picker.dispose();
  const instruction = chosen?.trim();
  if (instruction) await globalState.update(HISTORY_KEY, [instruction, ...history.filter((h) => h !== instruction)].slice(0, HISTORY_SIZE));
  return instruction || undefined;
}
