import { posix } from "node:path";

export type TestFrameworkId = "vitest" | "jest" | "mocha" | "pytest" | "go-test" | "cargo-test" | "junit4" | "junit5";

export interface TestFramework {
  id: TestFrameworkId;
  /** How the prompt names it: "vitest", "JUnit 5" … */
  name: string;
  /** Where it was seen, for the prompt and the log: "package.json devDependencies" … */
  evidence: string;
}

/** The project as the detector sees it: workspace-relative paths (posix separators) and a reader for a few of them. */
export interface ProjectFiles {
  /** Files of the project (a bounded listing is enough: manifests, config files and the test folders matter). */
  paths: readonly string[];
  /** A file's text; null when it is missing or larger than a manifest is (project-path.ts MAX_PROJECT_FILE_BYTES). */
  read(path: string): Promise<string | null>;
}

const JS_LANGUAGES = new Set(["typescript", "typescriptreact", "javascript", "javascriptreact"]);

/** The test framework of the project for a language, from its manifests and config files; null when none is seen. */
export async function detectTestFramework(project: ProjectFiles, languageId: string): Promise<TestFramework | null> {
  const has = (re: RegExp) => project.paths.some((p) => re.test(p));
  if (JS_LANGUAGES.has(languageId)) {
    const pkg = await readJson(project, "package.json");
    const deps = { ...(pkg?.devDependencies ?? {}), ...(pkg?.dependencies ?? {}) } as Record<string, unknown>;
    const script = typeof pkg?.scripts?.test === "string" ? pkg.scripts.test : "";
    if ("vitest" in deps) return { id: "vitest", name: "vitest", evidence: "package.json dependencies" };
    if ("jest" in deps || "ts-jest" in deps) return { id: "jest", name: "jest", evidence: "package.json dependencies" };
    if ("mocha" in deps) return { id: "mocha", name: "mocha (with node:assert)", evidence: "package.json dependencies" };
    if (has(/(^|\/)vitest\.config\.[cm]?[jt]s$/) || /\bvitest\b/.test(script)) return { id: "vitest", name: "vitest", evidence: "vitest config" };
    if (has(/(^|\/)jest\.config\.[cm]?[jt]s(on)?$/) || /\bjest\b/.test(script)) return { id: "jest", name: "jest", evidence: "jest config" };
    if (has(/(^|\/)\.mocharc(\.[a-z]+)?$/) || /\bmocha\b/.test(script)) return { id: "mocha", name: "mocha (with node:assert)", evidence: ".mocharc" };
    return null;
  }
  if (languageId === "python") {
    if (has(/(^|\/)(conftest\.py|pytest\.ini)$/)) return { id: "pytest", name: "pytest", evidence: "conftest.py / pytest.ini" };
    for (const file of ["pyproject.toml", "setup.cfg", "tox.ini", "requirements-dev.txt", "requirements.txt"]) {
      const text = await project.read(file);
      if (text && /\bpytest\b/.test(text)) return { id: "pytest", name: "pytest", evidence: file };
    }
    return has(/(^|\/)test_[^/]+\.py$|_test\.py$/) ? { id: "pytest", name: "pytest", evidence: "test_*.py files" } : null;
  }
  if (languageId === "go") return has(/(^|\/)go\.mod$/) || has(/_test\.go$/) ? { id: "go-test", name: "go test (package testing)", evidence: "go.mod" } : null;
  if (languageId === "rust") return has(/(^|\/)Cargo\.toml$/) ? { id: "cargo-test", name: "cargo test (#[cfg(test)] mod tests)", evidence: "Cargo.toml" } : null;
  if (languageId === "java" || languageId === "kotlin") {
    for (const file of ["pom.xml", "build.gradle", "build.gradle.kts"]) {
      const text = await project.read(file);
      if (!text) continue;
      if (/junit-jupiter|org\.junit\.jupiter|junit5/i.test(text)) return { id: "junit5", name: "JUnit 5", evidence: file };
      if (/\bjunit\b/i.test(text)) return { id: "junit4", name: "JUnit 4", evidence: file };
    }
    return null;
  }
  return null;
}

/**
 * Where the tests of a source file go, following the project's layout: a `test/` or `tests/` tree that mirrors the
 * sources, `__tests__` folders, or next to the source (JS/TS); `tests/test_x.py` or `test_x.py` (Python); `x_test.go`
 * (Go); the file itself (Rust unit tests); `src/test/java/…/XTest.java` (JUnit).
 */
export function testFileFor(sourcePath: string, framework: TestFramework | null, paths: readonly string[]): string {
  const dir = posix.dirname(sourcePath);
  const ext = posix.extname(sourcePath);
  const name = posix.basename(sourcePath, ext);
  const join = (...parts: string[]) => posix.normalize(posix.join(...parts));
  switch (framework?.id) {
    case "go-test":
      return join(dir, `${name}_test.go`);
    case "cargo-test":
      return sourcePath;
    case "junit4":
    case "junit5":
      return sourcePath.includes("src/main/") ? join(posix.dirname(sourcePath.replace("src/main/", "src/test/")), `${name}Test${ext}`) : join(dir, `${name}Test${ext}`);
    case "pytest": {
      const testsDir = ["tests", "test"].find((d) => paths.some((p) => p.startsWith(`${d}/`)));
      return testsDir ? join(testsDir, `test_${name}.py`) : join(dir, `test_${name}.py`);
    }
    default: {
      const style = paths.find((p) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(p));
      const suffix = style && /\.spec\./.test(style) ? "spec" : "test";
      const file = `${name}.${suffix}${ext}`;
      if (paths.some((p) => p.includes("/__tests__/") || p.startsWith("__tests__/"))) return join(dir, "__tests__", file);
      const tree = ["test", "tests"].find((d) => paths.some((p) => p.startsWith(`${d}/`) && /\.(test|spec)\./.test(p)));
      if (tree) {
        // test/unit/… when the project has it, mirroring the source folder below src/.
        const unit = paths.some((p) => p.startsWith(`${tree}/unit/`)) ? `${tree}/unit` : tree;
        return join(unit, dir.replace(/^src(\/|$)/, ""), file);
      }
      return join(dir, file);
    }
  }
}

async function readJson(project: ProjectFiles, path: string): Promise<{ dependencies?: object; devDependencies?: object; scripts?: { test?: unknown } } | null> {
  const text = await project.read(path);
  if (!text) return null;
  try {
    return JSON.parse(text) as { dependencies?: object; devDependencies?: object; scripts?: { test?: unknown } };
  } catch {
    return null;
  }
}
