// Write Commit Message in a real extension host, on a real git repository the test creates, through VS Code's own Git
// extension, with the scripted model: the exact message lands in the repository's commit box, nothing is committed, and
// a second run with nothing changed says so.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import type { CommitRunOutcome } from "../../src/ide/commit-message";
import type { HearthApi } from "../../src/extension";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, setModel, waitFor } from "./helpers";

const MESSAGE = "fix(lexer): split lines on CRLF as well as LF";

interface GitRepositoryForTest {
  readonly inputBox: { value: string };
  readonly state: { readonly HEAD?: { readonly commit?: string }; readonly indexChanges: readonly unknown[] };
}

describe("Hearth writes commit messages in the extension host", function () {
  this.timeout(180_000);
  let api: HearthApi;
  let root: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" });
  let repository: GitRepositoryForTest;

  before(async () => {
    api = await hearth();
    const model = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: MESSAGE } });
    await setModel(model, { contextSize: 4096 });
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the engine to accept the model");

    root = mkdtempSync(path.join(tmpdir(), "hearth-commit-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "Test");
    writeFileSync(path.join(root, "lexer.ts"), "export function lex(text: string) {\n  return text.split('\\n');\n}\n");
    git("add", "-A");
    git("commit", "-q", "-m", "feat(lexer): first lexer");
    writeFileSync(path.join(root, "lexer.ts"), "export function lex(text: string) {\n  return text.split(/\\r?\\n/);\n}\n");
    writeFileSync(path.join(root, "package-lock.json"), "{}\n");
    git("add", "-A");

    // The harness turns automatic repository detection off: open this one as a user would with "Open Repository".
    const extension = vscode.extensions.getExtension<{ getAPI(v: 1): { getRepository(uri: vscode.Uri): GitRepositoryForTest | null } }>("vscode.git");
    assert.ok(extension, "VS Code's Git extension is there");
    const gitApi = (await extension.activate()).getAPI(1);
    await vscode.commands.executeCommand("git.openRepository", root);
    await waitFor(() => gitApi.getRepository(vscode.Uri.file(root)) !== null, "the Git extension to open the repository");
    repository = gitApi.getRepository(vscode.Uri.file(root))!;
  });

  after(async () => {
    await vscode.commands.executeCommand("git.close", vscode.Uri.file(root)).then(undefined, () => undefined);
    rmSync(root, { recursive: true, force: true });
    const config = vscode.workspace.getConfiguration("hearth");
    for (const key of ["model.path", "engine.contextSize", "engine.threads"]) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it("writes exactly the model's message for the staged changes into the commit box and commits nothing", async () => {
    const head = git("rev-parse", "HEAD");
    repository.inputBox.value = "";
    const outcome = await vscode.commands.executeCommand<CommitRunOutcome>("hearth.writeCommitMessage", { rootUri: vscode.Uri.file(root) });
    assert.equal(outcome.status, "written", JSON.stringify(outcome));
    // The box reads back the window's echoes of the streamed text for a moment: wait for the last one.
    await waitFor(() => repository.inputBox.value === MESSAGE, `the commit box to hold ${JSON.stringify(MESSAGE)} (it holds ${JSON.stringify(repository.inputBox.value)})`);
    assert.equal(api.commitMessage.last, outcome);
    assert.equal(git("rev-parse", "HEAD"), head, "nothing was committed");
    assert.match(git("diff", "--cached", "--name-only"), /lexer\.ts/, "the changes are still staged");
    if (outcome.status === "written") {
      assert.deepEqual(outcome.prompt.diff.leftOut, [{ path: "package-lock.json", why: "lock file" }]);
      assert.match(outcome.prompt.messages[1]!.content, /- feat\(lexer\): first lexer/);
      assert.match(outcome.prompt.messages[1]!.content, /\+ {2}return text\.split\(\/\\r\?\\n\/\);/);
    }
  });

  it("says there is nothing to write for when the repository has no changes, and leaves the box as it was", async () => {
    git("commit", "-q", "-m", MESSAGE);
    const head = git("rev-parse", "HEAD").trim();
    // The Git extension notices the commit on its own; the draft goes in once it has, so its refresh cannot touch it.
    await waitFor(() => repository.state.HEAD?.commit === head && repository.state.indexChanges.length === 0, "the Git extension to see the commit");
    repository.inputBox.value = "my own draft";
    const outcome = await vscode.commands.executeCommand<CommitRunOutcome>("hearth.writeCommitMessage", { rootUri: vscode.Uri.file(root) });
    assert.deepEqual(outcome, { status: "no-changes" });
    assert.equal(repository.inputBox.value, "my own draft");
  });
});
