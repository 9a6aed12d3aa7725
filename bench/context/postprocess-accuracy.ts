import { decideMultiline } from "../../src/completion/multiline-decision";
import { postprocessCompletion } from "../../src/completion/postprocess/postprocess-completion";
import { loadHumanEval, loadSafim } from "./datasets";
import type { InfillCase } from "./datasets";

export interface AccuracyResult {
  set: string;
  cases: number;
  exact: number;
  accuracy: number;
  /** How often the single/multi-line decision matched the shape of the true middle. */
  decisionAgreement: number;
  failures: { id: string; expected: string; got: string | null }[];
}

/** The cursor's surroundings as the editor would see them, from the raw prefix and suffix. */
export function surroundingsOf(c: Pick<InfillCase, "languageId" | "prefix" | "suffix">) {
  const lineStart = c.prefix.lastIndexOf("\n") + 1;
  const lineEnd = c.suffix.indexOf("\n");
  const before = c.prefix.slice(0, Math.max(0, lineStart - 1)).replace(/\s+$/, "");
  const previousLine = before.slice(before.lastIndexOf("\n") + 1);
  return {
    languageId: c.languageId,
    linePrefix: c.prefix.slice(lineStart).replace(/\r$/, ""),
    lineSuffix: (lineEnd < 0 ? c.suffix : c.suffix.slice(0, lineEnd)).replace(/\r$/, ""),
    previousLine,
  };
}

/**
 * The "model" writes the true middle and then keeps going with exactly what follows it in the file. A post-processor
 * that cuts in the right place returns the middle.
 */
export function measurePostprocessAccuracy(set: string, cases: readonly InfillCase[], keepFailures = 20): AccuracyResult {
  let exact = 0;
  let agree = 0;
  const failures: AccuracyResult["failures"] = [];
  for (const c of cases) {
    const multiline = decideMultiline(surroundingsOf(c));
    if (multiline === c.middle.trim().includes("\n")) agree++;
    const got = postprocessCompletion({ completion: c.middle + c.suffix, prefix: c.prefix, suffix: c.suffix, languageId: c.languageId, multiline });
    if ((got ?? "").trimEnd() === c.middle.trimEnd()) exact++;
    else if (failures.length < keepFailures) failures.push({ id: c.id, expected: c.middle, got });
  }
  return { set, cases: cases.length, exact, accuracy: exact / Math.max(1, cases.length), decisionAgreement: agree / Math.max(1, cases.length), failures };
}

export function runPostprocessAccuracy(dataDir: string, keepFailures = 0): AccuracyResult[] {
  return [
    measurePostprocessAccuracy("humaneval-single-line", loadHumanEval(dataDir, "SingleLine"), keepFailures),
    measurePostprocessAccuracy("humaneval-multi-line", loadHumanEval(dataDir, "MultiLine"), keepFailures),
    measurePostprocessAccuracy("safim-block", loadSafim(dataDir, "block"), keepFailures),
    measurePostprocessAccuracy("safim-control", loadSafim(dataDir, "control"), keepFailures),
    measurePostprocessAccuracy("safim-api", loadSafim(dataDir, "api"), keepFailures),
  ];
}
