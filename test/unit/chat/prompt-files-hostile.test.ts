// Prompt files from a hostile cloned repository: however many it holds, the chat's `/` menu still lists the built-in
// commands (the view drops a list longer than it accepts, built-ins and all).
import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { listPromptFiles } from "../../../src/chat/prompt-files";
import { parseHostMessage, type ViewSlashCommand } from "../../../src/webview/protocol";

/** As many built-in commands as the chat lists before the prompt files (ide/chat-slash-commands.ts), with room to grow. */
const BUILT_INS: ViewSlashCommand[] = ["explain", "fix", "doc", "tests", "edit", "commit", "review", "search"].map((name) => ({ name, description: `built-in ${name}`, argument: "" }));

describe("prompt files of a hostile repository", () => {
  let root: string;
  beforeEach(async () => (root = await mkdtemp(path.join(tmpdir(), "hearth-prompts-hostile-"))));
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it("offers no more prompt files than the chat's / menu can list beside the built-in commands", async function () {
    this.timeout(60_000);
    for (const [dir, suffix] of [[".hearth/prompts", ".md"], [".github/prompts", ".prompt.md"]] as const) {
      await mkdir(path.join(root, dir), { recursive: true });
      for (let i = 0; i < 250; i++) await writeFile(path.join(root, dir, `${dir.startsWith(".hearth") ? "h" : "g"}-${String(i).padStart(3, "0")}${suffix}`), `Prompt ${i}`);
    }
    const listing = await listPromptFiles(root, { trusted: true });
    const commands = [...BUILT_INS, ...listing.prompts.map((p) => ({ name: p.name, description: p.description || "Prompt file", argument: "" }))];
    const message = parseHostMessage({ type: "slashCommands", commands });
    assert.ok(message, `${commands.length} commands: the view refuses the list, so no / command would be shown`);
    assert.ok(listing.skipped.some((s) => /only the first/.test(s.reason)), "the files left out are named in the log");
  });

  it("shows a description of long astral characters without a lone surrogate", async () => {
    await mkdir(path.join(root, ".hearth/prompts"), { recursive: true });
    await writeFile(path.join(root, ".hearth/prompts/emoji.md"), `---\ndescription: a${"😀".repeat(300)}\n---\nDo it.`);
    const listing = await listPromptFiles(root, { trusted: true });
    const description = listing.prompts[0]!.description;
    assert.ok(description.length <= 200);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(description), "a lone surrogate");
  });
});
