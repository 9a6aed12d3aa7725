import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../../src/common/logger";
import { silentLogger } from "../../../src/common/logger";
import { QueryFileError, compileQuery, loadLanguageQueries, readQuerySource } from "../../../src/context/language-queries";
import type { GrammarEntry } from "../../../src/context/languages";
import { grammarFor } from "../../../src/context/languages";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";

/** The repository's grammars/, from out/test/unit/context/. */
const repoGrammars = join(__dirname, "..", "..", "..", "..", "grammars");
const entry = (grammar: string, queries: GrammarEntry["queries"]): GrammarEntry => ({ grammar, package: "tree-sitter-javascript", wasm: "tree-sitter-javascript.wasm", languages: {}, queries });

describe("language queries: reading grammars/<grammar>/*.scm", () => {
  let dir: string;
  const write = (path: string, text: string): void => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-grammars-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the node types each capture of a node list names", async () => {
    write("lang/scopes.scm", "; scopes\n[\n  (function_declaration) ; a comment\n  (class)\n] @scope\n(arrow_function) @scope @scope.anonymous\n(variable_declarator) @declaration.binding\n");
    const { spec } = await loadLanguageQueries(dir, entry("lang", ["scopes"]));
    assert.deepEqual([...spec.scopeTypes], ["function_declaration", "class", "arrow_function"]);
    assert.deepEqual([...spec.anonymousScopeTypes], ["arrow_function"]);
    assert.deepEqual([...spec.bindingTypes], ["variable_declarator"]);
    assert.equal(spec.blockTypes.size, 0);
  });

  it("reads an inherited file before the file that inherits it", async () => {
    write("base/blocks.scm", "(statement_block) @block\n");
    write("child/blocks.scm", "; inherits: base\n(object_type) @block\n");
    const { spec, sources } = await loadLanguageQueries(dir, entry("child", ["blocks"]));
    assert.deepEqual([...spec.blockTypes], ["statement_block", "object_type"]);
    assert.match(sources.get("blocks")?.text ?? "", /^\(statement_block\) @block\n[\s\S]*; inherits: base\n\(object_type\) @block\n$/);
  });

  it("refuses a pattern that is not a node list, naming the file, line and column", async () => {
    write("lang/blocks.scm", "(statement_block) @block\n\n  (pair key: (property_identifier)) @block\n");
    await assert.rejects(loadLanguageQueries(dir, entry("lang", ["blocks"])), (e: Error) => e instanceof QueryFileError && e.message.startsWith(`${join(dir, "lang", "blocks.scm")}:3:9: expected ")" after pair`));
  });

  it("refuses a capture the file's kind does not know", async () => {
    write("lang/lexical.scm", "(comment) @comment\n(string) @strings\n");
    await assert.rejects(loadLanguageQueries(dir, entry("lang", ["lexical"])), /lexical\.scm:2:10: @strings means nothing in lexical\.scm \(it knows @comment, @string\)/);
  });

  it("refuses files that inherit each other", async () => {
    write("a/scopes.scm", "; inherits: b\n");
    write("b/scopes.scm", "; inherits: a\n");
    await assert.rejects(readQuerySource(dir, "a", "scopes"), /a[\\/]scopes\.scm: inherits itself \(a → b → a\)/);
  });

  it("names a query file the registry lists but the folder lacks, and the file that inherits it", async () => {
    await assert.rejects(loadLanguageQueries(dir, entry("lang", ["imports"])), /lang[\\/]imports\.scm: missing$/);
    write("child/imports.scm", "; inherits: gone\n");
    await assert.rejects(readQuerySource(dir, "child", "imports"), /gone[\\/]imports\.scm: missing \(inherited by child\/imports\.scm\)/);
  });

  it("says in which file, line and column a query stops compiling, also in an inherited file", async () => {
    write("base/definitions.scm", "(function_declaration name: (identifier) @name) @definition.function\n");
    write("child/definitions.scm", "; inherits: base\n\n(class_declaration name: (no_such_node) @name) @definition.class\n");
    const source = await readQuerySource(dir, "child", "definitions");
    const { Language, Parser, Query } = await import("web-tree-sitter");
    await Parser.init({ locateFile: (file: string) => join(repoGrammars, file) });
    const language = await Language.load(join(repoGrammars, "tree-sitter-javascript.wasm"));
    assert.throws(() => compileQuery(Query, language, source), (e: Error) => e instanceof QueryFileError && e.message === `${join(dir, "child", "definitions.scm")}:3:27: Bad node name 'no_such_node'`);
    const inherited = await readQuerySource(dir, "base", "definitions");
    compileQuery(Query, language, inherited).delete();
  });

  it("leaves a language whose query file is broken without syntax, and logs which file", async () => {
    for (const wasm of ["web-tree-sitter.wasm", "tree-sitter-javascript.wasm"]) copyFileSync(join(repoGrammars, wasm), join(dir, wasm));
    write("javascript/definitions.scm", "(function_declaration) @definition.function\n");
    write("javascript/scopes.scm", "(function_declaration) @scope\n");
    write("javascript/imports.scm", "(import_statement) @import\n");
    write("javascript/blocks.scm", "(statement_block) @block\n");
    write("javascript/lexical.scm", "(comment) @comment\n(string) @text\n");
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const runtime = new SyntaxRuntime(dir, logger);
    try {
      assert.equal(await runtime.load("javascript"), null);
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0].includes(`${join(dir, "javascript", "lexical.scm")}:2:10: @text means nothing`), warnings[0]);
    } finally {
      runtime.dispose();
    }
  });

  it("loads the repository's javascript queries once per runtime, and the same grammar for javascriptreact", async () => {
    const runtime = new SyntaxRuntime(repoGrammars, silentLogger);
    try {
      const grammar = await runtime.load("javascript");
      assert.ok(grammar);
      assert.equal(await runtime.load("javascriptreact"), grammar);
      assert.equal(grammarFor("javascriptreact")?.grammar, "javascript");
      assert.ok(grammar.spec.scopeTypes.has("arrow_function"));
      const query = runtime.getDefinitionQuery(grammar);
      assert.ok(query);
      assert.equal(runtime.getDefinitionQuery(grammar), query);
    } finally {
      runtime.dispose();
    }
  });
});
