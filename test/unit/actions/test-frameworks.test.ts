import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { detectTestFramework, testFileFor, type ProjectFiles } from "../../../src/actions/test-frameworks";
import { repoRoot } from "../../harness/paths";

const projects = join(repoRoot, "test", "fixtures", "projects");

function project(name: string): ProjectFiles {
  const root = join(projects, name);
  const paths: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else paths.push(relative(root, p).split(sep).join("/"));
    }
  };
  walk(root);
  return {
    paths,
    read: (path) => {
      try {
        return Promise.resolve(readFileSync(join(root, path), "utf8"));
      } catch {
        return Promise.resolve(null);
      }
    },
  };
}

describe("test framework detection on fixture projects", () => {
  const cases: [string, string, string, string, string][] = [
    // folder, language, source file, framework, where its tests go
    ["mocha", "typescript", "src/util.ts", "mocha", "test/unit/util.test.ts"],
    ["jest", "javascript", "src/util.js", "jest", "src/__tests__/util.test.js"],
    ["vitest", "typescript", "src/util.ts", "vitest", "src/util.spec.ts"],
    ["pytest", "python", "app/util.py", "pytest", "tests/test_util.py"],
    ["go", "go", "util.go", "go-test", "util_test.go"],
    ["cargo", "rust", "src/lib.rs", "cargo-test", "src/lib.rs"],
    ["junit", "java", "src/main/java/com/acme/Util.java", "junit5", "src/test/java/com/acme/UtilTest.java"],
  ];
  for (const [folder, languageId, source, framework, testPath] of cases) {
    it(`${folder}: ${framework}, tests in ${testPath}`, async () => {
      const files = project(folder);
      const found = await detectTestFramework(files, languageId);
      assert.equal(found?.id, framework);
      assert.equal(testFileFor(source, found, files.paths), testPath);
    });
  }

  it("finds nothing for a language the project has no tests for", async () => {
    assert.equal(await detectTestFramework(project("go"), "typescript"), null);
    assert.equal(await detectTestFramework(project("mocha"), "java"), null);
  });

  it("puts tests next to the source when the project has no test folder yet", () => {
    assert.equal(testFileFor("lib/a.ts", null, ["lib/a.ts", "package.json"]), "lib/a.test.ts");
    assert.equal(testFileFor("a.py", { id: "pytest", name: "pytest", evidence: "" }, ["a.py"]), "test_a.py");
  });
});
