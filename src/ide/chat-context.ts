import * as vscode from "vscode";
import type { ContextPiece, PieceLocation } from "../chat/prompt";
import { DisposableStore } from "../common/disposable";
import { Emitter, type Event } from "../common/event";
import { isSecretFile } from "../context/secret-files";

/** The `@` picker's item that puts `@codebase` into the question (ide/codebase-chat.ts reads it there). */
const CODEBASE_ITEM = "@codebase";
/** Files larger than this are not attached (the model could not read them anyway). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

interface Attached {
  id: string;
  uri: vscode.Uri;
}

/**
 * The context chips of the chat: the selection and the current file follow the last text editor (until the user
 * removes them), and `@` attaches more files. Each is a ContextPiece with the text that would be sent now.
 */
export class ChatContextTracker implements vscode.Disposable {
  private editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private attached: Attached[] = [];
  private nextAttached = 1;
  /** The file (uri) and selection (uri + range) the user removed; a new file or selection brings its chip back. */
  private dismissedFile: string | undefined;
  private dismissedSelection: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The codebase snippets retrieved for the last question (`@codebase`), shown as chips until the next one. */
  private codebase: ContextPiece[] = [];
  private retrieve: ((question: string) => Promise<ContextPiece[] | null>) | undefined;
  private readonly emitter = new Emitter<void>();
  private readonly subscriptions = new DisposableStore();
  readonly onDidChange: Event<void> = this.emitter.event;

  constructor() {
    this.subscriptions.add(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Focusing the chat view leaves activeTextEditor undefined on some hosts: keep the last real editor.
        if (editor && isUserDocument(editor.document)) {
          this.editor = editor;
          this.changed();
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor === this.editor) this.changed();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.editor?.document) this.changed();
      }),
    );
  }

  /** The editor that Insert and Apply work on: the last text editor the user was in. */
  get targetEditor(): vscode.TextEditor | undefined {
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === this.editor?.document);
    return visible ?? (this.editor && !this.editor.document.isClosed ? this.editor : undefined);
  }

  async pieces(): Promise<ContextPiece[]> {
    const pieces: ContextPiece[] = [];
    const editor = this.targetEditor;
    if (editor) {
      const doc = editor.document;
      const sel = editor.selection;
      if (!sel.isEmpty && this.dismissedSelection !== selectionKey(editor)) {
        const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
        const lines = sel.start.line === endLine ? `${sel.start.line + 1}` : `${sel.start.line + 1}-${endLine + 1}`;
        pieces.push({
          id: "selection",
          kind: "selection",
          label: `${basename(doc.uri)}:${lines}`,
          detail: `${relativePath(doc.uri)}, line${lines.includes("-") ? "s" : ""} ${lines}`,
          languageId: doc.languageId,
          text: doc.getText(sel),
        });
      }
      // A secrets file (.env, a private key) the user has open is not sent unasked: its selection, or @, sends it.
      if (this.dismissedFile !== doc.uri.toString() && !isSecretFile(doc.uri.path)) {
        pieces.push({ id: "file", kind: "file", label: basename(doc.uri), detail: relativePath(doc.uri), languageId: doc.languageId, text: doc.getText() });
      }
    }
    for (const file of this.attached) {
      const piece = await readPiece(file);
      if (piece) pieces.push(piece);
    }
    return [...pieces, ...this.codebase];
  }

  /** Codebase search for the chat (ide/codebase-chat.ts): null when a question does not ask for it. */
  setCodebaseRetriever(retrieve: (question: string) => Promise<ContextPiece[] | null>): void {
    this.retrieve = retrieve;
  }

  /** The chips for a question being sent: with the codebase's snippets when it asks for them (`@codebase`). */
  async piecesFor(question: string): Promise<ContextPiece[]> {
    if (this.retrieve) {
      this.codebase = (await this.retrieve(question)) ?? [];
      this.changed(0);
    }
    return this.pieces();
  }

  /**
   * Where a codebase chip's snippet is, as search found it; undefined for any other id. A chip the view asks to open
   * (`openChip`) is looked up here, so only a place Hearth retrieved itself is ever opened.
   */
  locationOf(id: string): PieceLocation | undefined {
    return this.codebase.find((p) => p.id === id)?.location;
  }

  remove(id: string): void {
    const editor = this.targetEditor;
    if (id === "selection" && editor) this.dismissedSelection = selectionKey(editor);
    else if (id === "file" && editor) this.dismissedFile = editor.document.uri.toString();
    else this.attached = this.attached.filter((a) => a.id !== id);
    this.codebase = this.codebase.filter((p) => p.id !== id);
    this.changed(0);
  }

  /** Brings the selection chip back (Ask About Selection). */
  includeSelection(): void {
    this.dismissedSelection = undefined;
    this.changed(0);
  }

  /**
   * The `@` picker: workspace files, filtered as the user types (fuzzy on name and folder), and first, where codebase
   * search is on, `@codebase` itself: typing `@` in the question box opens this picker, so this is how a question gets
   * it. Resolves "codebase" when that was chosen (the view then puts `@codebase` into the question).
   */
  async pickFiles(): Promise<"codebase" | undefined> {
    const picker = vscode.window.createQuickPick<vscode.QuickPickItem & { uri?: vscode.Uri }>();
    picker.title = "Hearth: attach files to your question";
    picker.placeholder = this.retrieve ? "Type to search the workspace's files, or choose @codebase" : "Type to search the workspace's files";
    picker.canSelectMany = true;
    picker.matchOnDescription = true;
    const codebase = this.retrieve ? [{ label: CODEBASE_ITEM, description: "search the whole workspace for code that answers this question" }] : [];
    // Until the user types a name, Enter takes @codebase (a multi-select list has no active item of its own).
    const offerCodebase = () => {
      if (codebase.length && picker.value === "") picker.activeItems = codebase;
    };
    picker.items = codebase;
    offerCodebase();
    picker.busy = true;
    // Listening before the files are listed: @codebase can be chosen at once, and an early Enter is not lost.
    const choice = new Promise<readonly (vscode.QuickPickItem & { uri?: vscode.Uri })[]>((resolve) => {
      picker.onDidAccept(() => resolve(picker.selectedItems.length ? picker.selectedItems : picker.activeItems));
      picker.onDidHide(() => resolve([]));
    });
    picker.show();
    const files = await vscode.workspace.findFiles("**/*", "{**/node_modules/**,**/.git/**,**/dist/**,**/out/**}", 5000);
    picker.items = [
      ...codebase,
      ...files.sort((a, b) => relativePath(a).localeCompare(relativePath(b))).map((uri) => ({ label: basename(uri), description: relativePath(uri), uri })),
    ];
    offerCodebase();
    picker.busy = false;
    const chosen = await choice;
    picker.dispose();
    for (const { uri } of chosen) {
      if (!uri) continue;
      const item = { uri };
      if (this.attached.some((a) => a.uri.toString() === item.uri.toString())) continue;
      const stat = await vscode.workspace.fs.stat(item.uri).then(
        (s) => s,
        () => undefined,
      );
      if (stat && stat.size > MAX_FILE_BYTES) {
        void vscode.window.showWarningMessage(`Hearth: ${relativePath(item.uri)} is too large to attach (${Math.round(stat.size / 1024)} KB).`);
        continue;
      }
      this.attached.push({ id: `attached-${this.nextAttached++}`, uri: item.uri });
    }
    this.changed(0);
    return chosen.some((item) => item.label === CODEBASE_ITEM && !item.uri) ? "codebase" : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.emitter.dispose();
    this.subscriptions.dispose();
  }

  private changed(delayMs = 200): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emitter.fire(), delayMs);
  }
}

async function readPiece(file: Attached): Promise<ContextPiece | undefined> {
  try {
    const doc = await vscode.workspace.openTextDocument(file.uri);
    return { id: file.id, kind: "attached", label: basename(file.uri), detail: relativePath(file.uri), languageId: doc.languageId, text: doc.getText() };
  } catch {
    return undefined;
  }
}

function isUserDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === "file" || doc.uri.scheme === "untitled" || doc.uri.scheme === "vscode-remote" || doc.uri.scheme === "vscode-userdata";
}

function selectionKey(editor: vscode.TextEditor): string {
  const s = editor.selection;
  return `${editor.document.uri.toString()}#${s.start.line}:${s.start.character}-${s.end.line}:${s.end.character}`;
}

export function basename(uri: vscode.Uri): string {
  return uri.path.split("/").pop() || uri.path;
}

export function relativePath(uri: vscode.Uri): string {
  return uri.scheme === "untitled" ? basename(uri) : vscode.workspace.asRelativePath(uri, false);
}
