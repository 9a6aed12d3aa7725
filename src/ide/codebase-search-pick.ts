import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { CodebaseSnippet } from "../memory/hybrid-search";
import type { CodebaseMemoryHost } from "./codebase-memory";
import { CODEBASE_COMMANDS } from "./codebase-memory";

/** Waits this long after the last keystroke in the box before searching. */
const SEARCH_DELAY_MS = 250;
/** The results' budget: enough for a screenful of snippets. */
const PICK_BUDGET_TOKENS = 6000;

interface SnippetItem extends vscode.QuickPickItem {
  snippet: CodebaseSnippet;
}

/** **Hearth: Search Codebase…**: a question in, the codebase's best snippets listed, Enter opens one at its lines. */
export async function pickCodebaseSnippet(host: CodebaseMemoryHost): Promise<void> {
  if (!host.memory) {
    void vscode.window.showInformationMessage("Hearth: codebase search needs an open folder, and hearth.codebase.enable on.");
    return;
  }
  const pick = vscode.window.createQuickPick<SnippetItem>();
  pick.title = "Hearth: Search Codebase";
  pick.placeholder = "Ask about the code, e.g. where do we retry failed uploads?";
  pick.matchOnDescription = false;
  // The list is the search's answer, ranked: VS Code's own filter on the labels would hide good results.
  (pick as { sortByLabel?: boolean }).sortByLabel = false;
  let timer: NodeJS.Timeout | undefined;
  let controller: AbortController | null = null;
  const run = async (question: string): Promise<void> => {
    controller?.abort();
    if (!question.trim()) {
      pick.items = [];
      return;
    }
    const own = (controller = new AbortController());
    pick.busy = true;
    try {
      const result = await host.search(question, PICK_BUDGET_TOKENS, own.signal);
      if (own.signal.aborted) return;
      pick.items = (result?.snippets ?? []).map(toItem);
      pick.title = result?.vectorsOff ? `Hearth: Search Codebase (full text and symbols only: ${result.vectorsOff})` : "Hearth: Search Codebase";
    } catch (e) {
      if (!isAbortError(e)) pick.title = `Hearth: Search Codebase: ${errorMessage(e)}`;
    } finally {
      if (controller === own) pick.busy = false;
    }
  };
  pick.onDidChangeValue((value) => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(value), SEARCH_DELAY_MS);
  });
  pick.onDidAccept(async () => {
    const item = pick.selectedItems[0];
    if (!item) return;
    pick.hide();
    await openSnippet(item.snippet);
  });
  pick.onDidHide(() => {
    clearTimeout(timer);
    controller?.abort();
    pick.dispose();
  });
  pick.show();
}

export async function openSnippet(snippet: { path: string; startLine: number; endLine: number }): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(snippet.path));
  const range = new vscode.Range(snippet.startLine, 0, snippet.endLine, 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(range.start, range.start), preview: true });
  const editor = vscode.window.activeTextEditor;
  editor?.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function toItem(snippet: CodebaseSnippet): SnippetItem {
  const firstLine = snippet.text.split("\n").find((l) => l.trim())?.trim() ?? "";
  return {
    label: firstLine.length > 100 ? `${firstLine.slice(0, 100)}…` : firstLine,
    description: `${vscode.workspace.asRelativePath(snippet.path)}:${snippet.startLine + 1}`,
    detail: snippet.header ? snippet.header.split("\n").join(" › ") : undefined,
    alwaysShow: true,
    snippet,
  };
}

/** The commands: Reindex Codebase and Search Codebase…. */
export function registerCodebaseCommands(host: CodebaseMemoryHost): vscode.Disposable[] {
  return [
    // Both return what they found, for tests and for other extensions' use.
    vscode.commands.registerCommand(CODEBASE_COMMANDS.reindex, async () => {
      const summary = await host.reindex();
      if (summary) void vscode.window.showInformationMessage(`Hearth: codebase indexed: ${summary.files} files (${summary.indexed} updated), ${summary.chunks} chunks.`);
      return summary;
    }),
    // With a question (a string), the search's snippets without the quick pick.
    vscode.commands.registerCommand(CODEBASE_COMMANDS.search, async (question?: unknown) =>
      typeof question === "string" ? ((await host.search(question, PICK_BUDGET_TOKENS)) ?? null) : pickCodebaseSnippet(host),
    ),
  ];
}
