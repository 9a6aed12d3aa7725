// Edit's prefill on the real engine with the scripted model: while the instruction box is open, everything in front of
// the instruction is evaluated, so the answer evaluates only the instruction and the task's tail, and proposes the same.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runAction, type ActionDeps } from "../../../src/actions/action-runner";
import { buildActionMessages, instructionPrefixMessages } from "../../../src/actions/prompts";
import { isAbortError } from "../../../src/common/abort";
import { silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import { InThreadSymbolIndex } from "../../../src/context/index/symbol-index";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatPrefillResult, GenerationResult } from "../../../src/engine/protocol";
import { ACTION_ANSWER, DOCUMENTED_AREA } from "../../fixtures/actions/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir, repoRoot } from "../context/fixtures";
import { createClient, testSettings } from "../helpers/engine";
import { MemoryEditor } from "./memory-editor";

const GEOMETRY = readFileSync(join(repoRoot, "test", "fixtures", "workspace", "src", "geometry.ts"), "utf8");
const INSTRUCTION = "document it";

describe("Edit's prefill while the instruction is typed, on the real engine", function () {
  this.timeout(180_000);
  let root: string;
  let index: InThreadSymbolIndex;
  let syntax: ContextEngine;
  let client: EngineClient;
  let editor: MemoryEditor;
  let answers: GenerationResult[];
  let prefills: Promise<ChatPrefillResult | null>[];

  const deps = (): ActionDeps => ({
    host: editor,
    model: {
      chat: async (params, options) => {
        const result = await client.chat(params, options);
        answers.push(result);
        return result;
      },
      prefillChat: (params, options) => {
        const prefill = client.prefillChat(params, options);
        prefills.push(prefill);
        return prefill;
      },
      contextWindow: () => 4096,
    },
    syntax,
    context: syntax,
    logger: silentLogger,
  });
  /** Edit on area(), the cursor in its body; with `instruction`, none is asked for (as /edit TEXT in the chat). */
  const editArea = async (instruction?: string) => {
    const document = await editor.open("src/geometry.ts");
    const line = document.text().split("\n").findIndex((l) => l.includes("width * height"));
    return runAction(deps(), { action: "edit", document, selection: { start: { line, character: 4 }, end: { line, character: 4 } }, ...(instruction && { instruction }) });
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "hearth-action-prefill-"));
    for (const [path, text] of Object.entries({ "package.json": "{}", "src/geometry.ts": GEOMETRY })) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    await index.indexFolders([root]);
    syntax = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: (path) => Promise.resolve(readFileSync(path, "utf8")), symbolIndex: index });
  });
  /** A fresh engine: nothing of the prompt is in its cache. */
  const freshEngine = async () => {
    await client?.dispose();
    client = createClient();
    await client.configure(testSettings(await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ACTION_ANSWER } }), { contextSize: 4096 }));
    await client.load();
    editor = new MemoryEditor(root);
    answers = [];
    prefills = [];
  };
  beforeEach(freshEngine);
  afterEach(async () => await client.dispose());
  after(() => {
    syntax?.dispose();
    index?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it("evaluates the prompt in front of the instruction while it is typed, so the answer evaluates only the instruction and the task", async () => {
    await editArea(INSTRUCTION);
    const whole = answers[0]!.promptTokens;
    await freshEngine();
    // The user types until the prefill has ended (a few seconds of typing on a real machine).
    editor.askInstruction = async () => {
      await waitUntil(() => prefills.length > 0);
      await prefills[0];
      return INSTRUCTION;
    };
    const outcome = await editArea();
    assert.deepEqual(outcome, { status: "proposed", proposal: DOCUMENTED_AREA });
    const prefill = await prefills[0]!;
    assert.ok(prefill, "the model was loaded, so the prefill ran");
    assert.equal(prefill.evaluatedTokens, prefill.prefixTokens);
    assert.ok(prefill.prefixTokens > 100, `the system prompt and the code were prefilled (${prefill.prefixTokens} tokens)`);
    // The prefilled tokens are the front of the prompt: the answer evaluated the rest (and at most the seam's token again).
    const atAnswer = answers[0]!.promptTokens;
    assert.ok(atAnswer >= whole - prefill.prefixTokens && atAnswer <= whole - prefill.prefixTokens + 1, `the answer evaluated ${atAnswer} of ${whole} tokens after a ${prefill.prefixTokens}-token prefill`);
  });

  it("evaluates the whole prompt at the answer when the instruction came with the request (no box, no prefill)", async () => {
    const outcome = await editArea(INSTRUCTION);
    assert.deepEqual(outcome, { status: "proposed", proposal: DOCUMENTED_AREA });
    assert.equal(prefills.length, 0);
    assert.ok(answers[0]!.promptTokens > 150, `the answer evaluated the whole prompt (${answers[0]!.promptTokens} tokens)`);
  });

  it("stops the prefill when the user cancels the instruction, and asks the model nothing", async () => {
    editor.askInstruction = async () => {
      await waitUntil(() => prefills.length > 0);
      return undefined;
    };
    assert.deepEqual(await editArea(), { status: "cancelled" });
    await assert.rejects(prefills[0]!, (error: unknown) => isAbortError(error), "the prefill was stopped");
    assert.equal(answers.length, 0);
  });

  it("builds Edit's messages so that the prefilled text is exactly their beginning", () => {
    const input = { languageId: "typescript", path: "src/geometry.ts", target: "export function area() {}", startLine: 3, before: "// geometry", rules: "Use tabs." };
    const prefix = instructionPrefixMessages(input);
    const full = buildActionMessages({ ...input, action: "edit", instruction: "  rename it to surface " });
    assert.deepEqual(prefix.slice(0, -1), full.slice(0, -1));
    assert.ok(full.at(-1)!.content.startsWith(prefix.at(-1)!.content));
    assert.ok(prefix.at(-1)!.content.endsWith("Task: "), prefix.at(-1)!.content);
    assert.equal(full.at(-1)!.content.slice(prefix.at(-1)!.content.length).split("\n")[0], "rename it to surface");
  });
});

/** Resolves once `check` holds: the runner starts the prefill after gathering the prompt's input. */
async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}
