// The real files the engine bench types, each in its own workspace of real code nobody on this project wrote: the
// pinned npm corpora of the context bench (bench/context/recall/corpora.ts), fetched once with the registry's ordinary
// client into the git-ignored bench/.work/. JavaScript and Python, so the bench is not tuned on TypeScript (ky, the
// first engine bench's file, stays out of it). Each replay opens the files its code imports as editor tabs first:
// Hearth's retrievers and llama.vscode's ring buffer both get their other-file context from those.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RECALL_CORPORA, prepareCorpus, type CorpusLanguage } from "../context/recall/corpora";
import { BENCH_DIR } from "../report";

export interface ReplayFileSpec {
  /** A corpus of RECALL_CORPORA, by name. */
  corpus: string;
  /** The typed file and its open tabs, relative to the corpus root. */
  file: string;
  tabs: readonly string[];
  /** 1-based lines removed and typed back. */
  lines: readonly [number, number];
}

export interface OpenTab {
  path: string;
  uri: string;
  relativePath: string;
  text: string;
}

export interface ReplayFile {
  label: string;
  languageId: CorpusLanguage;
  /** The workspace folder the index covers. */
  root: string;
  origin: string;
  file: OpenTab;
  tabs: OpenTab[];
  lines: readonly [number, number];
}

/**
 * Three functions in three code bases: axios's request setup (ES modules), ESLint's report object (CommonJS), GYP's
 * list merge (Python); each types a block of 9–12 lines in the middle of a file.
 */
export const REPLAY_FILES: readonly ReplayFileSpec[] = [
  { corpus: "axios (JS)", file: "core/Axios.js", tabs: ["utils.js", "core/AxiosHeaders.js", "core/mergeConfig.js"], lines: [105, 116] },
  { corpus: "eslint (JS)", file: "linter/report-translator.js", tabs: ["linter/rule-fixer.js", "linter/interpolate.js"], lines: [246, 256] },
  { corpus: "gyp (Python)", file: "gyp/input.py", tabs: ["gyp/common.py", "gyp/simple_copy.py"], lines: [2212, 2222] },
];

export function loadReplayFiles(specs: readonly ReplayFileSpec[] = REPLAY_FILES): ReplayFile[] {
  const repoRoot = join(BENCH_DIR, "..");
  return specs.map((spec) => {
    const corpusSpec = RECALL_CORPORA.find((c) => c.name === spec.corpus);
    if (!corpusSpec) throw new Error(`no corpus named ${spec.corpus}`);
    const corpus = prepareCorpus(corpusSpec, repoRoot, join(BENCH_DIR, ".work", "corpora"));
    if (typeof corpus === "string") throw new Error(`corpus ${spec.corpus}: ${corpus}`);
    const tab = (relativePath: string): OpenTab => {
      const path = join(corpus.root, relativePath);
      return { path, uri: pathToFileURL(path).toString(), relativePath, text: readFileSync(path, "utf8") };
    };
    return {
      label: `${corpus.origin.split(",")[0] ?? spec.corpus}: ${spec.file}:${spec.lines[0]}-${spec.lines[1]}`,
      languageId: corpus.languageId,
      root: corpus.root,
      origin: corpus.origin,
      file: tab(spec.file),
      tabs: spec.tabs.map(tab),
      lines: spec.lines,
    };
  });
}
