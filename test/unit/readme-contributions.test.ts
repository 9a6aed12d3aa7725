import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";

// Compiled to out/test/unit/, so the repository root is three folders up.
const root = path.resolve(__dirname, "../../..");

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, unknown> };
    menus?: { commandPalette?: { command: string; when?: string }[] };
  };
}

const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Manifest;
// Markdown wraps lines anywhere, also inside a command's title: compare with runs of white space made one space.
const readme = readFileSync(path.join(root, "README.md"), "utf8").replace(/\s+/g, " ");

/** Internal commands (run by VS Code or the status item, hidden from the palette): a user never types their title. */
const hiddenFromPalette = new Set(
  (manifest.contributes.menus?.commandPalette ?? []).filter((entry) => entry.when === "false").map((entry) => entry.command),
);

describe("README.md", () => {
  it("names every command a user can run from the palette as it appears there (Hearth: Title)", () => {
    const missing = manifest.contributes.commands
      .filter((command) => !hiddenFromPalette.has(command.command))
      .map((command) => `${command.category ?? "Hearth"}: ${command.title}`)
      .filter((title) => !readme.includes(title));
    assert.deepEqual(missing, [], `README.md does not name these commands: ${missing.join(", ")}`);
  });

  it("names every setting package.json contributes, whole (hearth.server.url is not named by hearth.server.urlFoo)", () => {
    const named = (key: string) => new RegExp(`(?<![\\w.])${key.replace(/\./g, "\\.")}(?![\\w])`).test(readme);
    const missing = Object.keys(manifest.contributes.configuration.properties).filter((key) => !named(key));
    assert.deepEqual(missing, [], `README.md does not name these settings: ${missing.join(", ")}`);
  });
});
