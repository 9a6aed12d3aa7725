// How a next-edit suggestion looks in the editor, with the stable API only. An insertion at the cursor is drawn as ghost
// text (the theme's own ghost-text colour after the cursor); any other edit marks the old text as removed and shows the
// new text beside it in the theme's diff colours; an edit away from the cursor also puts a hint at the end of the
// cursor's line saying where it is and that Tab goes there. Every colour is a theme colour, so light, dark and
// high-contrast themes each draw it in their own diff and ghost-text colours (high contrast adds their borders).
import * as vscode from "vscode";
import type { NextEditSuggestion } from "../nextedit/next-edit-requests";
import { inlineText, isInsertionAt } from "../nextedit/suggestion-shape";

/** Where a shown suggestion is: away from the cursor (Tab jumps there) or at it (Tab applies it). */
export type DisplayPhase = "jump" | "apply";

export class NextEditDisplay implements vscode.Disposable {
  private readonly ghost = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor("editorGhostText.foreground") },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly removed = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor("diffEditor.removedTextBackground"),
    border: "1px solid",
    borderColor: new vscode.ThemeColor("diffEditor.removedTextBorder"),
    textDecoration: "line-through",
    overviewRulerColor: new vscode.ThemeColor("editorOverviewRuler.deletedForeground"),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private readonly inserted = vscode.window.createTextEditorDecorationType({
    after: {
      backgroundColor: new vscode.ThemeColor("diffEditor.insertedTextBackground"),
      border: "1px solid",
      borderColor: new vscode.ThemeColor("diffEditor.insertedTextBorder"),
      margin: "0 0 0 2px",
    },
    overviewRulerColor: new vscode.ThemeColor("editorOverviewRuler.addedForeground"),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private readonly hint = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor("editorCodeLens.foreground"), margin: "0 0 0 2em", fontStyle: "normal" },
  });

  /**
   * Draws `suggestion` in `editor`; returns the phase it is shown in. Each decoration type is set exactly once, so the
   * editor never paints a frame between the old drawing's removal and the new one's (the hint would blink out).
   */
  show(editor: vscode.TextEditor, suggestion: NextEditSuggestion): DisplayPhase {
    const document = editor.document;
    const cursor = document.offsetAt(editor.selection.active);
    const start = document.positionAt(suggestion.start);
    const end = document.positionAt(suggestion.end);
    const drawing = new Map<vscode.TextEditorDecorationType, vscode.DecorationOptions[]>([
      [this.ghost, []],
      [this.removed, []],
      [this.inserted, []],
      [this.hint, []],
    ]);
    const draw = (phase: DisplayPhase): DisplayPhase => {
      for (const [type, options] of drawing) editor.setDecorations(type, options);
      return phase;
    };
    if (isInsertionAt(suggestion, cursor)) {
      drawing.set(this.ghost, [{ range: new vscode.Range(start, start), renderOptions: { after: { contentText: inlineText(suggestion.text) } } }]);
      return draw("apply");
    }
    if (suggestion.end > suggestion.start) drawing.set(this.removed, [{ range: new vscode.Range(start, end) }]);
    if (suggestion.text !== "") {
      // Shown after the old text, or at the end of the line above a whole-line insertion (a line of its own is not
      // possible with the stable API).
      const anchor = suggestion.start === suggestion.end && start.character === 0 && start.line > 0 ? document.lineAt(start.line - 1).range.end : end;
      drawing.set(this.inserted, [{ range: new vscode.Range(anchor, anchor), renderOptions: { after: { contentText: inlineText(suggestion.text) } } }]);
    }
    const cursorLine = editor.selection.active.line;
    const near = cursorLine >= start.line - (start.character === 0 && suggestion.start === suggestion.end ? 1 : 0) && cursorLine <= end.line;
    if (near) {
      const editEnd = document.lineAt(end.line).range.end;
      drawing.set(this.hint, [{ range: new vscode.Range(editEnd, editEnd), renderOptions: { after: { contentText: "Tab to accept, Esc to dismiss" } } }]);
      return draw("apply");
    }
    const lineEnd = document.lineAt(cursorLine).range.end;
    const arrow = start.line < cursorLine ? "↑" : "↓";
    drawing.set(this.hint, [
      { range: new vscode.Range(lineEnd, lineEnd), renderOptions: { after: { contentText: `${arrow} Next edit at line ${start.line + 1}: Tab to go there, Esc to dismiss` } } },
    ]);
    return draw("jump");
  }

  clear(editor: vscode.TextEditor | undefined): void {
    if (!editor) return;
    for (const type of [this.ghost, this.removed, this.inserted, this.hint]) editor.setDecorations(type, []);
  }

  dispose(): void {
    for (const type of [this.ghost, this.removed, this.inserted, this.hint]) type.dispose();
  }
}
