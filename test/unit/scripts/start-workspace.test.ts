import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_FILE, prepareSampleWorkspace, startUrl } from "../../../scripts/start-workspace";

describe("npm start's sample workspace", () => {
  let folder: string;
  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), "hearth-start-")), "hearth-sample");
  });
  afterEach(() => rmSync(join(folder, ".."), { recursive: true, force: true }));

  it("copies the sample project, with the file the workbench opens first", () => {
    const written = prepareSampleWorkspace(folder);
    assert.ok(written.includes(SAMPLE_FILE.path), `${SAMPLE_FILE.path} in ${written.join(", ")}`);
    const lines = readFileSync(join(folder, SAMPLE_FILE.path), "utf8").split("\n");
    assert.ok(SAMPLE_FILE.line <= lines.length, "the cursor's line is in the file");
    assert.equal(lines[SAMPLE_FILE.line - 1], "", "the cursor starts on an empty line after the last function");
  });

  it("keeps a person's edits to a sample file on the next start", () => {
    prepareSampleWorkspace(folder);
    const file = join(folder, SAMPLE_FILE.path);
    writeFileSync(file, "export const mine = 1;\n");
    const written = prepareSampleWorkspace(folder);
    assert.deepEqual(written, []);
    assert.equal(readFileSync(file, "utf8"), "export const mine = 1;\n");
  });

  it("brings back a sample file that was deleted, and only that one", () => {
    prepareSampleWorkspace(folder);
    unlinkSync(join(folder, "src", "money.ts"));
    writeFileSync(join(folder, "README.md"), "edited");
    assert.deepEqual(prepareSampleWorkspace(folder), [join("src", "money.ts")]);
    assert.ok(existsSync(join(folder, "src", "money.ts")));
    assert.equal(readFileSync(join(folder, "README.md"), "utf8"), "edited");
  });

  it("opens the sample file at its line through the workbench URL's payload", () => {
    const remote = (path: string) => `vscode-remote://127.0.0.1:1${path}`;
    const url = new URL(startUrl("http://127.0.0.1:1", remote, "/w/hearth-sample", "/repo", SAMPLE_FILE));
    assert.equal(url.searchParams.get("folder"), "/w/hearth-sample");
    assert.deepEqual(JSON.parse(url.searchParams.get("payload") ?? "[]"), [
      ["extensionDevelopmentPath", "vscode-remote://127.0.0.1:1/repo"],
      ["openFile", `vscode-remote://127.0.0.1:1/w/hearth-sample/src/orders.ts:${SAMPLE_FILE.line}:1`],
      ["gotoLineMode", "true"],
    ]);
  });
});
