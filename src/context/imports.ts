import type { Tree } from "web-tree-sitter";
import type { LanguageSpec } from "./languages";
import { lineEndWithin } from "./text-lines";
import { topLevelSpans } from "./tree-path";

/** One import statement of the current file. */
export interface ImportStatement {
  text: string;
  startIndex: number;
  endIndex: number;
  /** The module as written: "./util", "../x.js", ".models", "a.b.c", "crate::a::b", "fmt". */
  specifier: string;
  /** Names the statement brings into scope (local names); empty for `import "x"`/`#include`. */
  names: string[];
  /** The local name of a namespace import (`import * as x from "./x"`), which stands for the whole module. */
  namespace?: string;
  /**
   * The local name of the module's default export or `module.exports` (`import helpers from "./helpers"`,
   * `const utils = require("./utils")`): when that is an object, its members are what `helpers.` is followed by.
   */
  defaultName?: string;
}

const MAX_IMPORTS = 200;
/** Imports live at the top: the text fallback reads this far, the tree's top level this many statements. */
const IMPORT_SCAN_CHARS = 64_000;
const MAX_TOP_LEVEL_NODES = 1000;
/** A longer "statement" is not an import anyone wrote (a minified line, a data blob): it is not read at all. */
const MAX_STATEMENT_CHARS = 8000;

/** The file's import statements, from the tree's top level (where imports live), else from the text's first lines. */
export function extractImports(text: string, languageId: string, tree: Tree | null, spec: LanguageSpec | null): ImportStatement[] {
  return readImports(text, languageId, tree, spec).imports;
}

/**
 * The file's imports, and how far the text was read for them: an edit beyond `scannedTo` cannot change them (the
 * end of the text when all of it was read).
 */
export function readImports(text: string, languageId: string, tree: Tree | null, spec: LanguageSpec | null): { imports: ImportStatement[]; scannedTo: number } {
  if (!tree || !spec) return extractImportsFromText(text, languageId);
  const imports: ImportStatement[] = [];
  const { spans, complete } = topLevelSpans(tree, MAX_TOP_LEVEL_NODES);
  for (const span of spans) {
    if (imports.length >= MAX_IMPORTS) break;
    const isImport = spec.importTypes.has(span.type);
    const isRequire = !isImport && spec.requireTypes.has(span.type);
    if (!isImport && !isRequire) {
      if (languageId === "python" && span.type === "if_statement") imports.push(...typeCheckingImports(tree, span, text, spec));
      continue;
    }
    if (span.endIndex - span.startIndex > MAX_STATEMENT_CHARS) continue;
    const stmt = text.slice(span.startIndex, span.endIndex);
    if (isRequire && !/\brequire\s*\(/.test(stmt)) continue;
    imports.push(...parseImportStatement(stmt, languageId, span.startIndex));
  }
  return { imports, scannedTo: complete ? text.length : (spans.at(-1)?.endIndex ?? 0) };
}

/**
 * Python's `if TYPE_CHECKING:` block holds imports for type annotations only (to avoid an import cycle): the names
 * are used in the file all the same. Its `else:` is not read.
 */
function typeCheckingImports(tree: Tree, span: { startIndex: number; endIndex: number }, text: string, spec: LanguageSpec): ImportStatement[] {
  if (!/^if\s+(?:typing\.)?TYPE_CHECKING\s*:/.test(text.slice(span.startIndex, span.startIndex + 40))) return [];
  const node = tree.rootNode.descendantForIndex(span.startIndex, span.endIndex);
  const block = node?.type === "if_statement" ? node.childForFieldName("consequence") : null;
  const out: ImportStatement[] = [];
  for (const child of block?.namedChildren.slice(0, MAX_IMPORTS) ?? []) {
    if (!child || !spec.importTypes.has(child.type) || child.endIndex - child.startIndex > MAX_STATEMENT_CHARS) continue;
    out.push(...parseImportStatement(text.slice(child.startIndex, child.endIndex), "python", child.startIndex));
  }
  return out;
}

const LINE_IMPORT: Record<string, RegExp> = {
  python: /^(?:from\s+\S+\s+import\s|import\s)/,
  go: /^import\s/,
  rust: /^(?:pub\s+)?use\s/,
  java: /^import\s/,
  csharp: /^using\s+[\w.]+\s*;/,
  c: /^#\s*include\s/,
  cpp: /^#\s*include\s/,
  php: /^use\s/,
};

function extractImportsFromText(text: string, languageId: string): { imports: ImportStatement[]; scannedTo: number } {
  const out: ImportStatement[] = [];
  const js = isJsLike(languageId);
  const pattern = LINE_IMPORT[languageId];
  if (!js && !pattern) return { imports: out, scannedTo: 0 };
  let offset = 0;
  const limit = Math.min(text.length, IMPORT_SCAN_CHARS);
  while (offset < limit && out.length < MAX_IMPORTS) {
    const lineEnd = lineEndWithin(text, offset, MAX_STATEMENT_CHARS + 1);
    // A line this long is minified code or data, not an import statement: imports are not read past it.
    if (lineEnd - offset > MAX_STATEMENT_CHARS) break;
    const line = text.slice(offset, lineEnd).trim();
    if (js ? /^(?:import\s|(?:const|let|var)\s.*\brequire\s*\()/.test(line) : pattern.test(line)) {
      // A statement may continue over lines: `import {\n a,\n b\n} from "x";`, `from x import (\n a,\n)`. Each line
      // is tested once as it is added (what closes a statement is on the line that closes it), never the whole again.
      let stmtEnd = lineEnd;
      let closed = js ? closesJsImport(line, true) : /^[^(]*$|\)/.test(line);
      while (!closed && stmtEnd < limit && stmtEnd - offset <= MAX_STATEMENT_CHARS) {
        const next = lineEndWithin(text, stmtEnd + 1, MAX_STATEMENT_CHARS + 1);
        const added = text.slice(stmtEnd + 1, next);
        closed = js ? closesJsImport(added, false) : added.includes(")");
        stmtEnd = next;
      }
      if (stmtEnd - offset <= MAX_STATEMENT_CHARS) out.push(...parseImportStatement(text.slice(offset, stmtEnd), languageId, offset));
      offset = stmtEnd + 1;
      continue;
    }
    offset = lineEnd + 1;
  }
  return { imports: out, scannedTo: limit === text.length ? text.length : offset };
}

/**
 * Whether a line ends a JavaScript import or require: it names the module, or ends with `)` or `;`. (Not a regex
 * like `\)\s*;?\s*$`: two optional runs of spaces backtrack against each other, quadratic in a long run.)
 */
function closesJsImport(line: string, first: boolean): boolean {
  return /\bfrom\s+["'][^"'\n]+["']/.test(line) || (first && /^import\s+["']/.test(line)) || /[);]$/.test(line.trimEnd());
}

function isJsLike(languageId: string): boolean {
  return languageId === "typescript" || languageId === "typescriptreact" || languageId === "javascript" || languageId === "javascriptreact";
}

function splitNames(list: string): string[] {
  return list
    .replace(/[(){}]/g, " ")
    .split(",")
    .map((part) => part.trim().replace(/^type\s+/, ""))
    .filter((part) => part !== "" && part !== "*")
    .map((part) => {
      const alias = /\bas\s+([\w$]+)$/.exec(part);
      return alias ? alias[1] : part.split(/\s+/)[0];
    })
    .filter((n) => /^[\w$]+$/.test(n));
}

/**
 * What a JavaScript import or require statement binds: the text between `import` and its `from "…"`, or between
 * `const`/`let`/`var` and `=`. Found by searching for the end once: a lazy `([\s\S]*?)\s+from\s` retried a run of
 * spaces from each of its positions, quadratic in the run.
 */
function importClause(stmt: string): string {
  const keyword = /^import\s+(?:type\s+)?/.exec(stmt) ?? /^(?:const|let|var)\s+/.exec(stmt);
  if (!keyword) return "";
  const rest = stmt.slice(keyword[0].length);
  const end = keyword[0].startsWith("import") ? /\sfrom\s/.exec(rest)?.index : rest.indexOf("=");
  return end === undefined || end < 0 ? "" : rest.slice(0, end).trimEnd();
}

/** One statement's text to its imports (Go's grouped `import (...)` gives several). */
export function parseImportStatement(stmt: string, languageId: string, startIndex: number): ImportStatement[] {
  const base = { text: stmt, startIndex, endIndex: startIndex + stmt.length };
  if (isJsLike(languageId)) {
    const from = /\bfrom\s+["']([^"'\n]+)["']/.exec(stmt) ?? /^import\s+["']([^"'\n]+)["']/.exec(stmt) ?? /\brequire\s*\(\s*["']([^"'\n]+)["']\s*\)/.exec(stmt);
    if (!from) return [];
    const names: string[] = [];
    const clause = importClause(stmt);
    const ns = /\*\s+as\s+([\w$]+)/.exec(clause);
    if (ns) names.push(ns[1]);
    // From the first `{` to the last `}` (a regex would try every `{` against the rest of the text).
    const open = clause.indexOf("{");
    const close = clause.lastIndexOf("}");
    if (open >= 0 && close > open) names.push(...splitNames(clause.slice(open + 1, close).replace(/:\s*([\w$]+)/g, " as $1")));
    const def = /^([\w$]+)\s*(?:,|$)/.exec(clause.trim());
    if (def && def[1] !== "type") names.push(def[1]);
    // `require("x").member` is that member, not the whole module.
    const whole = def && def[1] !== "type" && (stmt.startsWith("import") || /\brequire\s*\(\s*["'][^"'\n]+["']\s*\)\s*;?\s*$/.test(stmt));
    return [{ ...base, specifier: from[1], names, ...(ns ? { namespace: ns[1] } : {}), ...(whole ? { defaultName: def[1] } : {}) }];
  }
  switch (languageId) {
    case "python": {
      const fromImport = /^from\s+([\w.]+)\s+import\s+([\s\S]+)$/.exec(stmt.trim());
      if (fromImport) return [{ ...base, specifier: fromImport[1], names: splitNames(fromImport[2].replace(/#.*$/gm, "").replace(/\\\n/g, " ")) }];
      const plain = /^import\s+([\s\S]+)$/.exec(stmt.trim());
      if (!plain) return [];
      return plain[1].split(",").map((part) => {
        const [module, alias] = part.trim().split(/\s+as\s+/);
        // `import a.b as m`: `m` is the module a.b.
        return { ...base, specifier: module.trim(), names: [alias?.trim() ?? module.trim().split(".")[0]], ...(alias ? { namespace: alias.trim() } : {}) };
      });
    }
    case "go": {
      const specs = [...stmt.replace(/^\s*import\s*/, "").matchAll(/(?:^|\n|\()\s*([\w.]+\s+)?"([^"\n]+)"/g)];
      return specs.map((m) => ({ ...base, specifier: m[2], names: [m[1]?.trim() || m[2].split("/").pop() || m[2]] }));
    }
    case "rust": {
      const trimmed = stmt.trim();
      const use = /\buse\s+/.exec(trimmed);
      const rest = use ? trimmed.slice(use.index + use[0].length) : "";
      const body = rest.endsWith(";") ? rest.slice(0, -1) : rest;
      const group = /^([\w:]+)::\{([\s\S]*)\}$/.exec(body);
      if (group) return [{ ...base, specifier: group[1], names: splitNames(group[2].replace(/\bself\b/g, "")) }];
      const parts = body.split("::");
      const last = parts.pop() ?? "";
      return [{ ...base, specifier: parts.join("::"), names: splitNames(last) }];
    }
    case "java": {
      const m = /import\s+(?:static\s+)?([\w.]+)(\.\*)?\s*;/.exec(stmt);
      if (!m) return [];
      return [{ ...base, specifier: m[1], names: m[2] ? [] : [m[1].split(".").pop() ?? m[1]] }];
    }
    case "csharp": {
      const m = /using\s+(?:static\s+)?(?:(\w+)\s*=\s*)?([\w.]+)\s*;/.exec(stmt);
      return m ? [{ ...base, specifier: m[2], names: m[1] ? [m[1]] : [] }] : [];
    }
    case "c":
    case "cpp": {
      const m = /#\s*include\s*[<"]([^>"]+)[>"]/.exec(stmt);
      return m ? [{ ...base, specifier: m[1], names: [] }] : [];
    }
    case "php": {
      const m = /use\s+([\w\\]+)(?:\s+as\s+(\w+))?/.exec(stmt);
      return m ? [{ ...base, specifier: m[1], names: [m[2] ?? m[1].split("\\").pop() ?? m[1]] }] : [];
    }
    default:
      return [];
  }
}
