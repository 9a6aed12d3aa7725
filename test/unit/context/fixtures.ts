import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../../src/common/logger";
import { InThreadSymbolIndex, type SymbolIndex } from "../../../src/context/index/symbol-index";
import type { DefinitionQuery } from "../../../src/context/symbol-types";

/** The repository root, from out/test/unit/context/. */
export const repoRoot = join(__dirname, "..", "..", "..", "..");
export const grammarsDir = join(repoRoot, "grammars");
export const fixturesDir = join(repoRoot, "test", "fixtures", "code");

/** A copy of the fixture projects with `.ts.fixture` files renamed to `.ts`; remove it with `rmSync(dir, …)`. */
export function copyFixtures(): string {
  const dir = mkdtempSync(join(tmpdir(), "hearth-context-"));
  cpSync(fixturesDir, dir, { recursive: true });
  const rename = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) rename(p);
      else if (name.endsWith(".fixture")) renameSync(p, p.slice(0, -".fixture".length));
    }
  };
  rename(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Splits "before█after" into text and offset. */
export function cursor(source: string): { text: string; offset: number } {
  const offset = source.indexOf("█");
  if (offset < 0) throw new Error("no █ in test source");
  return { text: source.slice(0, offset) + source.slice(offset + 1), offset };
}

/**
 * An index built once for a suite, as each test's ContextEngine sees it: answering queries (each one reported to
 * `onQuery`), but left alone by the engine's file updates and dispose.
 */
export function sharedIndex(index: SymbolIndex, onQuery: (query: DefinitionQuery) => void = () => {}): SymbolIndex {
  return {
    indexFolders: (roots) => index.indexFolders(roots),
    updateFile: () => {},
    removeFile: () => {},
    query: (query, timeoutMs, signal) => {
      onQuery(query);
      return index.query(query, timeoutMs, signal);
    },
    stats: () => index.stats(),
    dispose: () => {},
  };
}

/**
 * A folder indexed once for the whole suite (mocha before/after hooks of the calling describe): `makeDir` creates the
 * folder, which is removed with the index afterwards. `dir` and `index` are set from the suite's before() on.
 */
export function indexedFolderForSuite(makeDir: () => string): { dir: string; index: InThreadSymbolIndex } {
  const folder = { dir: "", index: undefined as unknown as InThreadSymbolIndex };
  before(async () => {
    folder.dir = makeDir();
    folder.index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    await folder.index.indexFolders([folder.dir]);
  });
  after(() => {
    folder.index.dispose();
    removeDir(folder.dir);
  });
  return folder;
}
