// npm start's sample folder as something else may have left it: the copy never writes through a link to a file outside
// the folder, and the sample holds nothing VS Code would run on opening it (tasks, launch configurations, settings).
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_FILE, SAMPLE_SOURCE, prepareSampleWorkspace } from "../../../scripts/start-workspace";

describe("npm start's sample workspace against links and runnable files", () => {
  let base: string;
  let folder: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "hearth-start-hostile-"));
    folder = join(base, "hearth-sample");
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it("does not write through a dangling link in the sample folder to a file outside it", () => {
    const outside = join(base, "outside", "profile.sh");
    mkdirSync(join(folder, "src"), { recursive: true });
    mkdirSync(join(base, "outside"));
    symlinkSync(outside, join(folder, SAMPLE_FILE.path));
    const written = prepareSampleWorkspace(folder);
    assert.equal(existsSync(outside), false, "the copy created a file outside the sample folder");
    assert.ok(!written.includes(SAMPLE_FILE.path));
  });

  it("holds no .vscode folder, so opening it runs no task and changes no setting", () => {
    assert.ok(!readdirSync(SAMPLE_SOURCE).includes(".vscode"));
    assert.ok(!readdirSync(SAMPLE_SOURCE).includes(".hearth"));
  });
});
