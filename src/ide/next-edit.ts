// Next-edit suggestions in VS Code: follows the user's edits into the history (only files the policy allows), asks
// the next-edit model after a pause, and shows what it suggests (next-edit-display.ts) with Tab to take it and Escape
// to drop it, through the context key hearth.nextEditShown. An edit away from the cursor takes one Tab to go there and
// one to apply it; applying is one undo step. Any edit cancels what is pending or shown; so does moving the cursor
// or switching editors.
import * as vscode from "vscode";
import { toDisposable } from "../common/disposable";
import { Emitter, type Event } from "../common/event";
import { scopedLogger, type Logger } from "../common/logger";
import type { RequestOptions } from "../engine/client-types";
import type { GenerationResult, NextEditParams, NextEditPrefillParams, NextEditPrefillResult } from "../engine/protocol";
import { EditHistory, type HistoryFile } from "../nextedit/edit-history";
import { mayRecordFile } from "../nextedit/file-policy";
import { nextEditModelState, type NextEditModelState } from "../nextedit/next-edit-model";
import { NextEditRequests, type EditorState, type NextEditOutcome, type NextEditSuggestion } from "../nextedit/next-edit-requests";
import { COMMANDS } from "./command-ids";
import { readConfig } from "./config";
import { NextEditDisplay, type DisplayPhase } from "./next-edit-display";

const CONTEXT_KEY = "hearth.nextEditShown";

/** The engine's next-edit role (EngineClient.nextEdit). */
export interface NextEditEngine {
  nextEdit(params: NextEditParams, options?: RequestOptions): Promise<GenerationResult>;
  /** The known front of the next prompt, evaluated while the user types; null while the model is not loaded. */
  prefillNextEdit(params: NextEditPrefillParams, options?: RequestOptions): Promise<NextEditPrefillResult | null>;
}

export interface NextEditApi {
  readonly modelState: NextEditModelState;
  /** A request went to the model. */
  readonly onDidStart: Event<{ uri: string; version: number }>;
  /** Every request's end (shown, dropped, stale, cancelled, skipped, failed). */
  readonly onDidSettle: Event<NextEditOutcome>;
  /** A suggestion drawn, or drawn again in another phase (after the jump). */
  readonly onDidShow: Event<{ suggestion: NextEditSuggestion; phase: DisplayPhase }>;
  readonly shown: { suggestion: NextEditSuggestion; phase: DisplayPhase } | undefined;
  /** Takes the hearth.nextEdit.modelPath setting again (extension.ts calls it on every configuration). */
  configure(modelPath: string): Promise<NextEditModelState>;
}

export function registerNextEdit(deps: { engine: NextEditEngine; log: Logger }): { disposables: vscode.Disposable[]; api: NextEditApi } {
  const logger = scopedLogger(deps.log, "next-edit");
  const history = new EditHistory((file) => mayRecordFile(file, { trusted: vscode.workspace.isTrusted, languages: readConfig().completion.languages }));
  let modelState: NextEditModelState = { kind: "off", message: "" };
  let configureSeq = 0;
  const announced = new Set<string>();
  const requests = new NextEditRequests(
    {
      history,
      logger,
      format: () => (modelState.kind === "ready" ? modelState.format : undefined),
      editor: () => editorState(vscode.window.activeTextEditor, textOf),
      generator: {
        generate: async (request, signal) => {
          const format = modelState.kind === "ready" ? modelState.format : undefined;
          const result = await deps.engine.nextEdit(
            { pieces: request.pieces, specialTokens: [...(format?.specialTokens ?? [])], stop: [...request.stopStrings], maxTokens: request.maxTokens, window: request.window },
            { signal },
          );
          return { text: result.text, promptTokens: result.promptTokens };
        },
        prefill: (pieces, signal) => {
          const format = modelState.kind === "ready" ? modelState.format : undefined;
          return deps.engine.prefillNextEdit({ pieces, specialTokens: [...(format?.specialTokens ?? [])] }, { signal });
        },
      },
    },
    { maxTokens: 512 },
  );
  const display = new NextEditDisplay();
  const showEmitter = new Emitter<{ suggestion: NextEditSuggestion; phase: DisplayPhase }>();
  let shown: { suggestion: NextEditSuggestion; phase: DisplayPhase } | undefined;
  /** The version of each editor's document at its last selection event: a selection change with a new version came with an edit. */
  let selectionVersion: { uri: string; version: number } | undefined;
  /** Where our own Tab put the cursor: that move is not the user's. */
  let ownMove: vscode.Position | undefined;

  const setShown = (value: typeof shown) => {
    shown = value;
    void vscode.commands.executeCommand("setContext", CONTEXT_KEY, value !== undefined);
    if (value) showEmitter.fire(value);
  };
  const clear = () => {
    if (!shown) return;
    display.clear(vscode.window.activeTextEditor);
    setShown(undefined);
  };
  const draw = (editor: vscode.TextEditor, suggestion: NextEditSuggestion) => setShown({ suggestion, phase: display.show(editor, suggestion) });

  // The document's text at its latest version: read once per edit (the history and the prefill both want it at every
  // keystroke, and getText() joins the whole document each time).
  let lastText: { document: vscode.TextDocument; version: number; text: string } | undefined;
  const textOf = (document: vscode.TextDocument): string => {
    if (lastText?.document !== document || lastText.version !== document.version) lastText = { document, version: document.version, text: document.getText() };
    return lastText.text;
  };
  const fileOf = (document: vscode.TextDocument): HistoryFile => ({ uri: document.uri.toString(), path: pathOf(document), languageId: document.languageId });
  const open = (document: vscode.TextDocument) => {
    const file = fileOf(document);
    if (history.allowsFile(file) && textLength(document) <= history.maxFileChars) history.open(file, document.getText());
  };

  const disposables: vscode.Disposable[] = [
    display,
    showEmitter,
    toDisposable(() => requests.dispose()),
    toDisposable(() => void vscode.commands.executeCommand("setContext", CONTEXT_KEY, false)),
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidCloseTextDocument((document) => {
      history.close(document.uri.toString());
      if (lastText?.document === document) lastText = undefined;
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      const document = event.document;
      const file = fileOf(document);
      if (history.allowsFile(file) && textLength(document) <= history.maxFileChars) {
        const changes = [...event.contentChanges]
          .sort((a, b) => b.rangeOffset - a.rangeOffset)
          .map((change) => ({ offset: change.rangeOffset, removedLength: change.rangeLength, text: change.text }));
        history.change(file, changes, textOf(document));
      } else {
        history.forget(file.uri);
      }
      if (document !== vscode.window.activeTextEditor?.document) return;
      clear();
      requests.edited();
    }),
    vscode.window.onDidChangeTextEditorSelection((event) => {
      const document = event.textEditor.document;
      const key = { uri: document.uri.toString(), version: document.version };
      const withEdit = selectionVersion?.uri === key.uri && selectionVersion.version !== key.version;
      selectionVersion = key;
      if (withEdit) return;
      const active = event.selections[0]?.active;
      if (ownMove && active?.isEqual(ownMove)) {
        ownMove = undefined;
        return;
      }
      clear();
      requests.cancel();
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      selectionVersion = editor ? { uri: editor.document.uri.toString(), version: editor.document.version } : undefined;
      clear();
      requests.cancel();
    }),
    requests.onDidSettle((outcome) => {
      if (outcome.kind !== "shown") return;
      const editor = vscode.window.activeTextEditor;
      const suggestion = outcome.suggestion;
      if (!editor || editor.document.uri.toString() !== suggestion.uri || editor.document.version !== suggestion.version) return;
      draw(editor, suggestion);
    }),
    vscode.commands.registerCommand(COMMANDS.nextEditAccept, async () => {
      const editor = vscode.window.activeTextEditor;
      const current = shown;
      if (!editor || !current || editor.document.uri.toString() !== current.suggestion.uri || editor.document.version !== current.suggestion.version) {
        clear();
        return;
      }
      const { suggestion } = current;
      if (current.phase === "jump") {
        const target = editor.document.positionAt(suggestion.start);
        ownMove = target;
        editor.selection = new vscode.Selection(target, target);
        editor.revealRange(new vscode.Range(target, target), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        draw(editor, suggestion);
        return;
      }
      clear();
      const range = new vscode.Range(editor.document.positionAt(suggestion.start), editor.document.positionAt(suggestion.end));
      const applied = await editor.edit((builder) => builder.replace(range, suggestion.text), { undoStopBefore: true, undoStopAfter: true });
      if (!applied) {
        logger.warn("the next edit could not be applied (the document changed)");
        return;
      }
      const end = editor.document.positionAt(suggestion.start + suggestion.text.length);
      ownMove = end;
      editor.selection = new vscode.Selection(end, end);
    }),
    vscode.commands.registerCommand(COMMANDS.nextEditDismiss, () => {
      clear();
      requests.cancel();
    }),
  ];
  // Documents open at start: read one per turn of the event loop, never during activation.
  const pending = [...vscode.workspace.textDocuments];
  const openNext = () => {
    const document = pending.shift();
    if (!document) return;
    if (!document.isClosed) open(document);
    initial = setImmediate(openNext);
  };
  let initial = setImmediate(openNext);
  disposables.push(toDisposable(() => clearImmediate(initial)));

  const api: NextEditApi = {
    get modelState() {
      return modelState;
    },
    onDidStart: requests.onDidStart,
    onDidSettle: requests.onDidSettle,
    onDidShow: showEmitter.event,
    get shown() {
      return shown;
    },
    async configure(modelPath: string) {
      const seq = ++configureSeq;
      history.recheck();
      const state = await nextEditModelState(modelPath);
      if (seq !== configureSeq) return modelState;
      modelState = state;
      if (state.kind !== "ready") {
        clear();
        requests.cancel();
      }
      const key = state.kind === "off" ? "off" : `${state.kind}:${state.modelPath}`;
      if (!announced.has(key)) {
        announced.add(key);
        if (state.kind === "ready") logger.info(`next-edit suggestions on with ${state.modelPath} (${state.format.familyName}: ${state.because})`);
        else if (state.kind === "off") logger.info(state.message);
        else {
          logger.warn(state.message);
          void vscode.window.showWarningMessage(state.message);
        }
      }
      return state;
    },
  };
  return { disposables, api };
}

function editorState(editor: vscode.TextEditor | undefined, textOf: (document: vscode.TextDocument) => string): EditorState | undefined {
  if (!editor) return undefined;
  const document = editor.document;
  return {
    uri: document.uri.toString(),
    path: pathOf(document),
    version: document.version,
    text: textOf(document),
    cursor: document.offsetAt(editor.selection.active),
    hasSelection: !editor.selection.isEmpty,
  };
}

function pathOf(document: vscode.TextDocument): string {
  if (document.uri.scheme !== "file") return document.uri.path.replace(/^\/+/, "");
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  return (folder ? vscode.workspace.asRelativePath(document.uri, false) : document.uri.fsPath).replace(/\\/g, "/");
}

function textLength(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}
