import * as vscode from "vscode";
import { findPrompt, listPromptFiles, type PromptFile } from "../chat/prompt-files";
import { DisposableStore } from "../common/disposable";
import { Emitter, type Event } from "../common/event";
import { LIMITS, type ViewSlashCommand } from "../webview/protocol";
import type { ChatContextTracker } from "./chat-context";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

/** The Source Control view's commit-message command; /commit runs it by its id. */
export const WRITE_COMMIT_MESSAGE_COMMAND = "hearth.writeCommitMessage";
/** "Hearth: Run Prompt…", which runs a prompt file given its name; `/NAME` runs it for a prompt file's NAME. */
export const RUN_PROMPT_COMMAND = "hearth.runPrompt";

/** What a built-in slash command runs: one of Hearth's own commands, on the chat's editor or not. */
interface BuiltIn {
  command: string;
  description: string;
  /** What the text after the name is for; "" when there is none. */
  argument: string;
  /** Runs on the chat's editor (its selection, or the declaration at the cursor). */
  onEditor: boolean;
}

/**
 * The fixed table of built-in slash commands. A name from the webview is looked up here (a Map, so `__proto__` or
 * `constructor` find nothing), then among the workspace's prompt files; it is never made into a command id itself.
 */
export const BUILT_IN_SLASH_COMMANDS: ReadonlyMap<string, BuiltIn> = new Map([
  ["explain", { command: COMMANDS.explain, description: "Explain the selection (or the code at the cursor) in the chat", argument: "", onEditor: true }],
  ["fix", { command: COMMANDS.fix, description: "Fix the problems in the selection or the code at the cursor", argument: "", onEditor: true }],
  ["doc", { command: COMMANDS.document, description: "Document the selection or the code at the cursor", argument: "", onEditor: true }],
  ["tests", { command: COMMANDS.generateTests, description: "Write tests for the selection or the code at the cursor", argument: "", onEditor: true }],
  ["edit", { command: COMMANDS.editWithInstruction, description: "Change the selection or the code at the cursor as you say", argument: "what to change", onEditor: true }],
  ["commit", { command: WRITE_COMMIT_MESSAGE_COMMAND, description: "Write a commit message for the staged changes", argument: "", onEditor: false }],
]);

/** What running a slash command needs from the chat. */
export interface SlashCommandDeps {
  context: ChatContextTracker;
  log: HearthLog;
  /** Asks the chat a question, with the current context chips. */
  ask(question: string): Promise<void>;
  /** Tells the user something in the chat view. */
  notify(level: "info" | "warning" | "error", text: string): void;
}

/**
 * The chat's slash commands: the built-in ones (each runs the very command of the same action, on the chat's editor)
 * and the workspace's prompt files (`/NAME` asks the chat the file's prompt). The prompt files are read again when one
 * changes, when folders change and when the workspace is trusted; in Restricted Mode there are none.
 */
export class ChatSlashCommands implements vscode.Disposable {
  private prompts: PromptFile[] = [];
  private readonly emitter = new Emitter<void>();
  private readonly subscriptions = new DisposableStore();
  private generation = 0;
  /** The commands changed (a prompt file came, went or changed). */
  readonly onDidChange: Event<void> = this.emitter.event;
  /** Resolves when the prompt files read last have been read. */
  ready: Promise<void>;

  constructor(private readonly deps: SlashCommandDeps) {
    const watchers = ["**/.hearth/prompts/*.md", "**/.github/prompts/*.prompt.md"].map((glob) => vscode.workspace.createFileSystemWatcher(glob));
    const refresh = () => void this.refresh();
    for (const watcher of watchers) this.subscriptions.add(watcher, watcher.onDidCreate(refresh), watcher.onDidChange(refresh), watcher.onDidDelete(refresh));
    this.subscriptions.add(vscode.workspace.onDidGrantWorkspaceTrust(refresh), vscode.workspace.onDidChangeWorkspaceFolders(refresh));
    this.ready = this.refresh();
  }

  /** The menu's list: built-in commands first, then the prompt files a built-in name does not hide. */
  list(): ViewSlashCommand[] {
    const builtIns = [...BUILT_IN_SLASH_COMMANDS].map(([name, b]) => ({ name, description: b.description, argument: b.argument }));
    const prompts = this.prompts
      .filter((p) => !BUILT_IN_SLASH_COMMANDS.has(p.name.toLowerCase()))
      .map((p) => ({ name: p.name, description: p.description || `Prompt file ${vscode.workspace.asRelativePath(p.path)}`, argument: "" }));
    // The view refuses a longer list whole (built-ins too): several workspace folders' prompt files are cut instead.
    return [...builtIns, ...prompts].slice(0, LIMITS.slashCommands);
  }

  /** Runs `/name text` as the user typed it. */
  async run(name: string, text: string): Promise<void> {
    const key = name.toLowerCase();
    const builtIn = BUILT_IN_SLASH_COMMANDS.get(key);
    const prompt = builtIn ? undefined : findPrompt({ prompts: this.prompts, skipped: [] }, name);
    if ((builtIn || prompt) && text && !builtIn?.argument) {
      this.deps.notify("warning", `/${name} takes no text after its name; nothing was run.`);
      return;
    }
    if (builtIn) return this.runBuiltIn(key, builtIn, text);
    if (prompt) {
      // The palette's command, given the name as found in the listing; where it is missing the chat is asked directly.
      if (await isRegistered(RUN_PROMPT_COMMAND)) await vscode.commands.executeCommand(RUN_PROMPT_COMMAND, prompt.name);
      else await this.deps.ask(prompt.body);
      return;
    }
    this.deps.notify("warning", `There is no /${name} command. Type / to see the commands, or ask without the "/" to send it as a question.`);
  }

  /** Reads the workspace's prompt files again (the first folder gives a name that several folders have). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const trusted = vscode.workspace.isTrusted;
    const found: PromptFile[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== "file") continue;
      const listing = await listPromptFiles(folder.uri.fsPath, { trusted }).catch((error: unknown) => {
        this.deps.log.warn(`chat: reading the prompt files of ${folder.name} failed: ${String(error)}`);
        return { prompts: [], skipped: [] };
      });
      for (const skipped of listing.skipped) this.deps.log.info(`chat: prompt file ${skipped.path} not offered: ${skipped.reason}`);
      for (const prompt of listing.prompts) if (!findPrompt({ prompts: found, skipped: [] }, prompt.name)) found.push(prompt);
    }
    if (generation !== this.generation) return;
    for (const prompt of found) if (BUILT_IN_SLASH_COMMANDS.has(prompt.name.toLowerCase())) this.deps.log.info(`chat: prompt file ${prompt.path} is not offered as /${prompt.name}: a built-in command has that name`);
    this.prompts = found;
    this.emitter.fire();
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.emitter.dispose();
  }

  private async runBuiltIn(name: string, builtIn: BuiltIn, text: string): Promise<void> {
    if (!builtIn.onEditor) {
      if (!(await isRegistered(builtIn.command))) {
        this.deps.notify("warning", `/${name} is not available: this version of Hearth has no ${builtIn.command} command.`);
        return;
      }
      await vscode.commands.executeCommand(builtIn.command);
      return;
    }
    const editor = this.deps.context.targetEditor;
    // The chat's editor (the last one the user was in), so the view's focus does not leave the action without a target.
    const args = editor ? { uri: editor.document.uri, range: editor.selection } : {};
    await vscode.commands.executeCommand(builtIn.command, builtIn.argument && text ? { ...args, instruction: text } : args);
  }
}

async function isRegistered(command: string): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(command);
}
