import * as vscode from "vscode";
import { findPrompt, listPromptFiles, type PromptFile, type PromptFileListing } from "../chat/prompt-files";
import type { Logger } from "../common/logger";
import type { ChatApi } from "./chat";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

export interface PromptCommandsApi {
  /** The prompt the last run sent to the chat (tests read it), or why none was. */
  readonly last: { status: "sent"; prompt: PromptFile } | { status: "restricted" | "none" | "not-found" | "cancelled" } | undefined;
  /** The prompt files of every workspace folder now (none in Restricted Mode). */
  list(): Promise<PromptFileListing>;
}

/**
 * "Hearth: Run Prompt…": the workspace's prompt files (chat/prompt-files.ts) in a quick pick; the picked one is asked in
 * the chat with the current context chips, as if typed. With a name as argument it runs that prompt without asking.
 */
export function registerPromptCommands(deps: { chat: ChatApi; log: HearthLog }): { api: PromptCommandsApi; disposables: vscode.Disposable[] } {
  const api: { last: PromptCommandsApi["last"]; list: () => Promise<PromptFileListing> } = { last: undefined, list: () => workspacePrompts(deps.log) };
  const run = async (name?: unknown) => (api.last = await runPrompt(deps, typeof name === "string" ? name : undefined));
  return { api, disposables: [vscode.commands.registerCommand(COMMANDS.runPrompt, run)] };
}

async function runPrompt(deps: { chat: ChatApi; log: HearthLog }, name: string | undefined): Promise<NonNullable<PromptCommandsApi["last"]>> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage("Hearth: prompt files are not read in Restricted Mode. Trust this workspace to use them.");
    return { status: "restricted" };
  }
  const listing = await workspacePrompts(deps.log);
  let prompt: PromptFile | undefined;
  if (name !== undefined) {
    prompt = findPrompt(listing, name);
    if (!prompt) {
      void vscode.window.showWarningMessage(`Hearth: there is no prompt file named ${JSON.stringify(name)}.`);
      return { status: "not-found" };
    }
  } else {
    if (listing.prompts.length === 0) {
      const skipped = listing.skipped.length ? ` ${listing.skipped.length} file(s) were not usable; the log says why.` : "";
      void vscode.window.showInformationMessage(`Hearth: no prompt files. Add .hearth/prompts/NAME.md or .github/prompts/NAME.prompt.md to the workspace.${skipped}`);
      return { status: "none" };
    }
    const picked = await vscode.window.showQuickPick(
      listing.prompts.map((p) => ({ label: p.name, description: p.description, detail: vscode.workspace.asRelativePath(p.path), prompt: p })),
      { title: "Hearth: run a prompt file in the chat", placeHolder: "Pick a prompt", matchOnDescription: true },
    );
    prompt = picked?.prompt;
    if (!prompt) return { status: "cancelled" };
  }
  await vscode.commands.executeCommand(COMMANDS.chatFocus);
  await deps.chat.ready;
  // As if typed: the last question's Codebase chips do not go with it; its own @codebase retrieves.
  await deps.chat.session.send(prompt.body, await deps.chat.context.piecesFor(prompt.body), deps.chat.view.budget());
  return { status: "sent", prompt };
}

/**
 * The prompt files of every `file:` workspace folder; a name the first folder gives wins. Skipped files go to the log.
 * None in Restricted Mode (`trusted` false).
 */
export async function workspacePrompts(log: Logger, trusted = vscode.workspace.isTrusted): Promise<PromptFileListing> {
  const all: PromptFileListing = { prompts: [], skipped: [] };
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== "file") continue;
    const listing = await listPromptFiles(folder.uri.fsPath, { trusted });
    for (const prompt of listing.prompts) {
      if (findPrompt(all, prompt.name)) all.skipped.push({ path: prompt.path, reason: `/${prompt.name} is already ${findPrompt(all, prompt.name)!.path}` });
      else all.prompts.push(prompt);
    }
    all.skipped.push(...listing.skipped);
  }
  for (const s of all.skipped) log.warn(`prompt files: ${s.path} skipped: ${s.reason}`);
  all.prompts.sort((a, b) => a.name.localeCompare(b.name));
  return all;
}
