// What the definition-recall bench knows of one source file: its declarations, its imports, its exports and the
// places that use a name. Read with tree-sitter by the bench itself (not with the product's queries), so that which
// lines are sampled and where their definitions are does not depend on the code under test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Language, Parser } from "web-tree-sitter";
import type { Node } from "web-tree-sitter";
import { readJsModule } from "./js-facts";
import { readPythonModule } from "./python-facts";

/** What a name or an expression stands for in its module, before it is followed into other modules. */
export type ValueRef =
  | { kind: "local"; name: string }
  /**
   * A binding to another module. JavaScript: `name` is an export, `default`, `*` (the namespace) or `=` (CommonJS
   * `module.exports`). Python: an attribute of the module (or a submodule), `*` for the module itself.
   */
  | { kind: "import"; specifier: string; name: string }
  | { kind: "member"; base: ValueRef; name: string }
  | { kind: "decl"; decl: Decl }
  | { kind: "object"; members: Map<string, ValueRef>; spreads: ValueRef[] };

export type DeclKind = "class" | "function" | "variable" | "enum" | "namespace" | "type" | "member";

/** A declaration: where its name is, and what can be reached through it. */
export interface Decl {
  name: string;
  kind: DeclKind;
  /** 0-based line of the name. */
  line: number;
  /** 0-based last line of the whole declaration (a class's closing brace). */
  endLine: number;
  /** Other lines declaring the same name in the same scope: overloads, `try`/`except` alternatives, merged types. */
  alsoAt: number[];
  /** A class's static members (every member in Python), an enum's members, a namespace's exports. */
  members?: Map<string, Decl>;
  /** What a variable is set to, when a member can be reached through it (an object of functions, an alias). */
  value?: ValueRef;
}

export interface ImportBinding {
  local: string;
  ref: Extract<ValueRef, { kind: "import" }>;
  /** Under `if TYPE_CHECKING:` (Python): an import only type checkers run. */
  typeChecking: boolean;
}

/** A place that names something: `name`, or a chain `base.member.member` (a member access, a qualified type). */
export interface Use {
  line: number;
  column: number;
  chain: string[];
}

export type FactsLanguage = "javascript" | "typescript" | "tsx" | "python";

export interface ModuleFacts {
  path: string;
  language: FactsLanguage;
  /** Declarations of the module's top level. */
  scope: Map<string, Decl>;
  imports: Map<string, ImportBinding>;
  /** JavaScript only: export name (`default`, `=` for `module.exports`) to what it is. */
  exports: Map<string, ValueRef>;
  /** `export * from "x"` (JavaScript), `from x import *` (Python). */
  starExports: string[];
  /** Python: the names `__all__` lists (what `from m import *` takes), when it is a literal list. */
  all?: Set<string>;
  /** Lines of import and re-export statements: a sample never removes one. */
  importLines: Set<number>;
  /** Lines that declare something (a function's, class's, method's name; a top-level variable): never sampled. */
  declarationLines: Set<number>;
  uses: Use[];
}

export function factsLanguageForPath(path: string): FactsLanguage | null {
  if (/\.tsx$/.test(path)) return "tsx";
  if (/\.(m|c)?ts$/.test(path)) return "typescript";
  if (/\.(m|c)?jsx?$/.test(path)) return "javascript";
  if (/\.pyi?$/.test(path)) return "python";
  return null;
}

const GRAMMARS: Record<FactsLanguage, string> = {
  javascript: "tree-sitter-javascript/tree-sitter-javascript.wasm",
  typescript: "tree-sitter-typescript/tree-sitter-typescript.wasm",
  tsx: "tree-sitter-typescript/tree-sitter-tsx.wasm",
  python: "tree-sitter-python/tree-sitter-python.wasm",
};

/** Reads files into ModuleFacts; the grammars come from the grammar packages themselves. */
export class ModuleReader {
  private constructor(private readonly parsers: Map<FactsLanguage, Parser>) {}

  static async create(nodeModules: string): Promise<ModuleReader> {
    await Parser.init({ locateFile: (file: string) => join(nodeModules, "web-tree-sitter", file) });
    const parsers = new Map<FactsLanguage, Parser>();
    for (const [language, wasm] of Object.entries(GRAMMARS) as [FactsLanguage, string][]) {
      const parser = new Parser();
      parser.setLanguage(await Language.load(join(nodeModules, wasm)));
      parsers.set(language, parser);
    }
    return new ModuleReader(parsers);
  }

  /** The file's facts; null when it cannot be read or is not a language the bench reads. */
  readFile(path: string): ModuleFacts | null {
    const language = factsLanguageForPath(path);
    if (!language) return null;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return null;
    }
    return this.readText(path, text, language);
  }

  readText(path: string, text: string, language: FactsLanguage): ModuleFacts {
    const tree = this.parsers.get(language)!.parse(text);
    if (!tree) throw new Error(`tree-sitter gave no tree for ${path}`);
    try {
      const facts = emptyFacts(path, language);
      if (language === "python") readPythonModule(tree.rootNode, facts);
      else readJsModule(tree.rootNode, facts);
      return facts;
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    for (const parser of this.parsers.values()) parser.delete();
    this.parsers.clear();
  }
}

function emptyFacts(path: string, language: FactsLanguage): ModuleFacts {
  return { path, language, scope: new Map(), imports: new Map(), exports: new Map(), starExports: [], importLines: new Set(), declarationLines: new Set(), uses: [] };
}

/** Adds a declaration to a scope; a second one of the same name is kept as another place of the first. */
export function declare(scope: Map<string, Decl>, decl: Decl): Decl {
  const existing = scope.get(decl.name);
  if (!existing) {
    scope.set(decl.name, decl);
    return decl;
  }
  if (existing.line !== decl.line && !existing.alsoAt.includes(decl.line)) existing.alsoAt.push(decl.line);
  if (decl.members) for (const [k, v] of decl.members) (existing.members ??= new Map()).set(k, v);
  existing.value ??= decl.value;
  if (existing.kind === "variable" && decl.kind !== "variable") existing.kind = decl.kind;
  return existing;
}

export function newDecl(name: string, kind: DeclKind, nameNode: Node, whole: Node): Decl {
  return { name, kind, line: nameNode.startPosition.row, endLine: whole.endPosition.row, alsoAt: [] };
}

/** Marks every line of a node. */
export function markLines(lines: Set<number>, node: Node): void {
  for (let l = node.startPosition.row; l <= node.endPosition.row; l++) lines.add(l);
}

/** The text of a string literal node, without its quotes; null for a template with substitutions. */
export function stringValue(node: Node | null): string | null {
  if (!node) return null;
  if (node.type !== "string" && node.type !== "template_string") return null;
  if (node.namedChildren.some((c) => c?.type === "template_substitution")) return null;
  const fragments = node.namedChildren.filter((c) => c?.type === "string_fragment" || c?.type === "string_content");
  return fragments.map((c) => c!.text).join("");
}
