import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GRAMMARS } from "../../../src/context/languages";

const root = join(__dirname, "..", "..", "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { activationEvents: string[] };

describe("activation events", () => {
  it("activate Hearth as soon as a file in a language it parses is opened, not only once VS Code has finished starting", () => {
    // onStartupFinished waits for every other extension: under load the status item came minutes after the window.
    const codeLanguages = GRAMMARS.filter((g) => g.queries.includes("definitions")).flatMap((g) => Object.keys(g.languages));
    const missing = codeLanguages.filter((id) => !manifest.activationEvents.includes(`onLanguage:${id}`));
    assert.deepEqual(missing, []);
  });

  it("still activate after startup in a window with no source file open", () => {
    assert.ok(manifest.activationEvents.includes("onStartupFinished"));
  });

  it("never activate on every startup event", () => {
    assert.ok(!manifest.activationEvents.includes("*"));
  });
});
