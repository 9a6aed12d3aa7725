// ESLint flat config (ESLint 9, typescript-eslint 8). `npm run lint` runs it on the whole tree.
//
// Besides the usual recommended rules it enforces Hearth's dependency rules:
//   - `hearth/layers` (scripts/eslint-layers.mjs): each folder of src/ imports only the folders inward of it, by
//     resolving every relative import's path (docs/ARCHITECTURE.md draws the same table);
//   - `vscode` is imported only by src/ide/** and src/extension.ts;
//   - `node-llama-cpp` only by src/engine/worker/** (and by test/, bench/, scripts/, which are unrestricted).
// The module bans are written with `@typescript-eslint/no-restricted-imports` (static imports, `export ... from`,
// `import x = require()`) plus `no-restricted-syntax` for `import()`, `require()` and `typeof import()` types. ESLint
// does not merge the options of one rule across config objects (the last matching object wins), so each area gets ONE
// object that carries every restriction that applies to it; see `areas` below.
// test/unit/lint-rules.test.ts proves that each rule fires.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";
import { layersRule } from "./scripts/eslint-layers.mjs";

const TS = ["**/*.ts", "**/*.mts", "**/*.cts", "**/*.tsx"];
const TS_EXT = "{ts,mts,cts,tsx}";

const nodeGlobals = Object.fromEntries(
  [
    "process", "console", "Buffer", "URL", "URLSearchParams", "TextEncoder", "TextDecoder", "AbortController", "AbortSignal",
    "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "queueMicrotask",
    "structuredClone", "fetch", "performance", "globalThis", "__dirname", "__filename", "require", "module", "exports",
  ].map((name) => [name, "readonly"]),
);

const noDefaultExport = { selector: "ExportDefaultDeclaration", message: "Use named exports; default exports are not allowed in Hearth." };

const message = {
  vscode: "`vscode` may be imported only in src/ide/** and src/extension.ts: keep the core editor-agnostic and pass what it needs in.",
  nodeLlamaCpp: "`node-llama-cpp` may be imported only in src/engine/worker/** (it runs in the forked engine process); use the engine client.",
};

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The module bans that apply to an area: every file of the area gets one object with all of them. */
function restrictionsFor(area) {
  const patterns = [];
  const syntax = [noDefaultExport];
  const banModule = (name, msg) => {
    const re = `^${escapeRe(name)}(/|$)`;
    patterns.push({ regex: re, message: msg });
    const sel = `/${re.replace(/\//g, "\\/")}/`;
    syntax.push(
      { selector: `ImportExpression[source.value=${sel}]`, message: msg },
      { selector: `CallExpression[callee.name='require'][arguments.0.value=${sel}]`, message: msg },
      { selector: `TSImportType[argument.literal.value=${sel}]`, message: msg },
    );
  };
  if (!area.vscode) banModule("vscode", message.vscode);
  if (!area.nodeLlamaCpp) banModule("node-llama-cpp", message.nodeLlamaCpp);
  return {
    "@typescript-eslint/no-restricted-imports": patterns.length ? ["error", { patterns }] : "off",
    "no-restricted-syntax": ["error", ...syntax],
  };
}

/** Areas in order from general to specific: a later area's object overrides an earlier one for the same file. */
const areas = [
  { name: "src", files: [`src/**/*.${TS_EXT}`] },
  { name: "extension", files: ["src/extension.ts"], vscode: true },
  { name: "ide", files: [`src/ide/**/*.${TS_EXT}`], vscode: true },
  { name: "worker", files: [`src/engine/worker/**/*.${TS_EXT}`], nodeLlamaCpp: true },
];

function layeringConfigs() {
  return [
    { name: "hearth/layers", files: [`src/**/*.${TS_EXT}`], plugins: { hearth: { rules: { layers: layersRule } } }, rules: { "hearth/layers": "error" } },
    ...areas.map((area) => ({ name: `hearth/modules/${area.name}`, files: area.files, rules: restrictionsFor(area) })),
  ];
}

export default defineConfig(
  globalIgnores(["dist/", "out/", "grammars/", "media/dist/", ".vscode-test/", "node_modules/", ".models/", ".hearth-run/", "bench/.work/", "test/fixtures/workspace/", "**/*.vsix"]),

  // Plain JavaScript (scripts/*.mjs, this file): ESLint's recommended rules with Node globals.
  {
    name: "hearth/javascript",
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: nodeGlobals },
  },

  // TypeScript everywhere (src/, test/, bench/, scripts/): recommended rules without type information (fast).
  {
    name: "hearth/typescript",
    files: TS,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // `typeof import("x")` stays allowed: it types a module that is loaded lazily with import().
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports", fixStyle: "separate-type-imports", disallowTypeAnnotations: false }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-restricted-syntax": ["error", noDefaultExport],
    },
  },

  // No console output from the extension or the engine: use the logger. The CLI talks to a terminal.
  { name: "hearth/no-console", files: [`src/**/*.${TS_EXT}`], rules: { "no-console": "error" } },
  { name: "hearth/cli-console", files: [`src/cli/**/*.${TS_EXT}`], rules: { "no-console": "off" } },

  ...layeringConfigs(),
);
