// `hearth action` end to end: the built CLI as a child process, the extension's action runner, the real engine on a
// scripted model that answers every action with ACTION_ANSWER (the documented `area` in a fence), the real grammars.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ActionOutput } from "../../../src/cli/action";
import { ACTION_ANSWER, AREA, DOCUMENTED_AREA } from "../../fixtures/actions/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { repoRoot } from "../context/fixtures";
import { runCli, writeWorkspace } from "./run-cli";

const GEOMETRY = readFileSync(join(repoRoot, "test", "fixtures", "workspace", "src", "geometry.ts"), "utf8");
/** 1-based lines of GEOMETRY: area's header, and perimeter's first and last line. */
const AREA_LINE = 3;
const PERIMETER_LINES = "7-9";

describe("hearth action: a refactor action's proposal, from a terminal", function () {
  this.timeout(120_000);
  let workspace: { root: string; remove: () => void };
  let model: string;

  before(async () => {
    model = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ACTION_ANSWER } });
    workspace = writeWorkspace({ "src/geometry.ts": GEOMETRY, "package.json": JSON.stringify({ name: "shapes", devDependencies: { mocha: "^10.0.0" } }) });
  });

  after(() => workspace.remove());

  const action = (args: string[]) => runCli(["action", ...args, "--model", model, "--threads", "1"], { cwd: workspace.root });

  it("prints Document's proposal as a patch that git applies, adding exactly the doc comment", async () => {
    const run = await action(["document", `src/geometry.ts:${AREA_LINE}`]);
    assert.equal(run.code, 0, run.stderr);
    writeFileSync(join(workspace.root, "change.patch"), run.stdout);
    const applied = join(workspace.root, "applied");
    execFileSync("git", ["init", "-q", applied]);
    writeFileSync(join(applied, "geometry.ts"), GEOMETRY);
    execFileSync("git", ["apply", "-p2", join(workspace.root, "change.patch")], { cwd: applied });
    assert.equal(readFileSync(join(applied, "geometry.ts"), "utf8"), GEOMETRY.replace(AREA, DOCUMENTED_AREA));
    assert.equal(readFileSync(join(workspace.root, "src", "geometry.ts"), "utf8"), GEOMETRY, "nothing is written");
  });

  it("proposes Generate Tests as a new test file beside the source, in JSON with --json", async () => {
    const run = await action(["tests", `src/geometry.ts:${AREA_LINE}`, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const output = JSON.parse(run.stdout) as ActionOutput;
    assert.equal(output.status, "proposed");
    assert.deepEqual(output.target, { startLine: 3, endLine: 5 });
    assert.deepEqual(output.proposal, { path: "src/geometry.test.ts", creates: true, text: `${DOCUMENTED_AREA}\n` });
    assert.match(output.diff ?? "", /^--- \/dev\/null\n\+\+\+ b\/src\/geometry\.test\.ts\n/);
  });

  it("edits exactly the lines START-END with the instruction", async () => {
    const run = await action(["edit", `src/geometry.ts:${PERIMETER_LINES}`, "--instruction", "use early returns", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const output = JSON.parse(run.stdout) as ActionOutput;
    const lines = GEOMETRY.split("\n");
    const expected = [...lines.slice(0, 6), DOCUMENTED_AREA, ...lines.slice(9)].join("\n");
    assert.equal(output.proposal?.text, expected);
  });

  it("says there is nothing to work on at a line outside any declaration, with exit code 1", async () => {
    const run = await action(["fix", "src/geometry.ts:1", "--problem", "Cannot find name 'x'."]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /put the cursor inside a function/);
  });

  it("asks for --instruction for edit, with exit code 2", async () => {
    const run = await action(["edit", `src/geometry.ts:${AREA_LINE}`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /action edit needs --instruction/);
  });

  it("sends Explain to the chat command, with exit code 2", async () => {
    const run = await action(["explain", `src/geometry.ts:${AREA_LINE}`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /hearth chat/);
  });

  it("refuses lines that are not in the file, naming them", async () => {
    const run = await action(["document", "src/geometry.ts:40-45"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /lines 40-45 are not in the file/);
  });
});
