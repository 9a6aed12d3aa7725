import * as vscode from "vscode";
import type { ActionArgs } from "./actions";
import { COMMANDS } from "./command-ids";

/**
 * The light bulb: "Fix with Hearth" for the problems under the cursor, and "Document with Hearth" / "Edit with
 * Hearth…" on a selection. Computing them is free: the model runs only when one is chosen.
 */
export class HearthCodeActionProvider implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const wants = (kind: vscode.CodeActionKind) => !context.only || context.only.contains(kind) || kind.contains(context.only);
    const diagnostics = context.diagnostics.filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
    if (diagnostics.length && wants(vscode.CodeActionKind.QuickFix)) {
      const fix = new vscode.CodeAction(diagnostics.length === 1 ? "Fix with Hearth" : `Fix ${diagnostics.length} problems with Hearth`, vscode.CodeActionKind.QuickFix);
      fix.diagnostics = [...diagnostics];
      const args: ActionArgs = { uri: document.uri, range: range.isEmpty ? new vscode.Range(range.start, range.start) : range, diagnostics };
      fix.command = { command: COMMANDS.fix, title: "Fix with Hearth", arguments: [args] };
      actions.push(fix);
    }
    if (!range.isEmpty && wants(vscode.CodeActionKind.RefactorRewrite)) {
      const args: ActionArgs = { uri: document.uri, range };
      const documentAction = new vscode.CodeAction("Document with Hearth", vscode.CodeActionKind.RefactorRewrite);
      documentAction.command = { command: COMMANDS.document, title: "Document with Hearth", arguments: [args] };
      const edit = new vscode.CodeAction("Edit with Hearth…", vscode.CodeActionKind.RefactorRewrite);
      edit.command = { command: COMMANDS.editWithInstruction, title: "Edit with Hearth…", arguments: [args] };
      actions.push(documentAction, edit);
    }
    return actions;
  }
}
