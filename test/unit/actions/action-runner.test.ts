// The refactor actions end to end without VS Code: the runner, the real engine on a scripted test model, the real
// grammars and workspace index, and an editor kept in memory (memory-editor.ts) as the host.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runAction, type ActionDeps, type ActionRequest } from "../../../src/actions/action-runner";
import type { LinePosition } from "../../../src/actions/action-host";
import { MemoryLogger, silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import { InThreadSymbolIndex } from "../../../src/context/index/symbol-index";
import { estimateTokens } from "../../../src/context/token-estimate";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatParams } from "../../../src/engine/protocol";
import { ACTION_ANSWER, AREA, DOCUMENTED_AREA } from "../../fixtures/actions/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir, repoRoot } from "../context/fixtures";
import { createClient, testSettings } from "../helpers/engine";
import { MemoryEditor, type MemoryDocument, type MemoryProposal } from "./memory-editor";

const GEOMETRY = readFileSync(join(repoRoot, "test", "fixtures", "workspace", "src", "geometry.ts"), "utf8");

/** The project the actions run in: mocha tests under test/unit/, one of them for shapes.ts. */
const PROJECT: Record<string, string> = {
  "package.json": JSON.stringify({ name: "shapes", devDependencies: { mocha: "^10.0.0" } }),
  "src/geometry.ts": GEOMETRY,
  "src/shapes.ts": 'import { area } from "./geometry";\n\nexport function square(side: number): number {\n  return area(side, side);\n}\n',
  "test/unit/shapes.test.ts": 'import { square } from "../../src/shapes";\n\nit("squares", () => square(2));\n',
  "src/rect.py": 'import math\n\n\ndef diagonal(w, h):\n    return math.hypot(w, h)\n',
};

/** The model answers Document with a doc comment, and also rewrites the body it was told to leave alone. */
const DOCS_AND_CHANGED_CODE = "```ts\n/**\n * The area of a rectangle.\n */\nexport function area(width: number, height: number): number {\n  return 0;\n}\n```";
/** The same for Python: a docstring, and a changed body. */
const DOCSTRING_AND_CHANGED_CODE = '```python\ndef diagonal(w, h):\n    """The diagonal of a w by h rectangle."""\n    return w + h\n```';
/** Fix rewrites the whole file: the function it targets, and the one after it too. */
const WHOLE_FILE_REWRITTEN = [
  "```ts",
  "// Geometry helpers for Hearth's refactor-action tests (Explain, Fix, Document, Generate Tests, Edit).",
  "",
  "export function area(width: number, height: number): number {",
  "  return Math.abs(width * height);",
  "}",
  "",
  "export function perimeter(width: number, height: number): number {",
  "  return width + height;",
  "}",
  "```",
].join("\n");
/** Generate Tests repeats the test file's import before the new test. */
const TESTS_WITH_KNOWN_IMPORT = '```ts\nimport { square } from "../../src/shapes";\n\nit("squares 3", () => square(3));\n```';

/** Many short lines of code: an answer still streaming when the test stops it, and longer than a small budget. */
const LONG_CODE = `\`\`\`ts\n${Array.from({ length: 600 }, (_, i) => `export const value${i} = ${i};`).join("\n")}\n\`\`\``;

describe("runAction: a refactor action from the target to the proposal, on the real engine", function () {
  this.timeout(120_000);
  let root: string;
  let index: InThreadSymbolIndex;
  let syntax: ContextEngine;
  let client: EngineClient;
  let editor: MemoryEditor;
  /** What the model was asked, per request. */
  let sent: ChatParams[];
  let windowTokens: number;
  /** When set, the model's answer reaches the action only once this settles (the user's turn to act comes first). */
  let answerHeld: Promise<void> | undefined;

  const answering = async (chat: string) => {
    await client.configure(testSettings(await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat } }), { contextSize: 4096 }));
  };
  const deps = (): ActionDeps => ({
    host: editor,
    model: {
      chat: async (params, options) => {
        sent.push(params);
        const result = await client.chat(params, options);
        await answerHeld;
        return result;
      },
      contextWindow: () => windowTokens,
    },
    syntax,
    context: syntax,
    logger: silentLogger,
  });
  /** The position of the first `marker` in the document (an empty selection there). */
  const at = (doc: MemoryDocument, marker: string): LinePosition => {
    const offset = doc.text().indexOf(marker);
    assert.ok(offset >= 0, `${doc.path} has ${marker}`);
    const before = doc.text().slice(0, offset).split("\n");
    return { line: before.length - 1, character: before.at(-1)!.length };
  };
  const run = async (action: ActionRequest["action"], path: string, marker: string, more: Partial<ActionRequest> = {}) => {
    const document = await editor.open(path);
    const position = at(document, marker);
    return runAction(deps(), { action, document, selection: { start: position, end: position }, ...more });
  };
  const prompt = () => sent.at(-1)!.messages.at(-1)!.content;
  /** The text after accepting a proposal made for `text`. */
  const applied = (text: string, proposal: MemoryProposal) => {
    const { start, end } = proposal.request.plan;
    return text.slice(0, start) + proposal.updates.at(-1)! + text.slice(end);
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "hearth-actions-"));
    for (const [path, text] of Object.entries(PROJECT)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    await index.indexFolders([root]);
    syntax = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: (path) => Promise.resolve(readFileSync(path, "utf8")), symbolIndex: index });
    client = createClient();
    await answering(ACTION_ANSWER);
  });
  beforeEach(() => {
    editor = new MemoryEditor(root);
    sent = [];
    windowTokens = 4096;
    answerHeld = undefined;
  });
  after(async () => {
    await client?.dispose();
    syntax?.dispose();
    index?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  describe("with an answer that documents area()", () => {
    it("proposes the answer's code in place of the function at the cursor, after selecting that function", async () => {
      const outcome = await run("document", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "proposed", proposal: DOCUMENTED_AREA });
      assert.deepEqual(editor.shown, [{ start: { line: 2, character: 0 }, end: { line: 4, character: 1 } }]);
      const [proposal] = editor.proposals;
      assert.equal(proposal!.request.title, "geometry.ts ↔ Hearth: Document");
      const start = GEOMETRY.indexOf(AREA);
      assert.deepEqual(proposal!.request.plan, { start, end: start + AREA.length, newText: AREA, summary: "Document: function area" });
      assert.equal(proposal!.updates.at(-1), DOCUMENTED_AREA);
      assert.ok(proposal!.finished && !proposal!.closed, "the proposal waits for the user's answer");
      assert.deepEqual(editor.progressTitles, ["Hearth: Document"]);
      assert.deepEqual(editor.notices, []);
      assert.equal(editor.documents.get("src/geometry.ts")!.text(), GEOMETRY, "nothing is written");
    });

    it("reports how many chunks the model has written while the proposal streams", async () => {
      // The answer reaches the action only once the proposal showed part of it: the streaming is seen on any machine.
      let shown!: () => void;
      answerHeld = new Promise((resolve) => (shown = resolve));
      editor.onUpdate = () => shown();
      assert.equal((await run("document", "src/geometry.ts", "width * height")).status, "proposed");
      const { written } = editor.proposals[0]!;
      assert.ok(written.length > 0 && written[0]! > 0, `written: ${written.join(", ")}`);
      assert.deepEqual(written, [...written].sort((a, b) => a - b), "the count only grows");
    });

    it("answers no-target, and tells how to choose code, when the cursor is outside every declaration", async () => {
      const outcome = await run("document", "src/geometry.ts", "Geometry helpers");
      assert.deepEqual(outcome, { status: "no-target" });
      assert.deepEqual(editor.notices, [{ level: "info", message: "Hearth: select some code, or put the cursor inside a function, method or class." }]);
      assert.equal(sent.length, 0, "the model was not asked");
    });

    it("takes a selection as whole lines, leaving out the line it ends on at column 0", async () => {
      const document = await editor.open("src/geometry.ts");
      const selection = { start: { line: 2, character: 7 }, end: { line: 5, character: 0 } };
      const outcome = await runAction(deps(), { action: "edit", document, selection, instruction: "document it" });
      assert.equal(outcome.status, "proposed");
      const start = GEOMETRY.indexOf(AREA);
      assert.deepEqual([editor.proposals[0]!.request.plan.start, editor.proposals[0]!.request.plan.end], [start, start + AREA.length]);
      assert.deepEqual(editor.shown, [], "a selection is already shown");
      assert.match(prompt(), /Task: document it\n/);
    });

    it("asks for Edit's instruction with the target's name, and cancels without asking the model when none is given", async () => {
      editor.instruction = undefined;
      const outcome = await run("edit", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "cancelled" });
      assert.deepEqual(editor.instructionLabels, ["function area"]);
      assert.equal(editor.proposals.length + sent.length, 0);
    });

    it("sends Fix the errors and warnings reported inside the target, not those elsewhere in the file", async () => {
      const line = (n: number) => ({ start: { line: n, character: 2 }, end: { line: n, character: 8 } });
      editor.diagnosticsOf.set("src/geometry.ts", [
        { range: line(3), message: "Expected area to be rounded.", severity: "error", source: "ts" },
        { range: line(3), message: "Consider a comment.", severity: "hint" },
        { range: line(7), message: "Perimeter is wrong.", severity: "error" },
      ]);
      assert.equal((await run("fix", "src/geometry.ts", "width * height")).status, "proposed");
      assert.match(prompt(), /Task: Fix these problems reported in it:\n- line 4: Expected area to be rounded\. \(ts\)\n/);
      assert.doesNotMatch(prompt(), /Perimeter is wrong|Consider a comment/);
    });

    it("gives the prompt the definition of a function the target calls, from another file, by its workspace path", async () => {
      assert.equal((await run("document", "src/shapes.ts", "area(side")).status, "proposed");
      assert.match(prompt(), /Definitions the code uses:\nFrom src\/geometry\.ts:\n```typescript\n[^`]*export function area\(width: number, height: number\): number \{/);
      assert.match(prompt(), /The code, from src\/shapes\.ts line 3:/);
    });

    it("leaves the answer what the prompt leaves of the chat model's window, between 256 and 1536 tokens", async () => {
      const promptTokens = () => sent.at(-1)!.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
      await run("document", "src/geometry.ts", "width * height");
      assert.equal(sent.at(-1)!.maxTokens, 1536, "a large window: the cap");
      windowTokens = 1000;
      await run("document", "src/geometry.ts", "width * height");
      assert.equal(sent.at(-1)!.maxTokens, 1000 - promptTokens() - 64);
      windowTokens = 300;
      await run("document", "src/geometry.ts", "width * height");
      assert.equal(sent.at(-1)!.maxTokens, 256, "a window the prompt fills: the floor");
    });

    it("proposes tests as a new file where the project's layout puts them, in the project's framework", async () => {
      const outcome = await run("tests", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "proposed", proposal: `${DOCUMENTED_AREA}\n` });
      const { request } = editor.proposals[0]!;
      assert.deepEqual(request.target, { newFile: { uri: join(root, "test", "unit", "geometry.test.ts"), name: "geometry.test.ts" } });
      assert.equal(request.plan.summary, "creates geometry.test.ts");
      assert.match(prompt(), /with mocha \(with node:assert\), the framework this project uses, for the test file test\/unit\/geometry\.test\.ts/);
    });

    it("appends tests to the existing test file after one blank line, showing the model its beginning", async () => {
      const outcome = await run("tests", "src/shapes.ts", "area(side");
      const existing = PROJECT["test/unit/shapes.test.ts"]!;
      assert.deepEqual(outcome, { status: "proposed", proposal: `\n${DOCUMENTED_AREA}\n` });
      const { request } = editor.proposals[0]!;
      assert.equal(request.target, editor.documents.get("test/unit/shapes.test.ts"));
      assert.deepEqual(request.plan, { start: existing.length, end: existing.length, newText: "", summary: "adds tests to shapes.test.ts" });
      assert.ok(prompt().includes(`The existing test file test/unit/shapes.test.ts begins:\n\`\`\`typescript\n${existing}\`\`\``), prompt());
    });

    it("keeps the proposal when the user edits the file above the target while the model writes", async () => {
      editor.whileWriting = () => editor.documents.get("src/geometry.ts")!.typeAt("", "// top\n");
      const outcome = await run("document", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "proposed", proposal: DOCUMENTED_AREA });
      assert.ok(!editor.proposals[0]!.closed);
    });

    it("drops the proposal, and says why, when the user edits inside the target while the model writes", async () => {
      editor.whileWriting = () => editor.documents.get("src/geometry.ts")!.typeAt("width * height", "1 * ");
      const outcome = await run("document", "src/geometry.ts", "width * height");
      const message = "Hearth: geometry.ts changed where the proposal goes while the model was writing; the proposal was dropped. Run Document again.";
      assert.deepEqual(outcome, { status: "failed", message });
      assert.ok(editor.proposals[0]!.closed, "the proposal closed");
      assert.deepEqual(editor.notices, [{ level: "warning", message }]);
    });

    it("asks the chat to explain the function at the cursor, with its code attached and its problems in the question", async () => {
      editor.diagnosticsOf.set("src/geometry.ts", [{ range: { start: { line: 3, character: 2 }, end: { line: 3, character: 8 } }, message: "Unused.", severity: "warning" }]);
      const outcome = await run("explain", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "answered" });
      assert.deepEqual(editor.questions, [
        {
          question:
            "Explain what function area does: its purpose, how it works step by step, and anything surprising or risky in it. " +
            "Also explain these reported problems: line 4: Unused..",
          pieces: [{ id: "selection", kind: "selection", label: "geometry.ts:3-5", detail: "src/geometry.ts, lines 3-5", languageId: "typescript", text: AREA }],
        },
      ]);
      assert.equal(sent.length, 0, "the chat asks the model, not the action");
    });
  });

  describe("with a long answer", () => {
    before(() => answering(LONG_CODE));

    it("stops the model when the user cancels the streaming proposal, closes it and says nothing was changed", async () => {
      // The user cancels once the proposal shows the first whole line. It shows the answer so far at most every 80 ms:
      // on a loaded machine the first showing may hold only part of a line, or come after the model wrote everything;
      // so the answer reaches the action only after the user's cancel, as when the user is quicker than the model.
      let cancelled!: () => void;
      answerHeld = new Promise((resolve) => (cancelled = resolve));
      editor.onUpdate = (proposal) => {
        if (!/^export const value0 = 0;/.test(proposal.updates.at(-1)!)) return;
        proposal.request.onCancel();
        cancelled();
      };
      const outcome = await run("fix", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "cancelled" });
      const [proposal] = editor.proposals;
      assert.match(proposal!.updates.at(-1)!, /^export const value0 = 0;/, "it was cancelled while the code streamed");
      assert.ok(proposal!.closed && !proposal!.finished);
      assert.deepEqual(editor.notices, [{ level: "stopped", message: "Hearth: stopped; nothing was changed." }]);
    });

    it("proposes what came, with a warning, when the answer reached its token budget", async () => {
      windowTokens = 300;
      const outcome = await run("fix", "src/geometry.ts", "width * height");
      assert.equal(outcome.status, "proposed");
      assert.equal(outcome.status === "proposed" && outcome.warning, "the model's answer was cut at its length limit, so the proposal may be incomplete.");
      assert.ok(outcome.status === "proposed" && outcome.proposal.startsWith("export const value0 = 0;"));
      assert.deepEqual(editor.notices, [{ level: "warning", message: "Hearth: the model's answer was cut at its length limit, so the proposal may be incomplete. Review the diff before accepting." }]);
      assert.ok(editor.proposals[0]!.finished, "it can still be accepted");
    });
  });

  describe("with an answer that does not parse", () => {
    before(() => answering("```ts\nexport function area(width: number, height: number): number {\n  return width * ;\n}\n```"));

    it("proposes it with a warning, since the file parsed before, and marks the diff itself", async () => {
      const outcome = await run("fix", "src/geometry.ts", "width * height");
      assert.equal(outcome.status === "proposed" && outcome.warning, "the proposal does not parse as typescript, although the file did.");
      assert.deepEqual(editor.notices.map((n) => n.level), ["warning"]);
      assert.equal(editor.proposals[0]!.note, "⚠ does not parse");
    });
  });

  describe("with a Document answer that also changes the code", () => {
    before(() => answering(DOCS_AND_CHANGED_CODE));

    it("proposes the original code byte-identical with only the answer's doc comment added", async () => {
      const outcome = await run("document", "src/geometry.ts", "width * height");
      const documented = `/**\n * The area of a rectangle.\n */\n${AREA}`;
      assert.deepEqual(outcome, { status: "proposed", proposal: documented });
      const after = applied(GEOMETRY, editor.proposals[0]!);
      assert.equal(after, GEOMETRY.replace(AREA, documented));
      assert.equal(after.replace("/**\n * The area of a rectangle.\n */\n", ""), GEOMETRY, "only the comment is new");
      assert.equal(editor.proposals[0]!.note, undefined);
    });

    it("replaces the doc comment above a selected function instead of adding a second one", async () => {
      const document = await editor.open("src/geometry.ts");
      document.typeAt("export function area", "/** Old words. */\n");
      const line = document.text().split("\n").findIndex((l) => l.startsWith("export function area"));
      const selection = { start: { line, character: 0 }, end: { line: line + 2, character: 1 } };
      const outcome = await runAction(deps(), { action: "document", document, selection });
      assert.equal(outcome.status, "proposed");
      assert.equal(applied(document.text(), editor.proposals[0]!), GEOMETRY.replace(AREA, `/**\n * The area of a rectangle.\n */\n${AREA}`));
    });
  });

  describe("with a Document answer for Python that also changes the body", () => {
    before(() => answering(DOCSTRING_AND_CHANGED_CODE));

    it("puts only the docstring inside the def, under its line, with the body's indentation", async () => {
      const outcome = await run("document", "src/rect.py", "math.hypot");
      assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
      const source = PROJECT["src/rect.py"]!;
      assert.equal(applied(source, editor.proposals[0]!), source.replace("def diagonal(w, h):\n", 'def diagonal(w, h):\n    """The diagonal of a w by h rectangle."""\n'));
    });
  });

  describe("with a Document answer that has no documentation", () => {
    before(() => answering("```ts\nexport function area(width: number, height: number): number {\n  return 0;\n}\n```"));

    it("proposes nothing, closes the diff and says the answer held no documentation", async () => {
      const outcome = await run("document", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "failed", message: "the model's answer held no documentation for it" });
      assert.ok(editor.proposals[0]!.closed);
      assert.deepEqual(editor.notices, [{ level: "warning", message: "Hearth: the model's answer held no documentation for it; nothing was proposed." }]);
    });
  });

  describe("with a Fix answer that rewrites the whole file", () => {
    before(() => answering(WHOLE_FILE_REWRITTEN));

    it("proposes the fixed target alone: the functions around it are byte-identical", async () => {
      const outcome = await run("fix", "src/geometry.ts", "width * height");
      const fixed = AREA.replace("width * height", "Math.abs(width * height)");
      assert.deepEqual(outcome, { status: "proposed", proposal: fixed });
      assert.equal(applied(GEOMETRY, editor.proposals[0]!), GEOMETRY.replace(AREA, fixed));
    });

    it("does the same for Edit", async () => {
      const outcome = await run("edit", "src/geometry.ts", "width * height", { instruction: "take the absolute value" });
      assert.equal(outcome.status === "proposed" && outcome.proposal, AREA.replace("width * height", "Math.abs(width * height)"));
    });
  });

  describe("with a Generate Tests answer that repeats the test file's import", () => {
    before(() => answering(TESTS_WITH_KNOWN_IMPORT));

    it("appends only the new test, leaving the file's text as it was", async () => {
      const outcome = await run("tests", "src/shapes.ts", "area(side");
      const existing = PROJECT["test/unit/shapes.test.ts"]!;
      assert.deepEqual(outcome, { status: "proposed", proposal: '\nit("squares 3", () => square(3));\n' });
      const after = applied(existing, editor.proposals[0]!);
      assert.ok(after.startsWith(existing), "the existing tests are untouched");
    });
  });

  describe("with an answer without code", () => {
    before(() => answering("<think>Nothing worth changing here.</think>"));

    it("fails, closing the proposal, and says the answer held no code", async () => {
      const outcome = await run("document", "src/geometry.ts", "width * height");
      assert.deepEqual(outcome, { status: "failed", message: "no code in the answer" });
      assert.ok(editor.proposals[0]!.closed);
      assert.deepEqual(editor.notices, [{ level: "warning", message: "Hearth: the model's answer contained no code; nothing was proposed." }]);
    });
  });

  describe("with a model file that is missing", () => {
    before(() => client.configure(testSettings(join(root, "missing.gguf"))));

    it("fails with the engine's message, closes the proposal and reports it as an error", async () => {
      const logger = new MemoryLogger();
      const outcome = await runAction({ ...deps(), logger }, { action: "document", document: await editor.open("src/geometry.ts"), selection: { start: { line: 3, character: 4 }, end: { line: 3, character: 4 } } });
      assert.equal(outcome.status, "failed");
      const message = outcome.status === "failed" ? outcome.message! : "";
      assert.match(message, /missing\.gguf/);
      assert.ok(editor.proposals[0]!.closed);
      assert.deepEqual(editor.notices, [{ level: "error", message: `Hearth: ${message}` }]);
      assert.ok(logger.lines.some((l) => l.includes(`actions: ${message}`)), logger.lines.join("\n"));
    });
  });
});
