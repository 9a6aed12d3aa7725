import * as vscode from "vscode";
import { rebaseRange } from "../actions/rebase";
import { planApply, type ApplyPlan } from "../chat/apply-plan";
import { basename } from "./chat-context";
import type { HearthLog } from "./log";

/** The read-only scheme of proposed file contents, shown on the right of the Apply diff. */
export const PROPOSAL_SCHEME = "hearth-proposal";
/** Context key set while an Apply diff waits for the user's answer (shows Accept / Discard in the editor title). */
const PROPOSAL_OPEN_KEY = "hearth.chat.proposalOpen";
/** Context key set while the model is still writing a proposal (Escape cancels it). */
const GENERATING_KEY = "hearth.proposalGenerating";
/** Context key set while the open proposal is complete and differs from the file: Accept is offered only then. */
const READY_KEY = "hearth.proposalReady";
/** What the diff's title says while the model writes. */
const WRITING_NOTE = "writing…";

interface Proposal {
  id: string;
  target: vscode.Uri;
  /** The file does not exist yet: Accept creates it. */
  newFile: boolean;
  version: number;
  /** The document's text when the proposal was made: edits made since are rebased around the target, or refused. */
  baseText: string;
  plan: ApplyPlan;
  /** The right side; a new one once the model is done, so that the diff's title can say so. */
  proposalUri: vscode.Uri;
  originalUri: vscode.Uri;
  title: string;
  streaming: boolean;
  onCancel: (() => void) | undefined;
  settle: (accepted: boolean) => void;
}

/** What a diff proposes: a range of an open document (or a new file) and its replacement. */
export interface ProposalRequest {
  /** An open document, or the Uri of a file that Accept creates. */
  target: vscode.TextDocument | { newFile: vscode.Uri };
  plan: ApplyPlan;
  /** The diff editor's title. */
  title: string;
  /** The model is still writing: Accept waits for finish(); Escape calls onCancel. */
  streaming?: { onCancel: () => void };
}

/** A diff on screen: the right side can still change while the model writes. */
export interface ProposalHandle {
  /** Resolves with true on Accept (written), false on Discard, a newer proposal, or a refused Accept. */
  readonly decided: Promise<boolean>;
  /** Shows new replacement text for the same range. */
  update(newText: string): void;
  /** The model is done: Accept is possible from now on, if the proposal changes anything. `note` goes into the title. */
  finish(note?: string): Promise<void>;
  /** Closes the diff without writing (generation failed or was cancelled before anything useful came). */
  close(): Promise<void>;
}

export type ApplyOutcome = "applied" | "discarded" | "no-editor";

/**
 * Insert at cursor, and Apply to file: Apply opens `vscode.diff` of the file against the proposed content (a read-only
 * document) and writes nothing until the user accepts; accepting is one WorkspaceEdit, so one undo step reverts it.
 * The refactor actions (ide/actions.ts) show their proposals through the same diff, streamed while the model writes.
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
    const doc = editor.document;
    const text = doc.getText();
    const selection = editor.selection.isEmpty ? undefined : { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
    const plan = planApply(text, code, selection);
    const name = basename(doc.uri);
    const handle = await this.propose({ target: doc, plan, title: `${name} ↔ Hearth's proposal (${plan.summary})` });
    const id = this.pending?.id;
    void vscode.window.showInformationMessage(`Hearth: apply the proposed change to ${name}? It ${plan.summary}.`, "Accept", "Discard").then((choice) => {
      if (id !== undefined && this.pending?.id === id) void (choice === "Accept" ? this.accept() : this.discard());
    });
    const accepted = await handle.decided;
    return accepted ? "applied" : "discarded";
  }

  /**
   * Opens `vscode.diff` of the target against the proposed text (a read-only document) and returns at once; nothing is
   * written until Accept. An open proposal is discarded when a new one starts.
   */
  async propose(request: ProposalRequest): Promise<ProposalHandle> {
    this.settle(false);
    const isNew = "newFile" in request.target;
    const target = "newFile" in request.target ? request.target.newFile : request.target.uri;
    const text = "newFile" in request.target ? "" : request.target.getText();
    const version = "newFile" in request.target ? 0 : request.target.version;
    const id = String(this.nextId++);
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: target.path, query: `proposal=${id}` });
    const originalUri = isNew ? vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: target.path, query: `original=${id}` }) : target;
    const streaming = request.streaming !== undefined;
    const proposal: Proposal = {
      id,
      target,
      newFile: isNew,
      version,
      baseText: text,
      plan: request.plan,
      proposalUri,
      originalUri,
      title: request.title,
      streaming,
      onCancel: request.streaming?.onCancel,
      settle: () => undefined,
    };
    const decided = new Promise<boolean>((resolve) => (proposal.settle = resolve));
    const render = () => this.contents.set(proposal.proposalUri.toString(), text.slice(0, proposal.plan.start) + proposal.plan.newText + text.slice(proposal.plan.end));
    render();
    if (isNew) this.contents.set(originalUri.toString(), "");
    this.pending = proposal;
    await vscode.commands.executeCommand("setContext", PROPOSAL_OPEN_KEY, true);
    await vscode.commands.executeCommand("setContext", GENERATING_KEY, streaming);
    await vscode.commands.executeCommand("setContext", READY_KEY, !streaming && changes(proposal));
    await vscode.commands.executeCommand("vscode.diff", originalUri, proposalUri, streaming ? `${request.title} — ${WRITING_NOTE}` : request.title, { preview: true });
    return {
      decided,
      update: (newText) => {
        if (this.pending !== proposal) return;
        proposal.plan = { ...proposal.plan, newText };
        render();
        this.changeEmitter.fire(proposal.proposalUri);
      },
      finish: (note) => this.finish(proposal, note),
      close: () => this.close(proposal, false),
    };
  }

  /** The model is done: the diff is shown again under its final title (with `note`, or that nothing changes). */
  private async finish(proposal: Proposal, note: string | undefined): Promise<void> {
    if (this.pending !== proposal || !proposal.streaming) return;
    proposal.streaming = false;
    const ready = changes(proposal);
    const writing = proposal.proposalUri;
    proposal.proposalUri = writing.with({ query: `proposal=${proposal.id}-final` });
    this.contents.set(proposal.proposalUri.toString(), this.contents.get(writing.toString()) ?? "");
    const title = [proposal.title, note, ready ? undefined : "no change"].filter(Boolean).join(" — ");
    // The keys first: Accept is there as soon as the final diff shows.
    await vscode.commands.executeCommand("setContext", GENERATING_KEY, false);
    await vscode.commands.executeCommand("setContext", READY_KEY, ready);
    await vscode.commands.executeCommand("vscode.diff", proposal.originalUri, proposal.proposalUri, title, { preview: true });
    await this.closeTabs(writing);
    this.contents.delete(writing.toString());
    // Discarded while the final diff opened: close that one too.
    if (this.pending !== proposal) await this.closeTabs(proposal.proposalUri);
  }

  /** The text the open proposal shows on its right side (tests, and the actions' syntax check). */
  proposedText(): string | undefined {
    return this.pending ? this.contents.get(this.pending.proposalUri.toString()) : undefined;
  }

  /** Escape while the model writes a proposal: stops the model (its owner then closes the diff). */
  cancelGeneration(): boolean {
    const proposal = this.pending;
    if (!proposal?.streaming) return false;
    proposal.onCancel?.();
    return true;
  }

  /** Writes the open proposal as one WorkspaceEdit (Accept). */
  async accept(): Promise<boolean> {
    const proposal = this.pending;
    if (!proposal) return false;
    if (proposal.streaming) {
      void vscode.window.showInformationMessage("Hearth: the model is still writing this proposal. Wait for it to finish, or press Escape to stop it.");
      return false;
    }
    if (!changes(proposal)) {
      void vscode.window.showInformationMessage("Hearth: the proposal is the same as the file; there is nothing to accept.");
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    let doc: vscode.TextDocument | undefined;
    let start = proposal.plan.start;
    if (proposal.newFile) {
      edit.createFile(proposal.target, { ignoreIfExists: false, contents: Buffer.from(proposal.plan.newText, "utf8") });
    } else {
      doc = await vscode.workspace.openTextDocument(proposal.target);
      const range = doc.version === proposal.version ? proposal.plan : rebaseRange(proposal.baseText, doc.getText(), proposal.plan);
      if (!range) {
        void vscode.window.showWarningMessage(`Hearth: ${basename(proposal.target)} changed where the proposal goes after it was made; nothing was written. Ask again for a fresh diff.`);
        await this.close(proposal, false);
        return false;
      }
      start = range.start;
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(range.start), doc.positionAt(range.end)), proposal.plan.newText);
    }
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) this.log.warn(`chat: applying the proposal to ${proposal.target.toString()} failed`);
    await this.close(proposal, ok);
    if (ok) {
      doc ??= await vscode.workspace.openTextDocument(proposal.target);
      const at = doc.positionAt(start);
      const shown = await vscode.window.showTextDocument(doc, { preview: false });
      shown.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
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
    this.contents.delete(proposal.originalUri.toString());
    if (proposal.streaming) proposal.onCancel?.();
    void vscode.commands.executeCommand("setContext", PROPOSAL_OPEN_KEY, false);
    void vscode.commands.executeCommand("setContext", GENERATING_KEY, false);
    void vscode.commands.executeCommand("setContext", READY_KEY, false);
    proposal.settle(accepted);
  }

  private async close(proposal: Proposal, accepted: boolean): Promise<void> {
    await this.closeTabs(proposal.proposalUri);
    if (this.pending === proposal) this.settle(accepted);
  }

  /** Closes the diff tabs whose right side is `proposalUri`. */
  private async closeTabs(proposalUri: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposalUri.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => undefined);
  }
}

/** Whether accepting the proposal would change the file (or create one). */
function changes(proposal: Proposal): boolean {
  return proposal.newFile || proposal.baseText.slice(proposal.plan.start, proposal.plan.end) !== proposal.plan.newText;
}
