// JavaScript and TypeScript modules as the recall bench sees them: ES imports and exports, CommonJS `require` and
// `module.exports`, classes' static members, objects of functions, enums and namespaces.
import type { Node } from "web-tree-sitter";
import { declare, markLines, newDecl, stringValue } from "./module-facts";
import type { Decl, ModuleFacts, ValueRef } from "./module-facts";

const DECLARATION_TYPES = new Set([
  "function_declaration", "generator_function_declaration", "function_signature", "class_declaration",
  "abstract_class_declaration", "lexical_declaration", "variable_declaration", "enum_declaration",
  "interface_declaration", "type_alias_declaration", "internal_module", "module", "ambient_declaration",
]);

/** Nodes whose name line is a declaration wherever they are (a method, a nested function). */
const NAMED_DECLARATIONS = new Set([
  "function_declaration", "generator_function_declaration", "function_signature", "class_declaration",
  "abstract_class_declaration", "method_definition", "method_signature", "abstract_method_signature",
  "interface_declaration", "type_alias_declaration", "enum_declaration", "internal_module",
]);

export function readJsModule(root: Node, facts: ModuleFacts): void {
  for (const statement of root.namedChildren) readStatement(statement, facts);
  collectUses(root, facts);
}

function readStatement(node: Node, facts: ModuleFacts): void {
  switch (node.type) {
    case "import_statement":
      readImport(node, facts);
      return;
    case "export_statement":
      readExport(node, facts);
      return;
    case "expression_statement": {
      const expr = node.namedChildren[0];
      if (expr?.type === "assignment_expression") readAssignment(expr, facts);
      return;
    }
    default:
      if (DECLARATION_TYPES.has(node.type)) declareNode(node, facts, null);
  }
}

function readImport(node: Node, facts: ModuleFacts): void {
  markLines(facts.importLines, node);
  const requireClause = node.namedChildren.find((c) => c.type === "import_require_clause");
  if (requireClause) {
    const local = requireClause.namedChildren.find((c) => c.type === "identifier");
    const specifier = stringValue(requireClause.childForFieldName("source"));
    if (local && specifier !== null) bind(facts, local.text, specifier, "=");
    return;
  }
  const specifier = stringValue(node.childForFieldName("source"));
  const clause = node.namedChildren.find((c) => c.type === "import_clause");
  if (specifier === null || !clause) return;
  for (const part of clause.namedChildren) {
    if (part.type === "identifier") bind(facts, part.text, specifier, "default");
    else if (part.type === "namespace_import") {
      const local = part.namedChildren.find((c) => c.type === "identifier");
      if (local) bind(facts, local.text, specifier, "*");
    } else if (part.type === "named_imports") {
      for (const spec of part.namedChildren) {
        if (spec.type !== "import_specifier") continue;
        const name = exportName(spec.childForFieldName("name"));
        const alias = spec.childForFieldName("alias")?.text;
        if (name) bind(facts, alias ?? name, specifier, name);
      }
    }
  }
}

function bind(facts: ModuleFacts, local: string, specifier: string, name: string): void {
  facts.imports.set(local, { local, ref: { kind: "import", specifier, name }, typeChecking: false });
}

/** An export or import specifier's name: an identifier, `default`, or a string (`export { x as "a-b" }`). */
function exportName(node: Node | null): string | null {
  if (!node) return null;
  return node.type === "string" ? stringValue(node) : node.text;
}

function readExport(node: Node, facts: ModuleFacts): void {
  const source = stringValue(node.childForFieldName("source"));
  const isDefault = node.children.some((c) => c.type === "default");
  const clause = node.namedChildren.find((c) => c.type === "export_clause");
  if (source !== null) {
    markLines(facts.importLines, node);
    const namespace = node.namedChildren.find((c) => c.type === "namespace_export");
    if (namespace) {
      const local = namespace.namedChildren.find((c) => c.type !== "string");
      if (local) facts.exports.set(exportName(local) ?? local.text, { kind: "import", specifier: source, name: "*" });
    } else if (clause) {
      for (const spec of clause.namedChildren.filter((c) => c.type === "export_specifier")) {
        const name = exportName(spec.childForFieldName("name"));
        const alias = exportName(spec.childForFieldName("alias"));
        if (name) facts.exports.set(alias ?? name, { kind: "import", specifier: source, name });
      }
    } else facts.starExports.push(source);
    return;
  }
  const declaration = node.childForFieldName("declaration");
  if (declaration) {
    declareNode(declaration, facts, isDefault ? "default" : "named");
    return;
  }
  const value = node.childForFieldName("value");
  if (value && isDefault) {
    const ref = refOf(value, facts, "");
    if (ref) facts.exports.set("default", ref);
    return;
  }
  if (clause) {
    for (const spec of clause.namedChildren.filter((c) => c.type === "export_specifier")) {
      const name = exportName(spec.childForFieldName("name"));
      const alias = exportName(spec.childForFieldName("alias"));
      if (name) facts.exports.set(alias ?? name, { kind: "local", name });
    }
  }
}

/** Declares what a declaration statement names; `exported` says under which export name, if any. */
function declareNode(node: Node, facts: ModuleFacts, exported: "default" | "named" | null): void {
  const target = node.type === "ambient_declaration" ? node.namedChildren.find((c) => DECLARATION_TYPES.has(c.type)) : node;
  if (!target) return;
  if (target.type === "lexical_declaration" || target.type === "variable_declaration") {
    for (const declarator of target.namedChildren.filter((c) => c.type === "variable_declarator")) declareVariable(declarator, target, facts, exported);
    return;
  }
  const decl = declarationOf(target, facts);
  if (!decl) {
    // `export default function () {}`: a default export with no name to show.
    if (exported === "default") facts.exports.set("default", { kind: "decl", decl: { name: "", kind: "function", line: target.startPosition.row, endLine: target.endPosition.row, alsoAt: [] } });
    return;
  }
  const declared = declare(facts.scope, decl);
  if (exported) facts.exports.set(exported === "default" ? "default" : declared.name, { kind: "local", name: declared.name });
}

/** A function, class, enum, interface, type or namespace as a Decl (its members included); null when unnamed. */
function declarationOf(node: Node, facts: ModuleFacts): Decl | null {
  const nameNode = node.childForFieldName("name");
  if (!nameNode || !/^[\w$]+$/.test(nameNode.text)) return null;
  const name = nameNode.text;
  switch (node.type) {
    case "class_declaration":
    case "abstract_class_declaration":
    case "class": {
      const decl = newDecl(name, "class", nameNode, node);
      decl.members = classStatics(node.childForFieldName("body"), facts);
      return decl;
    }
    case "enum_declaration": {
      const decl = newDecl(name, "enum", nameNode, node);
      decl.members = new Map();
      for (const m of node.childForFieldName("body")?.namedChildren ?? []) {
        const memberName = m.type === "enum_assignment" ? m.childForFieldName("name") : m.type === "property_identifier" ? m : null;
        if (memberName) decl.members.set(memberName.text, newDecl(memberName.text, "member", memberName, m));
      }
      return decl;
    }
    case "internal_module":
    case "module": {
      const decl = newDecl(name, "namespace", nameNode, node);
      const inner: ModuleFacts = { ...facts, scope: new Map(), exports: new Map() };
      for (const statement of node.childForFieldName("body")?.namedChildren ?? []) if (statement.type === "export_statement") readExport(statement, inner);
      decl.members = new Map([...inner.exports.keys()].flatMap((k) => (inner.scope.has(k) ? [[k, inner.scope.get(k)!] as const] : [])));
      return decl;
    }
    case "interface_declaration":
    case "type_alias_declaration":
      return newDecl(name, "type", nameNode, node);
    default:
      return newDecl(name, "function", nameNode, node);
  }
}

/** A class's static members: what `Class.member` reaches. */
function classStatics(body: Node | null, facts: ModuleFacts): Map<string, Decl> {
  const members = new Map<string, Decl>();
  for (const m of body?.namedChildren ?? []) {
    if (!m.children.some((c) => c.type === "static")) continue;
    const nameNode = m.childForFieldName("name") ?? m.childForFieldName("property");
    if (!nameNode || !/^[\w$]+$/.test(nameNode.text)) continue;
    members.set(nameNode.text, newDecl(nameNode.text, "member", nameNode, m));
    facts.declarationLines.add(nameNode.startPosition.row);
  }
  return members;
}

function declareVariable(declarator: Node, statement: Node, facts: ModuleFacts, exported: "default" | "named" | null): void {
  const nameNode = declarator.childForFieldName("name");
  const value = declarator.childForFieldName("value");
  if (!nameNode) return;
  const required = value ? requireOf(value) : null;
  if (required) {
    // `const x = require("m")`, `const { a, b: c } = require("m")`, `const a = require("m").a`.
    markLines(facts.importLines, statement);
    if (nameNode.type === "identifier") bind(facts, nameNode.text, required.specifier, required.member ?? "=");
    else if (nameNode.type === "object_pattern" && !required.member) {
      for (const p of nameNode.namedChildren) {
        if (p.type === "shorthand_property_identifier_pattern") bind(facts, p.text, required.specifier, p.text);
        else if (p.type === "pair_pattern") {
          const key = p.childForFieldName("key");
          const local = p.childForFieldName("value");
          if (key && local?.type === "identifier") bind(facts, local.text, required.specifier, key.text);
        }
      }
    }
    return;
  }
  if (nameNode.type === "object_pattern" || nameNode.type === "array_pattern") {
    // `const [isStream, isRequest] = names.map(kindOf)`, `const { isArray } = Array`: each name is declared here.
    for (const id of patternNames(nameNode)) {
      facts.declarationLines.add(id.startPosition.row);
      const declared = declare(facts.scope, newDecl(id.text, "variable", id, declarator));
      if (exported) facts.exports.set(declared.name, { kind: "local", name: declared.name });
    }
    return;
  }
  if (nameNode.type !== "identifier") return;
  const decl = newDecl(nameNode.text, "variable", nameNode, declarator);
  facts.declarationLines.add(nameNode.startPosition.row);
  if (value) {
    const ref = refOf(value, facts, nameNode.text);
    if (ref?.kind === "decl") {
      decl.kind = ref.decl.kind === "class" ? "class" : decl.kind;
      decl.members = ref.decl.members;
    } else if (ref) decl.value = ref;
  }
  const declared = declare(facts.scope, decl);
  if (exported) facts.exports.set(exported === "default" ? "default" : declared.name, { kind: "local", name: declared.name });
}

/** The names a destructuring pattern binds. */
function patternNames(pattern: Node): Node[] {
  const out: Node[] = [];
  for (const p of pattern.namedChildren) {
    if (p.type === "identifier" || p.type === "shorthand_property_identifier_pattern") out.push(p);
    else if (p.type === "pair_pattern") {
      const value = p.childForFieldName("value");
      if (value) out.push(...(value.type === "identifier" ? [value] : patternNames(value)));
    } else if (p.type === "assignment_pattern") {
      const left = p.childForFieldName("left");
      if (left?.type === "identifier" || left?.type === "shorthand_property_identifier_pattern") out.push(left);
    } else if (p.type === "object_pattern" || p.type === "array_pattern") out.push(...patternNames(p));
  }
  return out;
}

/** `require("m")` (member null) or `require("m").x` (member x). */
function requireOf(node: Node): { specifier: string; member: string | null } | null {
  if (node.type === "call_expression") {
    const fn = node.childForFieldName("function");
    const arg = node.childForFieldName("arguments")?.namedChildren[0];
    if (fn?.type === "identifier" && fn.text === "require" && arg) {
      const specifier = stringValue(arg);
      return specifier === null ? null : { specifier, member: null };
    }
    return null;
  }
  if (node.type === "member_expression") {
    const inner = node.childForFieldName("object");
    const property = node.childForFieldName("property");
    const base = inner ? requireOf(inner) : null;
    if (base && !base.member && property) return { specifier: base.specifier, member: property.text };
  }
  return null;
}

/** What an expression stands for, when it is worth following; undefined for anything else (a call, a literal). */
function refOf(node: Node, facts: ModuleFacts, nameHint: string): ValueRef | undefined {
  switch (node.type) {
    case "parenthesized_expression":
    case "as_expression":
    case "satisfies_expression":
    case "non_null_expression":
      // `{ … } as const`, `x satisfies T`, `x!`: the value is the expression's.
      return node.namedChildren[0] ? refOf(node.namedChildren[0], facts, nameHint) : undefined;
    case "type_assertion": {
      const inner = node.namedChildren.at(-1);
      return inner ? refOf(inner, facts, nameHint) : undefined;
    }
    case "assignment_expression": {
      const right = node.childForFieldName("right");
      return right ? refOf(right, facts, nameHint) : undefined;
    }
    case "identifier":
      return { kind: "local", name: node.text };
    case "object":
      return objectOf(node, facts);
    case "class": {
      const decl = declarationOf(node, facts) ?? (nameHint ? { ...newDecl(nameHint, "class", node, node), members: classStatics(node.childForFieldName("body"), facts) } : null);
      return decl ? { kind: "decl", decl } : undefined;
    }
    case "call_expression":
    case "member_expression": {
      const required = requireOf(node);
      if (required) return { kind: "import", specifier: required.specifier, name: required.member ?? "=" };
      if (node.type === "call_expression") {
        // `Object.freeze({ … })` is the object itself.
        const frozen = node.childForFieldName("function")?.text === "Object.freeze" ? node.childForFieldName("arguments")?.namedChildren[0] : undefined;
        return frozen ? refOf(frozen, facts, nameHint) : undefined;
      }
      const object = node.childForFieldName("object");
      const property = node.childForFieldName("property");
      const base = object ? refOf(object, facts, "") : undefined;
      return base && property ? { kind: "member", base, name: property.text } : undefined;
    }
    default:
      return undefined;
  }
}

/** An object literal's members: shorthand names, `key: value` pairs, methods and spreads. */
function objectOf(node: Node, facts: ModuleFacts): ValueRef {
  const members = new Map<string, ValueRef>();
  const spreads: ValueRef[] = [];
  for (const p of node.namedChildren) {
    if (p.type === "shorthand_property_identifier") members.set(p.text, { kind: "local", name: p.text });
    else if (p.type === "spread_element") {
      const ref = p.namedChildren[0] ? refOf(p.namedChildren[0], facts, "") : undefined;
      if (ref) spreads.push(ref);
    } else if (p.type === "pair" || p.type === "method_definition") {
      const key = p.childForFieldName(p.type === "pair" ? "key" : "name");
      const name = key?.type === "string" ? stringValue(key) : key?.type === "property_identifier" || key?.type === "identifier" ? key.text : null;
      if (!key || !name || !/^[\w$]+$/.test(name)) continue;
      const value = p.type === "pair" ? p.childForFieldName("value") : null;
      const ref = value ? refOf(value, facts, name) : undefined;
      members.set(name, ref && ref.kind !== "object" ? ref : { kind: "decl", decl: { ...newDecl(name, "member", key, p), ...(ref ? { value: ref } : {}) } });
    }
  }
  return { kind: "object", members, spreads };
}

/** `module.exports = …`, `exports.x = …`, `module.exports.x = …`, `Class.member = …`. */
function readAssignment(node: Node, facts: ModuleFacts): void {
  const left = node.childForFieldName("left");
  const right = node.childForFieldName("right");
  if (!left || !right) return;
  const chain = memberChain(left);
  if (!chain) return;
  const property = left.childForFieldName("property");
  const ref = refOf(right, facts, chain.at(-1)!);
  if (chain.length === 2 && chain[0] === "module" && chain[1] === "exports") {
    facts.exports.set("=", ref ?? { kind: "decl", decl: { name: "", kind: "variable", line: left.startPosition.row, endLine: node.endPosition.row, alsoAt: [] } });
    return;
  }
  if (!property) return;
  const name = chain.at(-1)!;
  const isExport = (chain.length === 2 && chain[0] === "exports") || (chain.length === 3 && chain[0] === "module" && chain[1] === "exports");
  const decl = newDecl(name, ref?.kind === "decl" ? ref.decl.kind : "member", property, node);
  if (ref?.kind === "decl") decl.members = ref.decl.members;
  else if (ref) decl.value = ref;
  if (isExport) {
    facts.declarationLines.add(property.startPosition.row);
    facts.exports.set(name, ref && ref.kind !== "object" && ref.kind !== "decl" ? ref : { kind: "decl", decl });
    return;
  }
  const owner = chain.length === 2 ? facts.scope.get(chain[0]) : undefined;
  if (owner && name !== "prototype") {
    (owner.members ??= new Map()).set(name, decl);
    facts.declarationLines.add(property.startPosition.row);
  }
}

/** `a.b.c` as ["a", "b", "c"] when every part is a plain name; null otherwise. */
function memberChain(node: Node): string[] | null {
  const parts: string[] = [];
  let current: Node | null = node;
  while (current?.type === "member_expression") {
    const property = current.childForFieldName("property");
    if (property?.type !== "property_identifier") return null;
    parts.unshift(property.text);
    current = current.childForFieldName("object");
  }
  if (current?.type !== "identifier") return null;
  parts.unshift(current.text);
  return parts;
}

/** `a.b.T` of a qualified type as ["a", "b", "T"]. */
function typeChain(node: Node): string[] | null {
  if (node.type === "identifier" || node.type === "type_identifier") return [node.text];
  if (node.type !== "nested_type_identifier" && node.type !== "nested_identifier") return null;
  const head = node.childForFieldName("module") ?? node.namedChildren[0];
  const tail = node.childForFieldName("name") ?? node.namedChildren.at(-1);
  const base = head ? typeChain(head) : null;
  return base && tail ? [...base, tail.text] : null;
}

/** Every place that names something, and every line that declares something. */
function collectUses(root: Node, facts: ModuleFacts): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === "import_statement" || (node.type === "export_statement" && node.childForFieldName("source"))) continue;
    if (NAMED_DECLARATIONS.has(node.type)) {
      const nameNode = node.childForFieldName("name");
      if (nameNode) facts.declarationLines.add(nameNode.startPosition.row);
    }
    const parent = node.parent;
    const single = node.startPosition.row === node.endPosition.row;
    if (node.type === "member_expression") {
      const outer = parent?.type === "member_expression" && parent.childForFieldName("object")?.id === node.id;
      const chain = outer ? null : memberChain(node);
      if (chain && single) facts.uses.push({ line: node.startPosition.row, column: node.startPosition.column, chain });
    } else if (node.type === "identifier" || node.type === "shorthand_property_identifier" || node.type === "type_identifier") {
      const inChain = parent?.type === "member_expression" || parent?.type === "nested_type_identifier" || parent?.type === "nested_identifier";
      if (!inChain) facts.uses.push({ line: node.startPosition.row, column: node.startPosition.column, chain: [node.text] });
    } else if (node.type === "nested_type_identifier") {
      const chain = typeChain(node);
      if (chain && single) facts.uses.push({ line: node.startPosition.row, column: node.startPosition.column, chain });
      continue;
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
}
