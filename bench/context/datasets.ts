import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";

/** ../shared/data next to the repository, or HEARTH_DATA_DIR. Null when absent: benches that need it skip. */
export function findDataDir(repoRoot: string): string | null {
  const dir = process.env.HEARTH_DATA_DIR ?? resolve(repoRoot, "..", "shared", "data");
  return existsSync(dir) ? dir : null;
}

export function readJsonLines<T>(path: string): T[] {
  const raw = readFileSync(path);
  const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

/** One fill-in-the-middle case: what is before the cursor, what is after, and what truly goes between. */
export interface InfillCase {
  id: string;
  languageId: string;
  prefix: string;
  suffix: string;
  middle: string;
}

interface HumanEvalRow {
  task_id: string;
  prompt: string;
  suffix: string;
  canonical_solution: string;
}

interface SafimRow {
  task_id: string;
  lang: string;
  eval_prompt: string;
  ground_truth: string;
}

const SAFIM_LANGUAGE: Record<string, string> = { cpp: "cpp", java: "java", python: "python", csharp: "csharp" };

export function loadHumanEval(dataDir: string, set: "SingleLine" | "MultiLine"): InfillCase[] {
  return readJsonLines<HumanEvalRow>(join(dataDir, "human-eval-infilling", `HumanEval-${set}Infilling.jsonl.gz`)).map((r) => ({
    id: r.task_id,
    languageId: "python",
    prefix: r.prompt,
    suffix: r.suffix,
    middle: r.canonical_solution,
  }));
}

export function loadSafim(dataDir: string, set: "block" | "control" | "api"): InfillCase[] {
  const rows = readJsonLines<SafimRow>(join(dataDir, "safim", `${set}_completion.jsonl.gz`));
  const cases: InfillCase[] = [];
  for (const r of rows) {
    const at = r.eval_prompt.indexOf("{{completion}}");
    if (at < 0) continue;
    cases.push({
      id: r.task_id,
      languageId: SAFIM_LANGUAGE[r.lang] ?? r.lang,
      prefix: r.eval_prompt.slice(0, at),
      suffix: r.eval_prompt.slice(at + "{{completion}}".length),
      middle: r.ground_truth,
    });
  }
  return cases;
}
