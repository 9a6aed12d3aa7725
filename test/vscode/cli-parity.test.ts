// The CLI is a faithful front end: at a position of a workspace file, `hearth complete` (the built dist/cli.js, run as
// a child process with the same settings and model) suggests exactly what the extension's inline completion provider
// suggests, from the same prompt windows and the same context items.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import * as vscode from "vscode";
import type { CompleteOutput } from "../../src/cli/complete";
import type { AssembledContext } from "../../src/context/context-types";
import type { HearthApi } from "../../src/extension";
import { ensureTestModel } from "../fixtures/models/test-models";
import { hearth, hearthExtension, openAt, setModel, waitFor, workspaceFile } from "./helpers";

const FILE = "src/rooms.ts";

/** 0-based positions in FILE, and what the pipeline decides there. */
const POSITIONS = [
  { line: 6, character: 2, where: "on an empty line of a body (several lines)" },
  { line: 5, character: 16, where: "before the `;` of a statement (one line, cut where the text after the cursor begins)" },
];

/** Times the extension is asked again when its workspace index missed a keystroke's deadline (a loaded machine). */
const MAX_ASKS = 3;
/** Times Trigger Inline Suggestion is run for one ask, and how long each waits for the answer. */
const TRIGGERS = 3;
const TRIGGER_WAIT_MS = 20_000;

interface Asked {
  text: string | null;
  context: AssembledContext;
}

describe("The CLI suggests what the editor suggests", function () {
  this.timeout(240_000);
  let api: HearthApi;
  let settingsDir: string;
  let settingsFile: string;

  before(async () => {
    api = await hearth();
    await setModel(await ensureTestModel("scripted"));
    // A budget that holds everything: items from this session's other files then add to the prompt, never displace.
    await vscode.workspace.getConfiguration("hearth").update("completion.contextTokens", 8192, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the scripted model to be accepted");
    await api.engine.load();
    settingsDir = mkdtempSync(join(tmpdir(), "hearth-cli-parity-"));
    settingsFile = join(settingsDir, "settings.json");
    writeFileSync(settingsFile, JSON.stringify(effectiveSettings(), null, 2));
  });

  after(async () => {
    rmSync(settingsDir, { recursive: true, force: true });
    const config = vscode.workspace.getConfiguration("hearth");
    await config.update("completion.contextTokens", undefined, vscode.ConfigurationTarget.Global);
    await config.update("model.path", undefined, vscode.ConfigurationTarget.Global);
  });

  for (const position of POSITIONS) {
    it(`gives the same suggestion from the same context ${position.where}`, async () => {
      const editor = await openAt(FILE, position.line, position.character);
      const fromEditor = await askEditor(api);
      const fromCli = await runCli(editor.document.uri.fsPath, position, settingsFile);

      assert.ok(fromEditor.text, "the editor suggested something");
      assert.equal(fromCli.completion, fromEditor.text);
      assert.ok(fromCli.context, `the CLI reports its context: ${JSON.stringify(fromCli)}`);
      assert.equal(fromCli.context.prefixChars, fromEditor.context.prefix.length);
      assert.equal(fromCli.context.suffixChars, fromEditor.context.suffix.length);
      assert.ok(fromCli.context.indexAnswered, "the CLI's workspace index answered");
      // Snippets of recent files come from the editing session: the suites before this one visited and edited other
      // files in this window, which the CLI, asked afresh, has not. Everything else must be the same.
      const folder = workspaceFile().fsPath;
      const editorItems = fromEditor.context.items
        .filter((item) => item.source !== "recent-file")
        .map((item) => ({ kind: item.kind, source: item.source, path: relative(folder, item.path).split(sep).join("/"), startLine: item.startLine, endLine: item.endLine }));
      const cliItems = fromCli.context.items.filter((item) => item.source !== "recent-file").map(({ tokens: _tokens, ...item }) => item);
      assert.ok(editorItems.some((item) => item.path === "src/units.ts"), `the imported file's definitions are in the editor's context: ${JSON.stringify(editorItems)}`);
      assert.deepEqual(sortItems(cliItems), sortItems(editorItems));
    });
  }
});

/** Every Hearth setting as it applies in this window, in settings.json's shape. */
function effectiveSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("hearth");
  const properties = (hearthExtension().packageJSON as { contributes: { configuration: { properties: Record<string, unknown> } } }).contributes.configuration.properties;
  return Object.fromEntries(Object.keys(properties).map((key) => [key, config.get(key.slice("hearth.".length))]));
}

/**
 * Has VS Code ask Hearth's provider at the cursor (Trigger Inline Suggestion) and collects the suggestion and the
 * context it was made from. Asked again, with nothing cached, when the workspace index missed its deadline: on a
 * loaded machine the first lookup can, and the editor's next keystroke would find it answered.
 */
async function askEditor(api: HearthApi): Promise<Asked> {
  for (let ask = 1; ; ask++) {
    api.completions.reset();
    let context: AssembledContext | undefined;
    let text: string | null | undefined;
    const contexts = api.completionContext((assembled) => (context ??= assembled));
    const suggestions = api.completions.onDidSuggest((suggestion) => (text ??= suggestion.text));
    try {
      // VS Code drops the request when its extension host stalls (on a loaded machine it says it is unresponsive):
      // triggered again when no answer came, TRIGGERS times at most.
      for (let trigger = 1; text === undefined || context === undefined; trigger++) {
        // Trigger Inline Suggestion asks for the focused editor: in a window that has just opened, focus may be elsewhere.
        await vscode.commands.executeCommand("workbench.action.focusActiveEditorGroup");
        await vscode.commands.executeCommand("hearth.triggerCompletion");
        await waitFor(() => text !== undefined && context !== undefined, "the editor's suggestion and its context", TRIGGER_WAIT_MS).catch((error: Error) => {
          // Which half is missing says where to look: no context, the provider was never asked or assembly failed.
          if (trigger === TRIGGERS) throw new Error(`${error.message}, ${TRIGGERS} times (context ${context ? "assembled" : "never assembled"}, engine ${api.engine.status.kind}, window focused ${vscode.window.state.focused}, active editor ${vscode.window.activeTextEditor?.document.uri.path ?? "none"})`);
        });
      }
    } finally {
      contexts.dispose();
      suggestions.dispose();
    }
    if (context!.indexAnswered || ask === MAX_ASKS) return { text: text!, context: context! };
  }
}

function runCli(file: string, position: { line: number; character: number }, settings: string): Promise<CompleteOutput> {
  const cli = join(hearthExtension().extensionPath, "dist", "cli.js");
  const args = [cli, "complete", `${file}:${position.line + 1}:${position.character + 1}`, "--workspace", workspaceFile().fsPath, "--settings", settings];
  // In desktop VS Code the extension host's executable is Electron: run it as Node.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: "1", HEARTH_MODEL: "" };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`hearth complete failed (${String(error.code)}): ${stderr}`));
      else resolve(JSON.parse(stdout) as CompleteOutput);
    });
  });
}

function sortItems<T extends { path: string; startLine: number; kind: string; source: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => `${a.path}:${a.startLine}:${a.kind}:${a.source}`.localeCompare(`${b.path}:${b.startLine}:${b.kind}:${b.source}`));
}
