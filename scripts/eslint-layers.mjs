// Hearth's layer rule for ESLint: which folder of src/ may import which.
//
// Every relative import in src/ is resolved against the importing file's folder, and the two paths' folders are
// looked up in LAYERS. Resolving the path (rather than matching `../` prefixes) makes the rule the same at any
// folder depth and for every import form: static, `export … from`, `import x = require()`, `import()`, `require()`
// and `typeof import()` types. docs/ARCHITECTURE.md draws the same table; keep the two together.
import path from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/**
 * The folders of src/, innermost first, and the folders each may import besides itself. A folder that is not here
 * (a new one, or a loose file directly in src/) is reported until it is given its place.
 */
export const LAYERS = {
  common: [],
  fim: ["common"],
  code: ["common"],
  models: ["common", "fim"],
  engine: ["common", "fim", "models"],
  context: ["common", "code"],
  completion: ["common", "code", "context", "engine"],
  chat: ["common", "context", "engine"],
  actions: ["common", "code", "context", "engine", "chat"],
  nextedit: ["common", "fim", "code", "models", "engine", "context"],
  memory: ["common", "context"],
  webview: ["common", "chat"],
  // The webview app runs in the webview: its one door to the rest of the project is webview/protocol.ts.
  "webview/app": ["webview/protocol"],
  cli: ["common", "fim", "code", "models", "engine", "context", "completion", "chat", "actions", "nextedit", "memory"],
  ide: ["common", "fim", "code", "models", "engine", "context", "completion", "chat", "actions", "nextedit", "memory", "webview"],
  extension: ["common", "fim", "code", "models", "engine", "context", "completion", "chat", "actions", "nextedit", "memory", "webview", "ide"],
};

const WHY = {
  ide: "only src/ide/** and src/extension.ts may import from src/ide/: depend on an interface in the core instead",
  "webview/app": "src/webview/app/** runs in the webview: among project files it may import only its own files and src/webview/protocol.ts",
};

/** A path below src/ (with or without an extension) → its layer name, or null for a loose file directly in src/. */
export function layerOf(relative) {
  const parts = relative.split(/[\\/]/);
  if (parts.length === 1) return /^extension(\.[cm]?[jt]sx?)?$/.test(parts[0]) ? "extension" : null;
  if (parts[0] === "webview" && parts[1] === "app" && parts.length > 2) return "webview/app";
  return parts[0];
}

function withoutExtension(relative) {
  return relative.replace(/\\/g, "/").replace(/\.[cm]?[jt]sx?$/, "");
}

/** Null when `from` may import `target` (paths relative to src/), else why not. */
export function layerViolation(from, target) {
  const a = layerOf(from);
  const b = layerOf(target);
  if (a === null) return `${withoutExtension(from)} is a loose file in src/: put it in a folder that has a place in the layer table`;
  if (!(a in LAYERS)) return `src/${a}/ has no place in the layer table (scripts/eslint-layers.mjs, docs/ARCHITECTURE.md): give it one`;
  if (a === b) return null;
  const allowed = LAYERS[a];
  if (a === "webview/app") return allowed.includes(withoutExtension(target)) ? null : WHY[a];
  if (b !== null && allowed.includes(b)) return null;
  if (b === "ide") return WHY.ide;
  const into = b === null ? withoutExtension(target) : `${b}/`;
  return `src/${a}/ may import only ${allowed.length ? allowed.map((l) => `${l}/`).join(", ") : "nothing else in src/"}; not src/${into} (folders depend inward)`;
}

function literal(node) {
  return node && node.type === "Literal" && typeof node.value === "string" ? node.value : null;
}

export const layersRule = {
  meta: {
    type: "problem",
    docs: { description: "Folders of src/ import only the folders inward of them (scripts/eslint-layers.mjs)." },
    messages: { layer: "{{why}}." },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = path.relative(SRC, file);
    if (from.startsWith("..") || path.isAbsolute(from)) return {};
    const check = (node, specifier) => {
      if (specifier === null || !specifier.startsWith(".")) return;
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
      const why = target.startsWith("..") || path.isAbsolute(target)
        ? `src/ may not import ${specifier}: it leaves src/`
        : layerViolation(from, target);
      if (why) context.report({ node, messageId: "layer", data: { why } });
    };
    return {
      ImportDeclaration: (n) => check(n.source, literal(n.source)),
      ExportNamedDeclaration: (n) => n.source && check(n.source, literal(n.source)),
      ExportAllDeclaration: (n) => check(n.source, literal(n.source)),
      ImportExpression: (n) => check(n.source, literal(n.source)),
      CallExpression: (n) => {
        if (n.callee.type === "Identifier" && n.callee.name === "require") check(n, literal(n.arguments[0]));
      },
      TSExternalModuleReference: (n) => check(n.expression, literal(n.expression)),
      TSImportType: (n) => check(n, literal(n.argument?.type === "TSLiteralType" ? n.argument.literal : n.argument)),
    };
  },
};
