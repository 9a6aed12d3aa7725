// ESLint flat config (ESLint 9, typescript-eslint 8). `npm run lint` runs it on the whole tree.
//
// Besides the usual recommended rules it enforces Hearth's dependency rules, folder by folder:
//   - `vscode` is imported only by src/ide/** and src/extension.ts;
//   - `node-llama-cpp` only by src/engine/worker/** (and by test/, bench/, scripts/, which are unrestricted);
//   - nothing under src/ imports src/ide/** except src/ide/** itself and src/extension.ts;
//   - src/webview/app/** imports, among project files, only its own files and src/webview/protocol.ts.
// The rules are written with `@typescript-eslint/no-restricted-imports` (static imports, `export ... from`,
// `import x = require()`) plus `no-restricted-syntax` for `import()`, `require()` and `typeof import()` types. ESLint does not merge
// the options of one rule across config objects (the last matching object wins), so each folder gets ONE object
// that carries every restriction that applies to it; see `areas` below. Relative imports are matched per folder
// depth, so `../ide/log` is caught in src/completion/x.ts and `../../ide/log` in src/engine/worker/x.mts.
// test/unit/lint-rules.test.ts proves that each rule fires.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

const TS = ["**/*.ts", "**/*.mts", "**/*.cts", "**/*.tsx"];
const TS_EXT = "{ts,mts,cts,tsx}";
/** Folder depths below src/ that get exact relative-path rules; anything deeper falls back to a looser pattern. */
const MAX_DEPTH = 6;

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
  ide: "Only src/ide/** and src/extension.ts may import from src/ide/: depend on an interface in the core instead.",
  webviewApp: "src/webview/app/** runs in the webview: among project files it may import only its own files and src/webview/protocol.ts.",
};

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** The relative prefix that reaches src/ from a file `depth` folders below it: "./", "../", "../../", ... */
const toSrc = (depth) => (depth === 0 ? "./" : "../".repeat(depth));

/**
 * One config object per (area, depth): a file at src/<d folders>/x.ts is matched by `src/` + d `*` segments.
 * `depth === null` is the fallback for files deeper than MAX_DEPTH.
 */
function restrictionsFor(area, depth) {
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

  if (!area.ide) {
    // From src/<d folders>/x.ts, src/ide is `${toSrc(d)}ide`. The fallback catches any `../…/ide` path.
    const re = depth === null ? "^(\\./|(\\.\\./)+)ide(/|$)" : `^${escapeRe(toSrc(depth))}ide(/|$)`;
    patterns.push({ regex: re, message: message.ide });
  }
  if (area.webviewApp) {
    // A file in src/webview/app/<k folders>/ leaves the app with k+1 `../`; only `…/protocol` may be reached that way.
    const k = depth === null ? null : depth - 2;
    const up = k === null ? "(\\.\\./)+" : escapeRe("../".repeat(k + 1));
    const protocol = k === null ? "(\\.\\./)+protocol" : `${escapeRe("../".repeat(k + 1))}protocol`;
    patterns.push({ regex: `^(?!${protocol}(\\.(js|ts))?$)${up}`, message: message.webviewApp });
    // `src/...` or other absolute project paths are not used by the project; node builtins and npm packages stay allowed.
  }
  return {
    "@typescript-eslint/no-restricted-imports": patterns.length ? ["error", { patterns }] : "off",
    "no-restricted-syntax": ["error", ...syntax],
  };
}

/** Areas in order from general to specific: a later area's object overrides an earlier one for the same file. */
const areas = [
  { name: "src", glob: "src", ide: false },
  { name: "extension", exact: "src/extension.ts", vscode: true, ide: true },
  { name: "ide", glob: "src/ide", vscode: true, ide: true },
  { name: "worker", glob: "src/engine/worker", nodeLlamaCpp: true },
  { name: "webview-app", glob: "src/webview/app", webviewApp: true },
];

function layeringConfigs() {
  const configs = [];
  for (const area of areas) {
    if (area.exact) {
      configs.push({ name: `hearth/layering/${area.name}`, files: [area.exact], rules: restrictionsFor(area, 0) });
      continue;
    }
    const baseDepth = area.glob.split("/").length - 1; // folders below src/ of the area's root
    for (let depth = baseDepth; depth <= MAX_DEPTH; depth++) {
      const stars = "*/".repeat(depth - baseDepth);
      configs.push({ name: `hearth/layering/${area.name}/${depth}`, files: [`${area.glob}/${stars}*.${TS_EXT}`], rules: restrictionsFor(area, depth) });
    }
    configs.push({
      name: `hearth/layering/${area.name}/deep`,
      files: [`${area.glob}/${"*/".repeat(MAX_DEPTH - baseDepth + 1)}**/*.${TS_EXT}`],
      rules: restrictionsFor(area, null),
    });
  }
  return configs;
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
