// The languages' query files (grammars/<grammar>/*.scm) against the registry (GRAMMARS) and their grammars.
import { strict as assert } from "node:assert";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Language } from "web-tree-sitter";
import { compileQuery, loadLanguageQueries } from "../../../src/context/language-queries";
import type { LanguageQueries } from "../../../src/context/language-queries";
import { GRAMMARS, grammarFor, isIndexableLanguage, languageIdForPath } from "../../../src/context/languages";

/** The repository root, from out/test/unit/grammars/. */
const grammarsDir = join(__dirname, "..", "..", "..", "..", "grammars");

async function loadLanguage(wasm: string): Promise<Language> {
  const { Language, Parser } = await import("web-tree-sitter");
  await Parser.init({ locateFile: (file: string) => join(grammarsDir, file) });
  return Language.load(join(grammarsDir, wasm));
}

describe("grammars: every language's query files", () => {
  it("has a folder for each grammar of the registry, and a registry line for each folder", () => {
    const folders = readdirSync(grammarsDir).filter((name) => statSync(join(grammarsDir, name)).isDirectory());
    assert.deepEqual(folders.sort(), GRAMMARS.map((g) => g.grammar).sort());
  });

  it("holds exactly the query files each grammar's registry line lists", () => {
    for (const entry of GRAMMARS) {
      const files = readdirSync(join(grammarsDir, entry.grammar)).sort();
      assert.deepEqual(files, entry.queries.map((kind) => `${kind}.scm`).sort(), `grammars/${entry.grammar}/`);
    }
  });

  it("gives each language id and each file extension to one grammar", () => {
    const ids = GRAMMARS.flatMap((g) => Object.keys(g.languages));
    const extensions = GRAMMARS.flatMap((g) => Object.values(g.languages).flat());
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
    assert.deepEqual(extensions.filter((ext, i) => extensions.indexOf(ext) !== i), []);
    for (const g of GRAMMARS) for (const [id, exts] of Object.entries(g.languages)) for (const ext of exts) assert.equal(grammarFor(languageIdForPath(`a${ext}`) ?? "")?.grammar, g.grammar, `${ext} (${id})`);
  });

  it("indexes exactly the languages that have definitions", () => {
    assert.equal(isIndexableLanguage("typescript"), true);
    assert.equal(isIndexableLanguage("shellscript"), true);
    assert.equal(isIndexableLanguage("json"), false);
    assert.equal(isIndexableLanguage("plaintext"), false);
  });

  for (const entry of GRAMMARS) {
    describe(`${entry.grammar}`, () => {
      let language: Language;
      let queries: LanguageQueries;
      before(async () => {
        [language, queries] = await Promise.all([loadLanguage(entry.wasm), loadLanguageQueries(grammarsDir, entry)]);
      });

      for (const kind of entry.queries) {
        it(`compiles ${kind}.scm against ${entry.wasm}`, async () => {
          const { Query } = await import("web-tree-sitter");
          const source = queries.sources.get(kind);
          assert.ok(source, `${kind}.scm was not read`);
          const query = compileQuery(Query, language, source);
          try {
            assert.ok(query.patternCount() > 0, `${kind}.scm has no patterns`);
            if (kind === "definitions") assert.ok(query.captureNames.includes("name") && query.captureNames.some((c) => c.startsWith("definition.")), "captures @name and @definition.<kind>");
          } finally {
            query.delete();
          }
        });
      }

      it("names node types for every list its query files hold", () => {
        const { spec } = queries;
        const expected: [boolean, ReadonlySet<string>, string][] = [
          [entry.queries.includes("scopes"), spec.scopeTypes, "scopes.scm @scope"],
          [entry.queries.includes("scopes"), spec.functionTypes, "scopes.scm @function"],
          [entry.queries.includes("imports"), spec.importTypes, "imports.scm @import"],
          [entry.queries.includes("blocks"), spec.blockTypes, "blocks.scm @block"],
          [entry.queries.includes("blocks") && entry.queries.includes("definitions"), spec.containerTypes, "blocks.scm @container"],
          [entry.queries.includes("lexical"), spec.commentTypes, "lexical.scm @comment"],
          [entry.queries.includes("lexical"), spec.stringTypes, "lexical.scm @string"],
        ];
        for (const [has, types, what] of expected) assert.equal(types.size > 0, has, what);
        for (const t of spec.anonymousScopeTypes) assert.ok(spec.scopeTypes.has(t), `@scope.anonymous ${t} is also a @scope`);
      });
    });
  }
});
