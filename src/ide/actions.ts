import * as vscode from "vscode";
import type { ActionDocument, ActionHost, ActionNotice, ActionProject, DiagnosticSeverity, EditorDiagnostic, LineRange, ProposalRequest, ProposalView } from "../actions/action-host";
import { noTarget, runAction, type ActionName, type ActionOutcome } from "../actions/action-runner";
import { chatActionModel } from "../actions/action-services";
import { leadsOutside, MAX_PROJECT_FILE_BYTES } from "../actions/project-path";
import type { ActionCodebaseSearch } from "../actions/codebase-context";
import type { ContextPiece } from "../chat/prompt";
import type { ContextEngine } from "../context/context-engine";
import type { Engine } from "../engine/engine-api";
import type { ChatApi } from "./chat";
import { basename, relativePath } from "./chat-context";
import { PROPOSAL_SCHEME } from "./chat-edits";
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

/** The actions' part of the extension's API (extension-host tests use it). */
export interface ActionsApi {
  /** The outcome of the last action, once its generation ended. */
  readonly last: ActionOutcome | undefined;
}

const HISTORY_KEY = "hearth.actions.instructionHistory";
const HISTORY_SIZE = 20;
/** Files the test-file plan looks at (manifests, config files, test folders), at most. */
const PROJECT_FILES_MAX = 3000;
const PROJECT_FILES_EXCLUDE = "**/{node_modules,.git,out,dist,target,build,.venv,venv,__pycache__}/**";
const STATUS_MESSAGE_MS = 4000;

export interface ActionsDeps {
  engine: Engine;
  contextEngine: ContextEngine;
  chat: ChatApi;
  log: HearthLog;
  globalState: vscode.Memento;
  /** Codebase search for Fix and Generate Tests (ide/codebase-actions.ts); absent, they go without. */
  codebase?: ActionCodebaseSearch;
}

/**
 * Explain, Fix, Document, Generate Tests and Edit with Instruction as commands: the runner (actions/action-runner)
 * does the work; this file translates between vscode and its host interface. The edits stream into the chat's
 * proposal diff (ChatEdits): nothing is written until Accept, which is one WorkspaceEdit; Escape stops the model.
 */
export function registerActions(deps: ActionsDeps): { api: ActionsApi; disposables: vscode.Disposable[] } {
  const state: { last: ActionOutcome | undefined } = { last: undefined };
  const run = (action: ActionName) => async (args?: ActionArgs) => (state.last = await runInEditor(deps, action, args ?? {}));
  const disposables = [
    vscode.commands.registerCommand(COMMANDS.explain, run("explain")),
    vscode.commands.registerCommand(COMMANDS.fix, run("fix")),
    vscode.commands.registerCommand(COMMANDS.document, run("document")),
    vscode.commands.registerCommand(COMMANDS.generateTests, run("tests")),
    vscode.commands.registerCommand(COMMANDS.editWithInstruction, run("edit")),
    vscode.commands.registerCommand(COMMANDS.cancelAction, () => deps.chat.edits.cancelGeneration()),
  ];
  return { api: state, disposables };
}

async function runInEditor(deps: ActionsDeps, action: ActionName, args: ActionArgs): Promise<ActionOutcome> {
  const editor = await editorFor(args);
  const host = new EditorActionHost(deps, editor);
  if (!editor) return noTarget(host);
  const model = chatActionModel(deps.engine, () => readConfig().engine.contextSize);
  return runAction(
    { host, model, syntax: deps.contextEngine, context: deps.contextEngine, logger: deps.log, ...(deps.codebase && { codebase: deps.codebase }) },
    {
      action,
      document: toActionDocument(editor.document),
      selection: toLineRange(args.range ?? editor.selection),
      ...(args.diagnostics ? { diagnostics: args.diagnostics.map(toEditorDiagnostic) } : {}),
      ...(args.instruction !== undefined ? { instruction: args.instruction } : {}),
    },
  );
}

/** The editor of the document to work on: the one named, else the active one (from a proposal's diff, its file's). */
async function editorFor(args: ActionArgs): Promise<vscode.TextEditor | undefined> {
  let editor = vscode.window.activeTextEditor;
  if (editor?.document.uri.scheme === PROPOSAL_SCHEME) {
    const path = editor.document.uri.path;
    editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme !== PROPOSAL_SCHEME && e.document.uri.path === path);
  }
  if (args.uri && editor?.document.uri.toString() !== args.uri.toString()) {
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(args.uri));
  }
  return editor;
}

/** What the runner needs from VS Code, for one command. */
class EditorActionHost implements ActionHost {
  /** Reports into the status bar while an answer streams. */
  private report: ((value: { message: string }) => void) | undefined;

  constructor(
    private readonly deps: ActionsDeps,
    private readonly editor: vscode.TextEditor | undefined,
  ) {}

  diagnostics(document: ActionDocument): readonly EditorDiagnostic[] {
    return vscode.languages.getDiagnostics(vscode.Uri.parse(document.uri)).map(toEditorDiagnostic);
  }

  showTarget(_document: ActionDocument, range: LineRange): void {
    if (!this.editor) return;
    this.editor.selection = new vscode.Selection(range.start.line, range.start.character, range.end.line, range.end.character);
    this.editor.revealRange(new vscode.Range(range.start.line, 0, range.end.line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  askInstruction(label: string): Promise<string | undefined> {
    return askInstruction(this.deps.globalState, label);
  }

  relativePath(pathOrUri: string): string {
    return vscode.workspace.asRelativePath(pathOrUri);
  }

  async projectRules(document: ActionDocument): Promise<string> {
    return (await this.deps.chat.rules.forDocument(vscode.Uri.parse(document.uri))).text;
  }

  async projectOf(document: ActionDocument): Promise<ActionProject | null> {
    const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(document.uri))?.uri;
    if (!root) return null;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(root, "**/*"), PROJECT_FILES_EXCLUDE, PROJECT_FILES_MAX);
    return {
      paths: uris.map((u) => vscode.workspace.asRelativePath(u, false)),
      read: async (path) => {
        try {
          const uri = vscode.Uri.joinPath(root, path);
          const info = await vscode.workspace.fs.stat(uri);
          if ((info.type & vscode.FileType.File) === 0 || info.size > MAX_PROJECT_FILE_BYTES) return null;
          return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString("utf8");
        } catch {
          return null;
        }
      },
      open: async (path) => {
        const uri = vscode.Uri.joinPath(root, path);
        // A file deleted on disk stays in VS Code's documents for minutes after its editor closed: unless it holds
        // unsaved text, it is gone, and a test file there is new rather than something to append to.
        const held = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (!held?.isDirty && !(await vscode.workspace.fs.stat(uri).then(() => true, () => false))) return null;
        try {
          return toActionDocument(await vscode.workspace.openTextDocument(uri));
        } catch {
          return null;
        }
      },
      newFile: (path) => {
        const uri = vscode.Uri.joinPath(root, path);
        return { uri: uri.toString(), name: basename(uri) };
      },
      // Only a folder on disk has symlinks Hearth can follow; another file system's paths stay where they are.
      leadsOutside: (path) => (root.scheme === "file" ? leadsOutside(root.fsPath, path) : Promise.resolve(false)),
    };
  }

  async propose(request: ProposalRequest): Promise<ProposalView> {
    const target = "newFile" in request.target ? { newFile: vscode.Uri.parse(request.target.newFile.uri) } : await openDocument(request.target.uri);
    const handle = await this.deps.chat.edits.propose({ target, plan: request.plan, title: request.title, streaming: { onCancel: request.onCancel } });
    return {
      update: (text) => handle.update(text),
      progress: (written) => this.report?.({ message: `writing… ${written} ${written === 1 ? "token" : "tokens"}` }),
      finish: (note) => handle.finish(note),
      close: () => handle.close(),
    };
  }

  /** The status bar says what the model is doing until the answer is complete: waiting for it, then how much it wrote. */
  progress<T>(title: string, work: () => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, async (progress) => {
        this.report = (value) => progress.report(value);
        progress.report({ message: "waiting for the model…" });
        try {
          return await work();
        } finally {
          this.report = undefined;
        }
      }),
    );
  }

  notify({ level, message }: ActionNotice): void {
    switch (level) {
      case "info":
        void vscode.window.showInformationMessage(message);
        return;
      case "stopped":
        vscode.window.setStatusBarMessage(message, STATUS_MESSAGE_MS);
        return;
      case "warning":
        void vscode.window.showWarningMessage(message);
        return;
      case "error":
        void vscode.window.showErrorMessage(message, "Show Log").then((choice) => {
          if (choice) this.deps.log.show();
        });
    }
  }

  async askChat(question: string, pieces: readonly ContextPiece[]): Promise<void> {
    await vscode.commands.executeCommand(COMMANDS.chatFocus);
    await this.deps.chat.ready;
    await this.deps.chat.session.send(question, [...pieces], this.deps.chat.view.budget());
  }
}

function toActionDocument(doc: vscode.TextDocument): ActionDocument {
  const indentUnit = editorIndentUnit(doc);
  return {
    uri: doc.uri.toString(),
    path: relativePath(doc.uri),
    name: basename(doc.uri),
    languageId: doc.languageId,
    text: () => doc.getText(),
    ...(indentUnit ? { indentUnit } : {}),
  };
}

/** The open document for a URI the runner was given (the same TextDocument the editor shows). */
async function openDocument(uri: string): Promise<vscode.TextDocument> {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri) ?? vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
}

/** The indentation the editor showing the document uses, when one does. */
function editorIndentUnit(doc: vscode.TextDocument): string | undefined {
  const options = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.options;
  if (options && typeof options.insertSpaces === "boolean" && typeof options.tabSize === "number") return options.insertSpaces ? " ".repeat(options.tabSize) : "\t";
  return undefined;
}

function toLineRange(range: vscode.Range): LineRange {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}

const SEVERITIES: Record<vscode.DiagnosticSeverity, DiagnosticSeverity> = {
  [vscode.DiagnosticSeverity.Error]: "error",
  [vscode.DiagnosticSeverity.Warning]: "warning",
  [vscode.DiagnosticSeverity.Information]: "information",
  [vscode.DiagnosticSeverity.Hint]: "hint",
};

function toEditorDiagnostic(d: vscode.Diagnostic): EditorDiagnostic {
  return { range: toLineRange(d.range), message: d.message, severity: SEVERITIES[d.severity], ...(d.source ? { source: d.source } : {}) };
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
