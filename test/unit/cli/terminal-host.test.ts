import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readProjectRules, rulesBudget } from "../../../src/chat/project-rules";
import { fileDocument, TerminalActionHost } from "../../../src/cli/terminal-host";

describe("terminal action host", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "hearth-terminal-host-"));
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "AGENTS.md"), Array.from({ length: 400 }, (_, i) => `- root rule ${i}: keep functions short and named well.`).join("\n"));
    await writeFile(path.join(root, "src/AGENTS.md"), "Src rule: no default exports.");
    await writeFile(path.join(root, "src/math.ts"), "export const a = 1;\n");
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("sends the project rules the editor sends for the same file and window: nearest first, within an eighth of the window", async () => {
    const file = path.join(root, "src/math.ts");
    const host = new TerminalActionHost(root, { uri: "", diagnostics: [] }, () => 2048);
    const document = fileDocument({ path: file, uri: pathToFileURL(file).toString(), languageId: "typescript", text: "export const a = 1;\n" }, "src/math.ts");
    const rules = await host.projectRules(document);
    assert.equal(rules, (await readProjectRules({ root, file, trusted: true, budgetTokens: rulesBudget(2048) })).text);
    assert.ok(rules.indexOf("Src rule: no default exports.") < rules.indexOf("root rule 0"));
    assert.match(rules, /AGENTS\.md cut here/);
    assert.equal(rulesBudget(2048), 256);
    assert.equal(rulesBudget(131072), 1024);
  });

  it("does not read a project file of hundreds of megabytes that Generate Tests looks into (a hostile package.json)", async () => {
    const file = path.join(root, "src/math.ts");
    await writeFile(path.join(root, "package.json"), '{ "devDependencies": { "mocha": "1" }, "x": "');
    await truncate(path.join(root, "package.json"), 300 * 1024 * 1024);
    const host = new TerminalActionHost(root, { uri: "", diagnostics: [] });
    const project = await host.projectOf(fileDocument({ path: file, uri: pathToFileURL(file).toString(), languageId: "typescript", text: "" }, "src/math.ts"));
    assert.equal(await project?.read("package.json"), null);
    assert.equal(await project?.read("src/AGENTS.md"), "Src rule: no default exports.");
  });
});
