import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { ensureNpmPackage } from "./npm-corpus";
import type { PinnedPackage } from "./npm-corpus";

export type CorpusLanguage = "typescript" | "javascript" | "python";

/** Where a corpus's code comes from. */
export type CorpusSource =
  /** An installed package of this repository (pinned by package-lock.json). */
  | { kind: "installed"; packageDir: string; subdir: string }
  /** A tarball of the npm registry, pinned by version and SHA-512, fetched into bench/.work. */
  | { kind: "npm"; pkg: PinnedPackage; subdir: string }
  /** Files of the machine (the Python standard library, a Debian package), used when their version is the pinned one. */
  | { kind: "system"; root: string; version?: { file: string; pattern: RegExp; expected: string } };

/** A code base of real code that nobody on this project wrote. */
export interface CorpusSpec {
  name: string;
  languageId: CorpusLanguage;
  source: CorpusSource;
}

export interface Corpus {
  name: string;
  languageId: CorpusLanguage;
  root: string;
  /** Where it came from, with its version, for RESULTS.md. */
  origin: string;
}

/**
 * The corpora the recall bench measures. JavaScript: axios (ES modules, `export default { … }` of helpers, classes
 * with static factories), ESLint (CommonJS, `module.exports = { … }` of utilities, rules importing them), Svelte's
 * compiler and runtime (ES modules with JSDoc types, `export *` barrels, namespace imports). TypeScript: the MSAL
 * packages and Ajv installed here, and RxJS's sources (barrels everywhere). Python: asyncio and email from the standard
 * library, GYP (in node-gyp's tarball: `import gyp.common` and `gyp.common.x` style) and cryptography (Debian's build,
 * with `if TYPE_CHECKING:` imports).
 */
export const RECALL_CORPORA: readonly CorpusSpec[] = [
  { name: "msal-browser (TS)", languageId: "typescript", source: { kind: "installed", packageDir: "@azure/msal-browser", subdir: "src" } },
  { name: "msal-common (TS)", languageId: "typescript", source: { kind: "installed", packageDir: "@azure/msal-common", subdir: "src" } },
  { name: "msal-node (TS)", languageId: "typescript", source: { kind: "installed", packageDir: "@azure/msal-node", subdir: "src" } },
  { name: "ajv (TS)", languageId: "typescript", source: { kind: "installed", packageDir: "ajv", subdir: "lib" } },
  {
    name: "rxjs (TS)",
    languageId: "typescript",
    source: { kind: "npm", subdir: "src", pkg: { name: "rxjs", version: "7.8.1", integrity: "sha512-AA3TVj+0A2iuIoQkWEK/tqFjBq2j+6PO6Y0zJcvzLAFhEFIO3HL0vls9hWLncZbAAbK0mar7oZ4V079I/qPMxg==" } },
  },
  {
    name: "axios (JS)",
    languageId: "javascript",
    source: { kind: "npm", subdir: "lib", pkg: { name: "axios", version: "1.7.9", integrity: "sha512-LhLcE7Hbiryz8oMDdDptSrWowmB4Bl6RCt6sIJKpRB4XtVf0iEgewX3au/pJqm+Py1kCASkb/FFKjxQaLtxJvw==" } },
  },
  {
    name: "eslint (JS)",
    languageId: "javascript",
    source: { kind: "npm", subdir: "lib", pkg: { name: "eslint", version: "8.57.1", integrity: "sha512-ypowyDxpVSYpkXr9WPv2PAZCtNip1Mv5KTW0SCurXv/9iOpcrH9PaqUElksqEB6pChqHGDRCFTyrZlGhnLNGiA==" } },
  },
  {
    name: "svelte (JS)",
    languageId: "javascript",
    source: { kind: "npm", subdir: "src", pkg: { name: "svelte", version: "4.2.19", integrity: "sha512-IY1rnGr6izd10B0A8LqsBfmlT5OILVuZ7XsI0vdGPEvuonFV7NYEUK4dAkm9Zg2q0Um92kYjTpS1CAP3Nh/KWw==" } },
  },
  { name: "asyncio (Python stdlib)", languageId: "python", source: { kind: "system", root: "/usr/lib/python3.11/asyncio" } },
  { name: "email (Python stdlib)", languageId: "python", source: { kind: "system", root: "/usr/lib/python3.11/email" } },
  {
    name: "gyp (Python)",
    languageId: "python",
    source: { kind: "npm", subdir: "gyp/pylib", pkg: { name: "node-gyp", version: "10.2.0", integrity: "sha512-sp3FonBAaFe4aYTcFdZUn2NYkbP7xroPGYvQmP4Nl5PxamznItBnNCgjrVTKrEfQynInMsJvZrdmqUnysCJ8rw==" } },
  },
  {
    name: "cryptography (Python)",
    languageId: "python",
    source: {
      kind: "system",
      root: "/usr/lib/python3/dist-packages/cryptography",
      version: { file: "__about__.py", pattern: /__version__ = "([^"]+)"/, expected: "38.0.4" },
    },
  },
];

/** The corpus's files on disk, fetching it first if it comes from the registry; a string says why it is skipped. */
export function prepareCorpus(spec: CorpusSpec, repoRoot: string, cacheDir: string): Corpus | string {
  const corpus = locateCorpus(spec, repoRoot, cacheDir);
  // One spelling of every path: the index, the resolver and the samples must agree on it (node_modules may be a link).
  return typeof corpus === "string" ? corpus : { ...corpus, root: realpathSync(corpus.root) };
}

function locateCorpus(spec: CorpusSpec, repoRoot: string, cacheDir: string): Corpus | string {
  const { source } = spec;
  switch (source.kind) {
    case "installed": {
      const dir = join(repoRoot, "node_modules", source.packageDir);
      const root = join(dir, source.subdir);
      if (!existsSync(root)) return `${root} is absent`;
      const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version ?? "?";
      return { name: spec.name, languageId: spec.languageId, root, origin: `${source.packageDir} ${version}, ${source.subdir}/ (installed, package-lock.json)` };
    }
    case "npm": {
      let dir: string;
      try {
        dir = ensureNpmPackage(source.pkg, cacheDir);
      } catch (error) {
        return `${source.pkg.name}@${source.pkg.version} could not be fetched: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
      }
      const root = join(dir, source.subdir);
      if (!existsSync(root)) return `${source.pkg.name}@${source.pkg.version} has no ${source.subdir}/`;
      return { name: spec.name, languageId: spec.languageId, root, origin: `${source.pkg.name} ${source.pkg.version}, ${source.subdir}/ (npm tarball, SHA-512 pinned)` };
    }
    case "system": {
      if (!existsSync(source.root)) return `${source.root} is absent`;
      let version = "";
      if (source.version) {
        const file = join(source.root, source.version.file);
        const found = existsSync(file) ? source.version.pattern.exec(readFileSync(file, "utf8"))?.[1] : undefined;
        if (found !== source.version.expected) return `${source.root} is version ${found ?? "?"}, not the pinned ${source.version.expected}`;
        version = ` ${found}`;
      }
      return { name: spec.name, languageId: spec.languageId, root: source.root, origin: `${source.root}${version}` };
    }
  }
}
