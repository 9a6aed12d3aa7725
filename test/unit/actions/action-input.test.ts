import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ActionDocument } from "../../../src/actions/action-host";
import { promptInput } from "../../../src/actions/action-input";
import { LineIndex } from "../../../src/actions/line-index";
import { buildActionMessages } from "../../../src/actions/prompts";
import { readProjectRules } from "../../../src/chat/project-rules";
import { MemoryLogger } from "../../../src/common/logger";
import { MemoryEditor } from "./memory-editor";

/** The editor of the actions' tests, with the project rules read from its folder as the extension reads them. */
class EditorWithRules extends MemoryEditor {
  constructor(
    root: string,
    private readonly failure?: Error,
  ) {
    super(root);
  }

  async projectRules(document: ActionDocument): Promise<string> {
    if (this.failure) throw this.failure;
    return (await readProjectRules({ root: this.root, file: document.uri, trusted: true })).text;
  }
}

describe("action prompt input", () => {
  let root: string;
  const noContext = { assemble: () => Promise.resolve({ items: [] }) };
  const inputFor = async (editor: MemoryEditor, logger = new MemoryLogger()) => {
    const doc = await editor.open("src/math.ts");
    const lines = new LineIndex(doc.text());
    const target = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 21 } }, start: 0, end: 21, label: "the selected code" };
    return promptInput({ host: editor, context: noContext, logger }, "fix", doc, lines, target);
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "hearth-action-input-"));
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "src/math.ts"), "export const a = 1 +;\n");
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("sends the project rules nearest to the document with the action", async () => {
    await writeFile(path.join(root, "AGENTS.md"), "Root: prefer const.");
    await writeFile(path.join(root, "src/AGENTS.md"), "Src: no default exports.");
    const input = await inputFor(new EditorWithRules(root));
    const system = buildActionMessages(input)[0]!.content;
    assert.ok(system.indexOf("From src/AGENTS.md:\nSrc: no default exports.") > 0);
    assert.ok(system.indexOf("From AGENTS.md:\nRoot: prefer const.") > system.indexOf("Src: no default exports."));
  });

  it("sends no rules when the host has none, and goes on without them when reading them fails", async () => {
    assert.equal((await inputFor(new MemoryEditor(root))).rules, undefined);
    assert.equal((await inputFor(new EditorWithRules(root))).rules, undefined, "no rule files");
    const logger = new MemoryLogger();
    const input = await inputFor(new EditorWithRules(root, new Error("disk gone")), logger);
    assert.equal(input.rules, undefined);
    assert.equal(input.target, "export const a = 1 +;");
    assert.deepEqual(logger.lines, ["warn actions: project rules failed: disk gone"]);
  });
});
