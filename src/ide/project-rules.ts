import * as vscode from "vscode";
import { NO_RULES, readProjectRules, rulesBudget, type ProjectRules } from "../chat/project-rules";
import { DisposableStore } from "../common/disposable";
import { errorMessage } from "../common/errors";
import { Emitter, type Event } from "../common/event";
import type { Logger } from "../common/logger";

/** The files whose change may change the rules (RULE_FILES' base names). */
const WATCHED = "**/{AGENTS.md,copilot-instructions.md,rules.md}";

/**
 * The project rules (chat/project-rules.ts) for VS Code: for the file the chat works on (`current`, kept up to date
 * with `follow`) and for any document (`forDocument`, the actions). Read again when a rule file changes or the
 * workspace becomes trusted; in Restricted Mode nothing is read. Only `file:` workspace folders have rules.
 */
export class ProjectRulesTracker implements vscode.Disposable {
  private rules: ProjectRules = NO_RULES;
  private followed: vscode.Uri | undefined;
  private generation = 0;
  private readonly cache = new Map<string, Promise<ProjectRules>>();
  private readonly logged = new Set<string>();
  private readonly emitter = new Emitter<void>();
  private readonly subscriptions = new DisposableStore();
  /** `current` changed. */
  readonly onDidChange: Event<void> = this.emitter.event;

  constructor(
    private readonly logger: Logger,
    /** The model's context window, for the rules' budget (rulesBudget). */
    private readonly windowTokens: () => number,
    /** Whether the workspace is trusted (a test may say it is not). */
    private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
    const reread = () => this.invalidate();
    this.subscriptions.add(
      watcher,
      watcher.onDidCreate(reread),
      watcher.onDidChange(reread),
      watcher.onDidDelete(reread),
      vscode.workspace.onDidGrantWorkspaceTrust(reread),
      vscode.workspace.onDidChangeWorkspaceFolders(reread),
    );
  }

  /** The rules for the file the chat follows (see `follow`). */
  get current(): ProjectRules {
    return this.rules;
  }

  /** Makes `current` the rules for `uri` (the chat's file); fires onDidChange when they differ. */
  follow(uri: vscode.Uri | undefined): Promise<void> {
    this.followed = uri;
    return this.update();
  }

  /** The rules for a document: its folder's up to its workspace folder's; none outside a trusted `file:` folder. */
  forDocument(uri: vscode.Uri | undefined): Promise<ProjectRules> {
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? (uri ? undefined : vscode.workspace.workspaceFolders?.[0]);
    if (!this.isTrusted() || !folder || folder.uri.scheme !== "file") return Promise.resolve(NO_RULES);
    const file = uri?.scheme === "file" ? uri.fsPath : undefined;
    const budgetTokens = rulesBudget(this.windowTokens());
    // Rules depend on the folder the file is in, not the file: one read per folder until a rule file changes.
    const key = `${folder.uri.fsPath}\n${file ? dirname(file) : ""}\n${budgetTokens}`;
    let rules = this.cache.get(key);
    if (!rules) {
      rules = readProjectRules({ root: folder.uri.fsPath, ...(file ? { file } : {}), trusted: true, budgetTokens }).then(
        (read) => {
          for (const note of read.notes) this.logOnce(`project rules: ${note}`);
          return read;
        },
        (error: unknown) => {
          this.logOnce(`project rules could not be read: ${errorMessage(error)}`);
          return NO_RULES;
        },
      );
      this.cache.set(key, rules);
    }
    return rules;
  }

  dispose(): void {
    this.emitter.dispose();
    this.subscriptions.dispose();
  }

  private invalidate(): void {
    this.cache.clear();
    this.logged.clear();
    void this.update();
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const rules = await this.forDocument(this.followed);
    if (generation !== this.generation || rules.text === this.rules.text) return;
    this.rules = rules;
    this.emitter.fire();
  }

  private logOnce(message: string): void {
    if (this.logged.has(message)) return;
    this.logged.add(message);
    this.logger.warn(message);
  }
}

function dirname(file: string): string {
  const slash = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return slash < 0 ? "" : file.slice(0, slash);
}
