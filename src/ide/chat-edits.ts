import * as vscode from "vscode";
import { planApply, type ApplyPlan } from "../chat/apply-plan";
import { basename } from "./chat-context";
import type { HearthLog } from "./log";

/** The read-only scheme of proposed file contents, shown on the right of the Apply diff. */
export const PROPOSAL_SCHEME = "hearth-proposal";
/** Context key set while an Apply diff waits for the user's answer (shows Accept / Discard in the editor title). */
const PROPOSAL_OPEN_KEY = "hearth.chat.proposalOpen";

interface Proposal {
  id: string;
  target: vscode.Uri;
  version: number;
  plan: ApplyPlan;
  proposalUri: vscode.Uri;
  settle: (accepted: boolean) => void;
}

export type ApplyOutcome = "applied" | "discarded" | "no-editor";

/**
 * Insert at cursor, and Apply to file: Apply opens `vscode.diff` of the file against the proposed content (a read-only
 * document) and writes nothing until the user accepts; accepting is one WorkspaceEdit, so one undo step reverts it.
 */
export class ChatEdits implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  private pending: Proposal | undefined;
  private nextId = 1;
  private readonly registration: vscode.Disposable;
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly log: HearthLog) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  /** Replaces the selection (or inserts at the cursor) of the editor with the code: one undo step. */
  async insert(editor: vscode.TextEditor | undefined, code: string): Promise<boolean> {
    if (!editor) {
      void vscode.window.showWarningMessage("Hearth: open a file to insert the code into.");
      return false;
    }
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    return shown.edit((builder) => builder.replace(shown.selection, code));
  }

  /**
   * Shows the diff and waits for Accept or Discard (a notification, or the diff editor's title buttons). Resolves once
   * the user decided; an open proposal is discarded when a new one starts.
   */
  async apply(editor: vscode.TextEditor | undefined, code: string): Promise<ApplyOutcome> {
    if (!editor) {
      void vscode.window.showWarningMessage("Hearth: open the file to apply the code to, then click Apply again.");
      return "no-editor";
    }
    this.settle(false);
    const doc = editor.document;
    const text = doc.getText();
    const selection = editor.selection.isEmpty ? undefined : { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
    const plan = planApply(text, code, selection);
    const proposed = text.slice(0, plan.start) + plan.newText + text.slice(plan.end);
    const id = String(this.nextId++);
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: doc.uri.path, query: `proposal=${id}` });
    this.contents.set(proposalUri.toString(), proposed);
    const name = basename(doc.uri);
    const decided = new Promise<boolean>((resolve) => {
      this.pending = { id, target: doc.uri, version: doc.version, plan, proposalUri, settle: resolve };
    });
    await vscode.commands.executeCommand("setContext", PROPOSAL_OPEN_KEY, true);
    await vscode.commands.executeCommand("vscode.diff", doc.uri, proposalUri, `${name} ↔ Hearth's proposal (${plan.summary})`, { preview: true });
    void vscode.window.showInformationMessage(`Hearth: apply the proposed change to ${name}? It ${plan.summary}.`, "Accept", "Discard").then((choice) => {
      if (this.pending?.id === id) void (choice === "Accept" ? this.accept() : this.discard());
    });
    const accepted = await decided;
    return accepted ? "applied" : "discarded";
  }

  /** Writes the open proposal as one WorkspaceEdit (Accept). */
  async accept(): Promise<boolean> {
    const proposal = this.pending;
    if (!proposal) return false;
    const doc = await vscode.workspace.openTextDocument(proposal.target);
    if (doc.version !== proposal.version) {
      void vscode.window.showWarningMessage(`Hearth: ${basename(proposal.target)} changed after the proposal was made; nothing was written. Click Apply again for a fresh diff.`);
      await this.close(proposal, false);
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(proposal.plan.start), doc.positionAt(proposal.plan.end)), proposal.plan.newText);
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) this.log.warn(`chat: applying the proposal to ${proposal.target.toString()} failed`);
    await this.close(proposal, ok);
    if (ok) {
      const start = doc.positionAt(proposal.plan.start);
      const shown = await vscode.window.showTextDocument(doc, { preview: false });
      shown.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    return ok;
  }

  async discard(): Promise<void> {
    if (this.pending) await this.close(this.pending, false);
  }

  dispose(): void {
    this.settle(false);
    this.registration.dispose();
    this.changeEmitter.dispose();
    this.contents.clear();
  }

  private settle(accepted: boolean): void {
    const proposal = this.pending;
    if (!proposal) return;
    this.pending = undefined;
    this.contents.delete(proposal.proposalUri.toString());
    void vscode.commands.executeCommand("setContext", PROPOSAL_OPEN_KEY, false);
    proposal.settle(accepted);
  }

  private async close(proposal: Proposal, accepted: boolean): Promise<void> {
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.proposalUri.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => undefined);
    if (this.pending === proposal) this.settle(accepted);
  }
}
