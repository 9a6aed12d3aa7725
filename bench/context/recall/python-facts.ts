// Python modules as the recall bench sees them: `import a.b`, `from .m import x`, imports under `if TYPE_CHECKING:`,
// top-level definitions (also inside top-level `if`/`try` blocks) and the members of classes.
import type { Node } from "web-tree-sitter";
import { declare, markLines, newDecl } from "./module-facts";
import type { Decl, ModuleFacts } from "./module-facts";

/** Blocks of the top level whose definitions are still the module's: `if`, `try`/`except`, `with`. */
const NESTING = new Set(["if_statement", "elif_clause", "else_clause", "try_statement", "except_clause", "finally_clause", "with_statement", "block"]);

export function readPythonModule(root: Node, facts: ModuleFacts): void {
  readBlock(root, facts, false);
  collectUses(root, facts);
}

function readBlock(block: Node, facts: ModuleFacts, typeChecking: boolean): void {
  for (const node of block.namedChildren) {
    switch (node.type) {
      case "import_statement":
      case "import_from_statement":
        readImport(node, facts, typeChecking);
        break;
      case "function_definition":
      case "class_definition":
      case "decorated_definition": {
        const decl = definitionOf(node, facts);
        if (decl) declare(facts.scope, decl);
        break;
      }
      case "expression_statement":
        for (const decl of assignmentsOf(node, facts)) declare(facts.scope, decl);
        break;
      case "if_statement": {
        const guarded = typeChecking || isTypeCheckingTest(node.childForFieldName("condition"));
        const consequence = node.childForFieldName("consequence");
        if (consequence) readBlock(consequence, facts, guarded);
        for (const alternative of node.childrenForFieldName("alternative")) readBlock(alternative, facts, typeChecking);
        break;
      }
      default:
        if (NESTING.has(node.type)) readBlock(node, facts, typeChecking);
    }
  }
}

function isTypeCheckingTest(condition: Node | null): boolean {
  return condition !== null && /^(typing\.)?TYPE_CHECKING$/.test(condition.text);
}

function readImport(node: Node, facts: ModuleFacts, typeChecking: boolean): void {
  markLines(facts.importLines, node);
  if (node.type === "import_statement") {
    for (const name of node.childrenForFieldName("name")) {
      if (name.type === "aliased_import") {
        const module = name.childForFieldName("name")?.text;
        const alias = name.childForFieldName("alias")?.text;
        if (module && alias) facts.imports.set(alias, { local: alias, ref: { kind: "import", specifier: module, name: "*" }, typeChecking });
      } else {
        // `import a.b.c` binds `a`; `a.b.c.x` walks down from the package.
        const head = name.text.split(".")[0];
        facts.imports.set(head, { local: head, ref: { kind: "import", specifier: head, name: "*" }, typeChecking });
      }
    }
    return;
  }
  const module = node.childForFieldName("module_name")?.text;
  if (!module || module === "__future__") return;
  if (node.namedChildren.some((c) => c.type === "wildcard_import")) {
    facts.starExports.push(module);
    return;
  }
  for (const name of node.childrenForFieldName("name")) {
    const imported = name.type === "aliased_import" ? name.childForFieldName("name")?.text : name.text;
    const local = name.type === "aliased_import" ? name.childForFieldName("alias")?.text : name.text;
    if (imported && local && !imported.includes(".")) facts.imports.set(local, { local, ref: { kind: "import", specifier: module, name: imported }, typeChecking });
  }
}

function definitionOf(node: Node, facts: ModuleFacts): Decl | null {
  const definition = node.type === "decorated_definition" ? node.childForFieldName("definition") : node;
  const nameNode = definition?.childForFieldName("name");
  if (!definition || !nameNode) return null;
  facts.declarationLines.add(nameNode.startPosition.row);
  if (definition.type !== "class_definition") return newDecl(nameNode.text, "function", nameNode, node);
  const decl = newDecl(nameNode.text, "class", nameNode, node);
  decl.members = new Map();
  for (const member of definition.childForFieldName("body")?.namedChildren ?? []) {
    if (member.type === "expression_statement") for (const m of assignmentsOf(member, facts)) declare(decl.members, { ...m, kind: "member" });
    else if (member.type === "function_definition" || member.type === "decorated_definition" || member.type === "class_definition") {
      const m = definitionOf(member, facts);
      if (m) declare(decl.members, m.kind === "class" ? m : { ...m, kind: "member" });
    }
  }
  return decl;
}

/** `x = …`, `x: T = …`, `a, b = …`: the names it binds (an alias `x = y` keeps what it refers to). */
function assignmentsOf(statement: Node, facts: ModuleFacts): Decl[] {
  const assignment = statement.namedChildren[0];
  if (assignment?.type !== "assignment") return [];
  const left = assignment.childForFieldName("left");
  const right = assignment.childForFieldName("right");
  if (!left) return [];
  const names = left.type === "identifier" ? [left] : left.type === "pattern_list" || left.type === "tuple_pattern" ? left.namedChildren.filter((c) => c.type === "identifier") : [];
  if (left.type === "identifier" && left.text === "__all__") {
    if (right?.type === "list" || right?.type === "tuple" || right?.type === "expression_list") facts.all = new Set(right.namedChildren.filter((c) => c.type === "string").map((c) => c.text.replace(/^[rbuRBU]*(['"]{1,3})([\s\S]*)\1$/, "$2")));
    return [];
  }
  return names
    .map((n) => {
      facts.declarationLines.add(n.startPosition.row);
      const decl = newDecl(n.text, "variable", n, statement);
      if (left.type === "identifier" && right && (right.type === "identifier" || right.type === "attribute")) {
        const chain = attributeChain(right);
        if (chain) decl.value = chain.slice(1).reduce<Decl["value"]>((base, name) => ({ kind: "member", base: base!, name }), { kind: "local", name: chain[0] });
      }
      return decl;
    });
}

/** `a.b.c` as ["a", "b", "c"]; null unless every part is a plain name. */
function attributeChain(node: Node): string[] | null {
  const parts: string[] = [];
  let current: Node | null = node;
  while (current?.type === "attribute") {
    const attribute = current.childForFieldName("attribute");
    if (!attribute) return null;
    parts.unshift(attribute.text);
    current = current.childForFieldName("object");
  }
  if (current?.type !== "identifier") return null;
  parts.unshift(current.text);
  return parts;
}

function collectUses(root: Node, facts: ModuleFacts): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === "import_statement" || node.type === "import_from_statement") continue;
    if (node.type === "function_definition" || node.type === "class_definition") {
      const nameNode = node.childForFieldName("name");
      if (nameNode) facts.declarationLines.add(nameNode.startPosition.row);
    }
    const parent = node.parent;
    if (node.type === "attribute") {
      const outer = parent?.type === "attribute" && parent.childForFieldName("object")?.id === node.id;
      const chain = outer ? null : attributeChain(node);
      if (chain && node.startPosition.row === node.endPosition.row) facts.uses.push({ line: node.startPosition.row, column: node.startPosition.column, chain });
    } else if (node.type === "identifier" && parent?.type !== "attribute" && parent?.type !== "keyword_argument") {
      facts.uses.push({ line: node.startPosition.row, column: node.startPosition.column, chain: [node.text] });
    } else if (node.type === "identifier" && parent?.type === "keyword_argument" && parent.childForFieldName("value")?.id === node.id) {
      facts.uses.push({ line: node.startPosition.row, column: node.startPosition.column, chain: [node.text] });
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
}
