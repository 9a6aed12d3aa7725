import type { Node, Tree } from "web-tree-sitter";
import type { SymbolDefinition } from "../symbol-types";
import { lineEndWithin } from "../text-lines";

/** Top-level statements read for the exported object, and members kept of it (a generated module can list thousands). */
const MAX_TOP_LEVEL_NODES = 5000;
const MAX_MEMBERS = 500;
const MAX_SPREADS = 8;
const HEADER_CHARS = 200;
const NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/**
 * The members of the object a JavaScript/TypeScript module exports as a whole: `export default { a, b }`,
 * `module.exports = { … }` (or a top-level `const x = { … }` exported so), and `exports.x = …` / `module.exports.x = …`.
 * What `helpers.` can be followed by when the module is imported as `import helpers from` or `const helpers =
 * require()`. A shorthand (`{ isPlainObject }`) or `key: name` member is the file's own definition of that name; any
 * other member is its own line. Empty when the module exports no object (a class, a function, nothing).
 */
export function exportedObjectMembers(tree: Tree, text: string, path: string, definitions: readonly SymbolDefinition[]): { members: SymbolDefinition[]; spreads: string[] } {
  const top = tree.rootNode.namedChildren.slice(0, MAX_TOP_LEVEL_NODES).filter((n): n is Node => n !== null);
  let object: Node | null = null;
  let objectName: string | null = null;
  const assigned: Node[] = [];
  for (const node of top) {
    if (node.type === "export_statement") {
      const value = node.childForFieldName("value");
      if (value && /^\s*export\s+default\b/.test(text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 40)))) {
        if (value.type === "object") object = value;
        else if (value.type === "identifier") objectName = value.text;
      }
      continue;
    }
    if (node.type !== "expression_statement") continue;
    const expr = node.namedChild(0);
    if (expr?.type !== "assignment_expression") continue;
    const left = expr.childForFieldName("left");
    const right = expr.childForFieldName("right");
    if (!left || !right || left.type !== "member_expression") continue;
    const target = text.slice(left.startIndex, Math.min(left.endIndex, left.startIndex + 200));
    if (target === "module.exports") {
      if (right.type === "object") object = right;
      else if (right.type === "identifier") objectName = right.text;
    } else if (/^(?:module\.)?exports\.[\p{L}_$][\p{L}\p{N}_$]*$/u.test(target)) assigned.push(node);
  }
  if (!object && objectName) object = declaredObject(top, objectName);
  const ownDefs = new Map<string, SymbolDefinition>();
  for (const def of definitions) if (!def.member && !ownDefs.has(def.name)) ownDefs.set(def.name, def);
  const out: SymbolDefinition[] = [];
  /** `{ ...utils, ...platform }`: names whose members are the object's too (followed when they are imports). */
  const spreads: string[] = [];
  const add = (name: string, node: Node, refersTo: string | null): void => {
    if (out.length >= MAX_MEMBERS || !NAME.test(name)) return;
    const own = refersTo ? ownDefs.get(refersTo) : undefined;
    if (own) out.push({ ...own, member: false });
    else out.push(memberOf(name, node, text, path));
  };
  if (object) {
    for (const child of object.namedChildren) {
      if (!child || out.length >= MAX_MEMBERS) break;
      if (child.type === "shorthand_property_identifier") add(child.text, child, child.text);
      else if (child.type === "pair") {
        const key = child.childForFieldName("key");
        const value = child.childForFieldName("value");
        if (key) add(keyName(key), child, value?.type === "identifier" ? value.text : null);
      } else if (child.type === "spread_element") {
        const spread = child.namedChild(0);
        if (spread?.type === "identifier" && spreads.length < MAX_SPREADS) spreads.push(spread.text);
      } else if (child.type === "method_definition") {
        const key = child.childForFieldName("name");
        if (key) add(keyName(key), child, null);
      }
    }
  }
  for (const node of assigned) {
    const left = node.namedChild(0)?.childForFieldName("left");
    const property = left?.childForFieldName("property");
    const right = node.namedChild(0)?.childForFieldName("right");
    if (property) add(property.text, node, right?.type === "identifier" ? right.text : null);
  }
  return { members: out, spreads };
}

/** `const name = { … }` (or `let`/`var`, exported or not) among the top-level statements. */
function declaredObject(top: readonly Node[], name: string): Node | null {
  for (const node of top) {
    const decl = node.type === "export_statement" ? node.childForFieldName("declaration") : node;
    if (!decl || (decl.type !== "lexical_declaration" && decl.type !== "variable_declaration")) continue;
    for (const declarator of decl.namedChildren) {
      if (declarator?.type !== "variable_declarator" || declarator.childForFieldName("name")?.text !== name) continue;
      const value = declarator.childForFieldName("value");
      return value?.type === "object" ? value : null;
    }
  }
  return null;
}

function keyName(key: Node): string {
  return key.type === "string" ? key.text.slice(1, -1) : key.text;
}

/** A member written in the object itself: its first line, cut. */
function memberOf(name: string, node: Node, text: string, path: string): SymbolDefinition {
  // From the member itself to its body, its line's end or HEADER_CHARS: in a minified module every member is on the one line.
  const body = node.childForFieldName("body") ?? node.childForFieldName("value")?.childForFieldName("body");
  const end = Math.min(lineEndWithin(text, node.startIndex, HEADER_CHARS), node.endIndex, body ? body.startIndex + 1 : node.endIndex);
  const first = text.slice(node.startIndex, end).trim();
  return { name, kind: "property", path, startLine: node.startPosition.row, endLine: node.endPosition.row, text: first, header: first };
}

/** A statement longer than this is no re-export anyone wrote. */
const MAX_STATEMENT_CHARS = 2000;
const MAX_NAMESPACES = 200;

/** The name under which a file's exported object's spreads (`{ ...utils }`) are kept among its re-exports. */
export const SPREAD = "...";

/** How a file re-exports a name: as a whole module (`export * as X from`), or passing on another file's (`export { X } from`, `export * from`: name "*"). */
export interface Reexport {
  name: string;
  specifier: string;
  namespace: boolean;
}

/**
 * The modules a JavaScript/TypeScript file re-exports whole under a name (`export * as Codes from "./codes"`, and
 * `import * as Codes from "./codes"` with `export { Codes }`), and the names it passes on from other files, so that
 * `import { Codes } from` a barrel can be followed to the module it stands for.
 */
export function namespaceReexports(tree: Tree, text: string, spreads: readonly string[] = []): Reexport[] {
  const imported = new Map<string, string>();
  /** `import x from "s"`, `const x = require("s")`: a spread of `x` passes on the object that module exports. */
  const importedDefault = new Map<string, string>();
  const exported: [local: string, as: string][] = [];
  const out: Reexport[] = [];
  const add = (r: Reexport): void => {
    if (out.length < MAX_NAMESPACES) out.push(r);
  };
  for (const node of tree.rootNode.namedChildren.slice(0, MAX_TOP_LEVEL_NODES)) {
    if (!node || node.endIndex - node.startIndex > MAX_STATEMENT_CHARS) continue;
    const declaration = node.type === "lexical_declaration" || node.type === "variable_declaration";
    if (node.type !== "import_statement" && node.type !== "export_statement" && !(declaration && spreads.length)) continue;
    const stmt = text.slice(node.startIndex, node.endIndex);
    const whole = /^(?:import\s+([\p{L}_$][\p{L}\p{N}_$]*)\s+from|(?:const|let|var)\s+([\p{L}_$][\p{L}\p{N}_$]*)\s*=\s*require\s*\()\s*["']([^"'\n]+)["']/u.exec(stmt);
    if (whole) importedDefault.set(whole[1] ?? whole[2], whole[3]);
    const star = /^(import|export)\s+\*\s+as\s+([\p{L}_$][\p{L}\p{N}_$]*)\s+from\s+["']([^"'\n]+)["']/u.exec(stmt);
    if (star && star[1] === "import") imported.set(star[2], star[3]);
    else if (star) add({ name: star[2], specifier: star[3], namespace: true });
    const all = /^export\s+\*\s+from\s+["']([^"'\n]+)["']/.exec(stmt);
    if (all) add({ name: "*", specifier: all[1], namespace: false });
    const clause = /^export\s*(?:type\s*)?\{([^}]*)\}\s*(?:from\s+["']([^"'\n]+)["'])?\s*;?\s*$/.exec(stmt);
    if (clause) {
      for (const part of clause[1].split(",")) {
        const [local, as] = part.trim().split(/\s+as\s+/);
        if (!local) continue;
        if (clause[2]) add({ name: as ?? local, specifier: clause[2], namespace: false });
        else exported.push([local, as ?? local]);
      }
    }
  }
  for (const [local, as] of exported) {
    const specifier = imported.get(local);
    if (specifier) add({ name: as, specifier, namespace: true });
  }
  // Spreads of the exported object, under the name "...": a namespace's members, or another module's object.
  for (const spread of spreads) {
    const namespace = imported.get(spread);
    const object = importedDefault.get(spread);
    if (namespace) add({ name: SPREAD, specifier: namespace, namespace: true });
    else if (object) add({ name: SPREAD, specifier: object, namespace: false });
  }
  return out;
}

const MAX_STAR_IMPORTS = 8;
/** Modules a Python file imports names from that are kept (a package's `__init__.py` passes on a few modules' names). */
const MAX_NAMED_IMPORTS = 16;

/**
 * A Python module's `from .events import *` (a package's `__init__.py`, mostly): `asyncio.set_event_loop` is
 * defined in the module star-imported, under the name "*". And the modules its top-level `from .base import (…)`
 * statements import names from, under the name "" (`serialization.Encoding` is defined in the module
 * `serialization/__init__.py` imports it from).
 */
export function pythonStarImports(tree: Tree, text: string): Reexport[] {
  const out: Reexport[] = [];
  let named = 0;
  for (const node of tree.rootNode.namedChildren.slice(0, MAX_TOP_LEVEL_NODES)) {
    if (out.length >= MAX_STAR_IMPORTS + MAX_NAMED_IMPORTS) break;
    if (!node || node.type !== "import_from_statement" || node.endIndex - node.startIndex > MAX_STATEMENT_CHARS) continue;
    const statement = text.slice(node.startIndex, node.endIndex);
    const star = /^from\s+([\w.]+)\s+import\s+\*\s*$/.exec(statement);
    if (star && out.length - named < MAX_STAR_IMPORTS) out.push({ name: "*", specifier: star[1], namespace: false });
    const from = star ? null : /^from\s+([\w.]+)\s+import\b/.exec(statement);
    if (from && named < MAX_NAMED_IMPORTS && !out.some((r) => r.name === "" && r.specifier === from[1])) {
      out.push({ name: "", specifier: from[1], namespace: false });
      named++;
    }
  }
  return out;
}
