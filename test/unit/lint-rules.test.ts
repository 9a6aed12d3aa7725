import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ESLint } from "eslint";

// Compiled to out/test/unit/, so the repository root is three folders up.
const root = path.resolve(__dirname, "../../..");
const configFile = path.join(root, "eslint.config.mjs");

interface Case {
  title: string;
  file: string;
  code: string;
  /** The rule ids expected to fire, in any order; empty when the code must lint clean. */
  rules: string[];
}

const RESTRICTED = "@typescript-eslint/no-restricted-imports";
const SYNTAX = "no-restricted-syntax";
const LAYERS = "hearth/layers";
/** typescript-eslint's own rule against require(); it fires beside ours on the require() samples. */
const REQUIRE = "@typescript-eslint/no-require-imports";

/** The layer table, as the lint config reads it (scripts/eslint-layers.mjs). */
interface LayerModule {
  LAYERS: Record<string, string[]>;
}

const cases: Case[] = [
  // vscode: only src/ide/** and src/extension.ts
  { title: "reports a vscode import in src/context", file: "src/context/x.ts", code: `import * as vscode from "vscode";\nexport const a = vscode;\n`, rules: [RESTRICTED] },
  { title: "reports a type-only vscode import in src/completion", file: "src/completion/x.ts", code: `import type { Uri } from "vscode";\nexport let a: Uri | undefined;\n`, rules: [RESTRICTED] },
  { title: "reports a dynamic import of vscode in src/engine", file: "src/engine/client.ts", code: `export const load = () => import("vscode");\n`, rules: [SYNTAX] },
  { title: "allows a vscode import in src/ide", file: "src/ide/x.ts", code: `import * as vscode from "vscode";\nexport const a = vscode;\n`, rules: [] },
  { title: "allows a vscode import in a nested src/ide folder", file: "src/ide/views/x.ts", code: `import * as vscode from "vscode";\nexport const a = vscode;\n`, rules: [] },
  { title: "allows vscode and src/ide imports in src/extension.ts", file: "src/extension.ts", code: `import * as vscode from "vscode";\nimport { log } from "./ide/log";\nexport const a = [vscode, log];\n`, rules: [] },
  { title: "reports a vscode import in the engine worker", file: "src/engine/worker/x.mts", code: `import * as vscode from "vscode";\nexport const a = vscode;\n`, rules: [RESTRICTED] },

  // node-llama-cpp: only src/engine/worker/**
  { title: "reports a node-llama-cpp import in src/engine/client.ts", file: "src/engine/client.ts", code: `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;\n`, rules: [RESTRICTED] },
  { title: "reports a node-llama-cpp subpath import in src/ide", file: "src/ide/x.ts", code: `import { x } from "node-llama-cpp/commands";\nexport const a = x;\n`, rules: [RESTRICTED] },
  { title: "reports a dynamic import of node-llama-cpp outside the worker", file: "src/models/x.ts", code: `export const load = () => import("node-llama-cpp");\n`, rules: [SYNTAX] },
  { title: "reports a typeof import() type of node-llama-cpp outside the worker", file: "src/engine/client.ts", code: `export type Nlc = typeof import("node-llama-cpp");\n`, rules: [SYNTAX] },
  { title: "allows a typeof import() type of node-llama-cpp in the engine worker", file: "src/engine/worker/x.mts", code: `export type Nlc = typeof import("node-llama-cpp");\n`, rules: [] },
  { title: "allows a node-llama-cpp import in an .mts file of the engine worker", file: "src/engine/worker/x.mts", code: `import { getLlama } from "node-llama-cpp";\nexport const a = getLlama;\n`, rules: [] },
  { title: "allows vscode and node-llama-cpp imports in tests", file: "test/unit/x.test.ts", code: `import * as vscode from "vscode";\nimport { getLlama } from "node-llama-cpp";\nexport const a = [vscode, getLlama];\n`, rules: [] },

  // hearth/layers: src/ide/** only from src/ide/** and src/extension.ts, whatever the depth and the import form
  { title: "reports an import of src/ide from src/completion", file: "src/completion/x.ts", code: `import { log } from "../ide/log";\nexport const a = log;\n`, rules: [LAYERS] },
  { title: "reports a type-only import of src/ide from src/completion", file: "src/completion/x.ts", code: `import type { Log } from "../ide/log";\nexport let a: Log | undefined;\n`, rules: [LAYERS] },
  { title: "reports an import of src/ide from two folders down", file: "src/engine/worker/x.mts", code: `import { log } from "../../ide/log";\nexport const a = log;\n`, rules: [LAYERS] },
  { title: "reports an import of src/ide from a file directly in src", file: "src/other.ts", code: `import { log } from "./ide";\nexport const a = log;\n`, rules: [LAYERS] },
  { title: "reports a re-export of src/ide", file: "src/chat/x.ts", code: `export { log } from "../ide/log";\n`, rules: [LAYERS] },
  { title: "reports a dynamic import of src/ide", file: "src/chat/x.ts", code: `export const load = () => import("../ide/log");\n`, rules: [LAYERS] },
  { title: "reports a require() of src/ide", file: "src/chat/x.ts", code: `export const log = require("../ide/log");\n`, rules: [LAYERS, REQUIRE] },
  { title: "reports a typeof import() type of src/ide", file: "src/chat/x.ts", code: `export type Log = typeof import("../ide/log");\n`, rules: [LAYERS] },
  { title: "reports an import = require() of src/ide", file: "src/chat/x.ts", code: `import log = require("../ide/log");\nexport const a = log;\n`, rules: [LAYERS, REQUIRE] },
  { title: "reports an import that climbs through src/ide's own path from a deep folder", file: "src/context/index/deep/x.ts", code: `import { log } from "../../../ide/log";\nexport const a = log;\n`, rules: [LAYERS] },
  { title: "allows a src/ide file to import another src/ide file", file: "src/ide/views/x.ts", code: `import { log } from "../log";\nexport const a = log;\n`, rules: [] },
  { title: "allows a folder that is merely named ide below another folder", file: "src/completion/x.ts", code: `import { x } from "./ide/x";\nexport const a = x;\n`, rules: [] },
  { title: "reports an import that leaves src/", file: "src/common/x.ts", code: `import { x } from "../../test/x";\nexport const a = x;\n`, rules: [LAYERS] },
  { title: "reports a folder of src/ that has no place in the layer table", file: "src/newfolder/x.ts", code: `import { x } from "../common/x";\nexport const a = x;\n`, rules: [LAYERS] },

  // src/webview/app/**: only its own files and src/webview/protocol.ts
  { title: "allows the webview app to import the webview protocol and its own files", file: "src/webview/app/main.ts", code: `import type { Msg } from "../protocol";\nimport { view } from "./view";\nexport const a: Msg | undefined = view;\n`, rules: [] },
  { title: "allows a nested webview app file to import the webview protocol", file: "src/webview/app/parts/chat.tsx", code: `import type { Msg } from "../../protocol";\nimport { view } from "../view";\nexport const a: Msg | undefined = view;\n`, rules: [] },
  { title: "reports a webview app import of another project file", file: "src/webview/app/main.ts", code: `import { Emitter } from "../../common/event";\nexport const a = Emitter;\n`, rules: [LAYERS] },
  { title: "reports a webview app import of a webview file other than the protocol", file: "src/webview/app/main.ts", code: `import { panel } from "../panel";\nexport const a = panel;\n`, rules: [LAYERS] },

  // General rules
  { title: "reports a default export", file: "src/common/x.ts", code: `const a = 1;\nexport default a;\n`, rules: [SYNTAX] },
  { title: "reports console output in src outside the CLI", file: "src/common/x.ts", code: `export const f = () => console.log("hi");\n`, rules: ["no-console"] },
  { title: "allows console output in src/cli", file: "src/cli/x.ts", code: `export const f = () => console.log("hi");\n`, rules: [] },
  { title: "reports a value import that is used only as a type", file: "src/common/x.ts", code: `import { Foo } from "./foo";\nexport let a: Foo | undefined;\n`, rules: ["@typescript-eslint/consistent-type-imports"] },
];

describe("lint rules", function () {
  this.timeout(60_000);
  let eslint: ESLint;

  before(async function () {
    assert.ok(existsSync(configFile), `eslint.config.mjs not found at ${configFile}`);
    eslint = new ESLint({ cwd: root, overrideConfigFile: configFile });
    // Loading the config and the TypeScript parser takes a while: do it once, outside the timed tests.
    await eslint.lintText("export const warm = 1;\n", { filePath: path.join(root, "src/warm.ts") });
  });

  async function firedRules(c: Pick<Case, "file" | "code">): Promise<{ fired: string[]; report: string }> {
    const [result] = await eslint.lintText(c.code, { filePath: path.join(root, c.file) });
    const fatal = result.messages.filter((m) => m.fatal);
    assert.deepEqual(fatal, [], `parse error in the ${c.file} sample`);
    const fired = [...new Set(result.messages.map((m) => m.ruleId ?? "(none)"))].sort();
    return { fired, report: `${c.file}:\n${result.messages.map((m) => `  ${m.line}:${m.column} ${m.ruleId}: ${m.message}`).join("\n")}` };
  }

  for (const c of cases) {
    it(c.title, async function () {
      const { fired, report } = await firedRules(c);
      assert.deepEqual(fired, [...c.rules].sort(), report);
    });
  }

  it("allows exactly the imports the layer table allows, between every pair of src/ folders", async function () {
    const { LAYERS: table } = (await import(pathToFileURL(path.join(root, "scripts/eslint-layers.mjs")).href)) as LayerModule;
    const folders = Object.keys(table).filter((f) => f !== "extension");
    const wrong: string[] = [];
    for (const from of [...folders, "extension"]) {
      const file = from === "extension" ? "src/extension.ts" : `src/${from}/deep/x.ts`;
      const up = from === "extension" ? "./" : "../".repeat(from.split("/").length + 1);
      for (const to of folders) {
        if (to === from) continue;
        const target = to === "webview/app" ? "webview/app/view" : `${to}/x`;
        const { fired } = await firedRules({ file, code: `import { x } from "${up}${target}";\nexport const a = x;\n` });
        const allowed = table[from].includes(to);
        if (fired.includes(LAYERS) === allowed) wrong.push(`${from} -> ${to}: ${allowed ? "allowed but reported" : "forbidden but not reported"}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("names the allowed folders in the message of a layer violation", async function () {
    const [result] = await eslint.lintText(`import { x } from "../completion/x";\nexport const a = x;\n`, { filePath: path.join(root, "src/context/x.ts") });
    assert.match(result.messages[0]?.message ?? "", /src\/context\/ may import only common\/, code\/; not src\/completion\//);
  });

  it("explains the dependency rule in the message of a restricted import", async function () {
    const [result] = await eslint.lintText(`import * as vscode from "vscode";\nexport const a = vscode;\n`, { filePath: path.join(root, "src/context/x.ts") });
    assert.match(result.messages[0]?.message ?? "", /only in src\/ide/);
  });
});
