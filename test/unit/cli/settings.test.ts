import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, UsageError } from "../../../src/cli/args";
import { readCliSettings, SETTING_FLAGS, settingDefaults } from "../../../src/cli/settings";
import { repoRoot } from "../context/fixtures";

const PACKAGE_DEFAULTS = settingDefaults(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")));
const SPEC = { flags: [], values: ["settings", ...Object.keys(SETTING_FLAGS)] };

describe("CLI settings: the extension's settings, from a settings file, HEARTH_MODEL and flags", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-cli-settings-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    readCliSettings({ args: parseArgs(argv, SPEC), defaults: PACKAGE_DEFAULTS, cwd: dir, env });
  const settingsFile = (text: string) => {
    writeFileSync(join(dir, "settings.json"), text);
    return ["--settings", "settings.json"];
  };

  it("takes package.json's defaults where nothing is given, as the editor does", () => {
    const config = read([]);
    assert.equal(config.completion.contextTokens, 1024);
    assert.equal(config.engine.contextSize, 4096);
    assert.equal(config.completion.languages.plaintext, false);
    assert.equal(config.model.path, "");
  });

  it("reads a settings.json with comments and trailing commas", () => {
    const config = read(settingsFile('{\n  // mine\n  "hearth.completion.contextTokens": 2048, /* block */\n  "editor.fontSize": 14,\n}'));
    assert.equal(config.completion.contextTokens, 2048);
  });

  it("puts HEARTH_MODEL over the file and a flag over both", () => {
    const file = settingsFile('{ "hearth.model.path": "from-file.gguf" }');
    assert.equal(read(file).model.path, "from-file.gguf");
    assert.equal(read(file, { HEARTH_MODEL: "/env.gguf" }).model.path, "/env.gguf");
    assert.equal(read([...file, "--model", "/flag.gguf"], { HEARTH_MODEL: "/env.gguf" }).model.path, "/flag.gguf");
  });

  it("makes a path given as a flag absolute against the current folder, and leaves the file's as written", () => {
    assert.equal(read(["--model", "models/m.gguf"]).model.path, join(dir, "models", "m.gguf"));
    assert.equal(read(settingsFile('{ "hearth.model.path": "models/m.gguf" }')).model.path, "models/m.gguf");
  });

  it("checks values by the extension's rules: a context budget out of range is clamped, a wrong type takes the default", () => {
    const config = read(settingsFile('{ "hearth.completion.contextTokens": 1e9, "hearth.engine.contextSize": "big" }'));
    assert.equal(config.completion.contextTokens, 32768);
    assert.equal(config.engine.contextSize, 4096);
  });

  it("refuses a number flag that is not a number, naming it", () => {
    assert.throws(() => read(["--threads", "four"]), /--threads must be a number/);
  });

  it("refuses a settings file that does not hold one object", () => {
    assert.throws(() => read(settingsFile("[1, 2]")), (error: unknown) => error instanceof UsageError && /must hold one object/.test(error.message));
  });

  it("names a settings file it cannot read", () => {
    assert.throws(() => read(["--settings", "nowhere.json"]), /cannot read the settings file .*nowhere\.json: ENOENT/);
  });
});
