// Every feature with hearth.engine.kind "server" in a real extension host, answered by real llama-servers on 127.0.0.1
// and by nothing local (no local model is set, so a request that went to the local engine would fail): a refactor
// action, the model picker listing the server's /v1/models, and codebase memory with vectors from a second
// llama-server started with --embeddings (hearth.server.embeddingUrl). Each test also checks the server's own log
// for the tasks it ran.
import * as assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as vscode from "vscode";
import type { ActionOutcome } from "../../src/actions/action-runner";
import type { HearthApi } from "../../src/extension";
import type { CodebaseSearchResult } from "../../src/memory/codebase-search";
import type { IndexSummary } from "../../src/memory/memory-results";
import { ACTION_ANSWER, AREA, DOCUMENTED_AREA } from "../fixtures/actions/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { TestLlamaServer } from "../unit/helpers/llama-server";
import { hearth, setModel, waitFor, workspaceFile } from "./helpers";

const GLOBAL = vscode.ConfigurationTarget.Global;
const SHIPPING = "src/shipping-rates.ts";
const SHIPPING_CODE = "export function computeShippingRate(weightKg: number, zone: string): number {\n  return weightKg * (zone === 'EU' ? 4.5 : 9);\n}\n";
const SERVER_KEYS = ["engine.kind", "server.url", "server.embeddingUrl", "server.completionModel", "server.chatModel", "server.embeddingModel"];

describe("Every feature through llama-servers chosen in the user's settings", function () {
  this.timeout(240_000);
  let api: HearthApi;
  let coder: TestLlamaServer;
  let embedder: TestLlamaServer;
  const config = () => vscode.workspace.getConfiguration("hearth");

  before(async function () {
    this.timeout(600_000);
    api = await hearth();
    const scripted = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ACTION_ANSWER } });
    [coder, embedder] = await Promise.all([
      TestLlamaServer.start(scripted, { parallel: 1, contextSize: 4096, extraArgs: ["--alias", "team-coder"] }),
      TestLlamaServer.start(await ensureTestModel("embed-hashed"), { parallel: 1, extraArgs: ["--embeddings", "--alias", "team-embed"] }),
    ]);
    // Nothing local can answer: a feature that asked the local engine would fail.
    await setModel(undefined);
    // The codebase as a user had it indexed before choosing the server: text and symbols, no vectors.
    await vscode.workspace.fs.writeFile(workspaceFile(...SHIPPING.split("/")), Buffer.from(SHIPPING_CODE, "utf8"));
    const local = await vscode.commands.executeCommand<IndexSummary | null>("hearth.reindexCodebase");
    assert.ok(local?.vectorsOff, `indexed without vectors first: ${JSON.stringify(local)}`);
    await config().update("server.url", coder.url, GLOBAL);
    await config().update("server.embeddingUrl", embedder.url, GLOBAL);
    await config().update("engine.kind", "server", GLOBAL);
    await waitFor(() => api.engine.target.kind === "server", "the engine to switch to the server");
  });

  afterEach(async () => {
    await vscode.commands.executeCommand("hearth.chat.discardProposal");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  after(async () => {
    // engine.threads stays 1, as the suite before left it.
    for (const key of SERVER_KEYS) await config().update(key, undefined, GLOBAL);
    await waitFor(() => api.engine.target.kind === "local", "the engine to switch back to the local one");
    await vscode.workspace.fs.delete(workspaceFile(...SHIPPING.split("/"))).then(undefined, () => undefined);
    await Promise.all([coder?.stop(), embedder?.stop()]);
  });

  it("proposes exactly the scripted Document of a function, written by the server", async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile("src", "geometry.ts"));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const at = doc.positionAt(doc.getText().indexOf("width * height"));
    editor.selection = new vscode.Selection(at, at);
    const tasks = coder.tasksStarted;
    const outcome = await vscode.commands.executeCommand<ActionOutcome>("hearth.document");
    assert.equal(outcome.status === "proposed" && outcome.proposal, DOCUMENTED_AREA, JSON.stringify(outcome));
    assert.equal(api.chat.edits.proposedText(), doc.getText().replace(AREA, DOCUMENTED_AREA));
    assert.ok(coder.tasksStarted > tasks, "the server wrote the proposal");
  });

  it("lists the server's models (/v1/models) in the model picker, and the next completion asks for the one chosen", async () => {
    // Hearth: Select Model… while a server answers: its quick pick lists the roles, then the models of the server that
    // answers for the one chosen (/v1/models).
    const picked = vscode.commands.executeCommand("hearth.selectModel");
    await waitFor(async () => {
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      return config().get("server.chatModel") === "team-coder";
    }, "the server's model and the first role to be chosen in the quick picks", 30_000);
    await picked;
    assert.equal(config().inspect("server.completionModel")?.globalValue, "team-coder", "the choice is in the user's settings");
    await waitFor(() => api.engine.status.kind === "idle" && api.engine.status.modelPath.startsWith("team-coder on "), "the engine to ask for the chosen model");
    // The engine asks the server for the model by that name, and fails unless the server lists it.
    assert.equal((await api.engine.load()).name, "team-coder");
    const tasks = coder.tasksStarted;
    const result = await api.engine.infill({ prefix: "export function countDone(items: Item[]): number {\n  ", suffix: "\n}\n", maxTokens: 64 });
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
    assert.equal(coder.tasksStarted - tasks, 1, "the server completed it");
  });

  it("lists the embedding server's models, not the code server's, when the picker is asked for an embedding model", async () => {
    // The code server serves only team-coder, which embeds nothing; the embedding server's list is team-embed alone.
    const picked = vscode.commands.executeCommand("hearth.selectModel", { use: "embedding" });
    await waitFor(async () => {
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      return config().inspect("server.embeddingModel")?.globalValue === "team-embed";
    }, "the embedding server's model to be chosen in the quick pick", 30_000);
    await picked;
    assert.equal(config().inspect("server.chatModel")?.globalValue, "team-coder", "the other roles keep their models");
  });

  it("reindexes the codebase with the embedding server's vectors once the server is chosen, and @codebase finds them", async () => {
    // No Reindex Codebase here: choosing the server is what makes the index ask the embedding server again.
    const question = "how is the shipping rate computed for a zone?";
    let result: CodebaseSearchResult | null = null;
    await waitFor(async () => {
      result = await vscode.commands.executeCommand<CodebaseSearchResult | null>("hearth.searchCodebase", question);
      return result?.vectorsOff === null;
    }, "codebase search to use the embedding server's vectors", 120_000);
    const found = result as CodebaseSearchResult | null;
    assert.ok(found?.snippets[0]?.path.endsWith("shipping-rates.ts"), JSON.stringify(found?.snippets.map((s) => s.path)));
    const embedded = embedder.tasksStarted;
    const pieces = await api.chat.context.piecesFor("@codebase where is the shipping rate computed?");
    assert.ok(pieces.some((p) => p.kind === "codebase" && p.text.includes("computeShippingRate")), JSON.stringify(pieces.map((p) => p.label)));
    assert.ok(embedder.tasksStarted > embedded, "the embedding server embedded the chat question");
  });

  it("shows an embedding server's error in the codebase item's tooltip as text, never as an image or a link", async () => {
    // An image in a tooltip is a request from the editor to wherever the server says; a link runs what it names.
    const said = "![x](http://127.0.0.1:9/leak) [click](command:workbench.action.quit)";
    const hostile = createServer((_req, res) => res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: said } })));
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
    try {
      await config().update("server.embeddingUrl", `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`, GLOBAL);
      await waitFor(async () => {
        await vscode.commands.executeCommand<IndexSummary | null>("hearth.reindexCodebase");
        return api.codebaseStatus.statusTooltip.includes("leak");
      }, "the codebase item's tooltip to give the embedding server's error", 60_000);
      const tooltip = api.codebaseStatus.statusTooltip;
      assert.doesNotMatch(tooltip, /(^|[^\\])!\[/, `an image in the markdown: ${tooltip}`);
      assert.doesNotMatch(tooltip, /(^|[^\\])\]\(/, `a link in the markdown: ${tooltip}`);
      assert.match(api.codebaseStatus.statusText, /Codebase ⚠/);
    } finally {
      await config().update("server.embeddingUrl", embedder.url, GLOBAL);
      hostile.closeAllConnections();
      hostile.close();
    }
  });
});
