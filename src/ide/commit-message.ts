import * as vscode from "vscode";
import { chatActionModel } from "../actions/action-services";
import { streamIntoBox } from "../actions/commit-box";
import { writeCommitMessage, type CommitOutcome, type CommitRequest } from "../actions/commit-message";
import { STYLE_SUBJECTS } from "../actions/commit-style";
import { errorMessage } from "../common/errors";
import type { Engine } from "../engine/engine-api";
import { COMMANDS } from "./command-ids";
import { readConfig } from "./config";
import type { HearthLog } from "./log";

// The parts of the built-in Git extension's API (extensions/git/src/api/git.d.ts, version 1) this file uses.
interface GitChange {
  readonly uri: vscode.Uri;
  readonly status: number;
}
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  readonly state: { readonly workingTreeChanges: readonly GitChange[]; readonly untrackedChanges?: readonly GitChange[] };
  diff(cached?: boolean): Promise<string>;
  log(options?: { maxEntries?: number }): Promise<readonly { readonly message: string }[]>;
}
interface GitApi {
  readonly repositories: readonly GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** Status.UNTRACKED in the Git extension's API. */
const UNTRACKED = 7;

export interface CommitDeps {
  engine: Engine;
  log: HearthLog;
  /** The project rules (none in Restricted Mode), read for the repository's root folder. */
  rules?: { forDocument(uri: vscode.Uri | undefined): Promise<{ text: string }> };
}

export interface CommitMessageApi {
  /** The outcome of the last run (tests read it), once it ended. */
  readonly last: CommitRunOutcome | undefined;
}

export type CommitRunOutcome = CommitOutcome | { status: "no-changes" | "no-repository" | "restricted" | "failed"; message?: string };

/**
 * "Hearth: Write Commit Message" (the Source Control title's button and the palette): writes a message for the staged
 * changes (all changes when nothing is staged) into the repository's commit box, streamed. It never commits. The text
 * the box held comes back when the user cancels or the model fails; typing in the box while it streams stops it.
 */
export function registerCommitMessage(deps: CommitDeps): { api: CommitMessageApi; disposables: vscode.Disposable[] } {
  const state: { last: CommitRunOutcome | undefined } = { last: undefined };
  const run = async (arg?: unknown) => (state.last = await writeForRepository(deps, arg));
  return { api: state, disposables: [vscode.commands.registerCommand(COMMANDS.writeCommitMessage, run)] };
}

async function writeForRepository(deps: CommitDeps, arg: unknown): Promise<CommitRunOutcome> {
  // VS Code turns its Git extension off in Restricted Mode, so there is no repository to read; say so rather than nothing.
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage("Hearth: writing a commit message needs VS Code's Git support, which is off in Restricted Mode. Trust this workspace to use it.");
    return { status: "restricted" };
  }
  const git = await gitApi();
  if (!git) {
    void vscode.window.showWarningMessage("Hearth: VS Code's Git extension is not available (disabled, or git is not installed), so there is no repository to write a message for.");
    return { status: "no-repository" };
  }
  const repository = await pickRepository(git, arg);
  if (!repository) {
    if (git.repositories.length === 0) void vscode.window.showInformationMessage("Hearth: no Git repository is open.");
    return { status: "no-repository" };
  }
  try {
    let diff = await repository.diff(true);
    const staged = diff.trim() !== "";
    const untracked = staged ? [] : untrackedPaths(repository);
    if (!staged) diff = await repository.diff(false);
    if (!diff.trim() && untracked.length === 0) {
      void vscode.window.showInformationMessage("Hearth: there are no changes to write a commit message for.");
      return { status: "no-changes" };
    }
    const recentSubjects = (await repository.log({ maxEntries: STYLE_SUBJECTS }).catch(() => [])).map((c) => c.message);
    // A file in the root stands for the repository: its folder's rules and those above it within the workspace.
    const rules = (await deps.rules?.forDocument(vscode.Uri.joinPath(repository.rootUri, "COMMIT_EDITMSG")))?.text;
    return await stream(deps, repository, { diff, newFiles: untracked, recentSubjects, staged, ...(rules ? { rules } : {}) });
  } catch (error) {
    deps.log.warn(`commit message: ${errorMessage(error)}`);
    void vscode.window.showErrorMessage(`Hearth: the commit message could not be written (the commit box is as it was): ${errorMessage(error)}`);
    return { status: "failed", message: errorMessage(error) };
  }
}

async function stream(
  deps: CommitDeps,
  repository: GitRepository,
  request: CommitRequest,
): Promise<CommitRunOutcome> {
  const controller = new AbortController();
  const model = chatActionModel(deps.engine, () => readConfig().engine.contextSize);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Hearth: writing the commit message…", cancellable: true },
    async (_progress, token) => {
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        return await streamIntoBox(repository.inputBox, controller, (onText) => writeCommitMessage(request, { model, signal: controller.signal, onText }));
      } finally {
        cancel.dispose();
      }
    },
  );
  if (outcome.status === "empty") void vscode.window.showWarningMessage("Hearth: the model wrote no commit message; the commit box is unchanged.");
  if (outcome.status === "written") {
    const { summarised, leftOut } = outcome.prompt.diff;
    deps.log.info(`commit message: ${request.staged ? "staged" : "all"} changes, ${summarised.length} file(s) summarised, ${leftOut.length} left out (lock, generated or binary)`);
  }
  return outcome;
}

async function gitApi(): Promise<GitApi | undefined> {
  const extension = vscode.extensions.getExtension<GitExtension>("vscode.git");
  if (!extension) return undefined;
  const exports = extension.isActive ? extension.exports : await extension.activate().then(undefined, () => undefined);
  return exports?.enabled ? exports.getAPI(1) : undefined;
}

/** The repository of the Source Control view the button was in, else the only one, the active editor's, or the user's pick. */
async function pickRepository(git: GitApi, arg: unknown): Promise<GitRepository | undefined> {
  const rootUri = isObject(arg) && arg.rootUri instanceof vscode.Uri ? arg.rootUri : undefined;
  if (rootUri) return git.getRepository(rootUri) ?? undefined;
  if (git.repositories.length <= 1) return git.repositories[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  const ofEditor = active ? git.getRepository(active) : null;
  if (ofEditor) return ofEditor;
  const picked = await vscode.window.showQuickPick(
    git.repositories.map((repository) => ({ label: vscode.workspace.asRelativePath(repository.rootUri, true) || repository.rootUri.fsPath, repository })),
    { title: "Hearth: write a commit message for which repository?" },
  );
  return picked?.repository;
}

function untrackedPaths(repository: GitRepository): string[] {
  const changes = [...repository.state.workingTreeChanges.filter((c) => c.status === UNTRACKED), ...(repository.state.untrackedChanges ?? [])];
  const root = repository.rootUri.path.replace(/\/$/, "");
  return [...new Set(changes.map((c) => (c.uri.path.startsWith(`${root}/`) ? c.uri.path.slice(root.length + 1) : c.uri.path)))];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
