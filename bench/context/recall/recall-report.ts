// Figures of the definition-recall bench: per corpus, per language, per kind of use and per cause of a miss, as
// Markdown rows for RESULTS.md and as flat keys for bench/results/context.json.
import { MISS_CAUSES } from "./miss-causes";
import type { MissCause } from "./miss-causes";
import type { UseKind } from "./module-graph";
import type { RecallSample } from "./samples";

export const REPORT_BUDGETS = [512, 1024, 2048] as const;
export const LANGUAGES = ["javascript", "typescript", "python"] as const;

/** One sample's outcome at each budget; `causes` says why Hearth missed it (null where it hit). */
export interface SampleResult {
  sample: RecallSample;
  hearth: Record<number, boolean>;
  baseline: Record<number, boolean>;
  causes: Record<number, MissCause | null>;
}

/** One corpus's run, as the bench measures it and the report reads it. */
export interface CorpusOutcome {
  corpus: string;
  origin: string;
  languageId: string;
  files: number;
  samples: number;
  /** budget → fraction of samples whose symbol's definition was in the context. */
  hearth: Record<number, number>;
  baseline: Record<number, number>;
  perSample: SampleResult[];
}

const USE_LABELS: Record<UseKind, string> = {
  direct: "imported name",
  "module-member": "member of an imported module",
  "object-member": "member of an imported object",
  "class-static": "static member of an imported class",
};

export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const round = (x: number): number => Number(x.toFixed(4));
const slug = (s: string): string => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** Hit rates over a set of samples (pooled: each sample weighs the same). */
function rates(rows: CorpusOutcome["perSample"], engine: "hearth" | "baseline"): Record<number, number> {
  return Object.fromEntries(REPORT_BUDGETS.map((b) => [b, rows.length ? rows.filter((r) => r[engine][b]).length / rows.length : 0]));
}

function samplesOf(results: readonly CorpusOutcome[], languageId: string): CorpusOutcome["perSample"] {
  return results.filter((r) => r.languageId === languageId).flatMap((r) => r.perSample);
}

/** The main table: one row per corpus, then one per language. */
export function recallTable(results: readonly CorpusOutcome[], flat: Record<string, string | number>): string[] {
  const md = ["| code base | files | samples | Hearth 512 | Hearth 1,024 | Hearth 2,048 | baseline 512 | baseline 1,024 | baseline 2,048 |", "|---|---|---|---|---|---|---|---|---|"];
  for (const r of results) {
    md.push(`| ${r.corpus} | ${r.files} | ${r.samples} | ${REPORT_BUDGETS.map((b) => pct(r.hearth[b])).join(" | ")} | ${REPORT_BUDGETS.map((b) => pct(r.baseline[b])).join(" | ")} |`);
    for (const b of REPORT_BUDGETS) {
      flat[`recall.${r.corpus}.hearth.${b}`] = round(r.hearth[b]);
      flat[`recall.${r.corpus}.baseline.${b}`] = round(r.baseline[b]);
    }
    flat[`recall.${r.corpus}.samples`] = r.samples;
  }
  for (const lang of LANGUAGES) {
    const rows = samplesOf(results, lang);
    if (!rows.length) continue;
    const hearth = rates(rows, "hearth");
    const baseline = rates(rows, "baseline");
    md.push(`| **all ${lang}** | | ${rows.length} | ${REPORT_BUDGETS.map((b) => pct(hearth[b])).join(" | ")} | ${REPORT_BUDGETS.map((b) => pct(baseline[b])).join(" | ")} |`);
    for (const b of REPORT_BUDGETS) {
      flat[`recall.all-${lang}.hearth.${b}`] = round(hearth[b]);
      flat[`recall.all-${lang}.baseline.${b}`] = round(baseline[b]);
    }
    flat[`recall.all-${lang}.samples`] = rows.length;
  }
  return md;
}

/** Hearth's hit rate by how the symbol is reached, per language; re-exported uses also have a row of their own. */
export function useTable(results: readonly CorpusOutcome[], flat: Record<string, string | number>): string[] {
  const md = ["| language | use | samples | Hearth 512 | Hearth 1,024 | Hearth 2,048 |", "|---|---|---|---|---|---|"];
  for (const lang of LANGUAGES) {
    const all = samplesOf(results, lang);
    if (!all.length) continue;
    const groups: [string, string, CorpusOutcome["perSample"]][] = (Object.keys(USE_LABELS) as UseKind[]).map((k) => [k, USE_LABELS[k], all.filter((r) => r.sample.use === k)]);
    groups.push(["reexported", "(any of these) through re-exports", all.filter((r) => r.sample.reexports > 0)]);
    groups.push(["type-checking", "(any of these) imported under TYPE_CHECKING", all.filter((r) => r.sample.typeChecking)]);
    for (const [key, label, rows] of groups) {
      if (!rows.length) continue;
      const hearth = rates(rows, "hearth");
      md.push(`| ${lang} | ${label} | ${rows.length} | ${REPORT_BUDGETS.map((b) => pct(hearth[b])).join(" | ")} |`);
      flat[`recall.all-${lang}.use.${key}.samples`] = rows.length;
      for (const b of REPORT_BUDGETS) flat[`recall.all-${lang}.use.${key}.hearth.${b}`] = round(hearth[b]);
    }
  }
  return md;
}

/** Hearth's misses per language and cause: how many samples each cause cost, at each budget. */
export function causeTable(results: readonly CorpusOutcome[], flat: Record<string, string | number>): string[] {
  const md = ["| language | cause | misses at 512 | misses at 1,024 | misses at 2,048 |", "|---|---|---|---|---|"];
  for (const lang of LANGUAGES) {
    const all = samplesOf(results, lang);
    if (!all.length) continue;
    const count = (cause: MissCause | null, b: number): number => all.filter((r) => (cause === null ? r.causes[b] !== null : r.causes[b] === cause)).length;
    const cell = (n: number): string => `${n} (${pct(n / all.length)})`;
    for (const cause of MISS_CAUSES) {
      const counts = REPORT_BUDGETS.map((b) => count(cause, b));
      for (const [i, b] of REPORT_BUDGETS.entries()) flat[`recall.all-${lang}.misses.${b}.${slug(cause)}`] = counts[i];
      if (counts.every((n) => n === 0)) continue;
      md.push(`| ${lang} | ${cause} | ${counts.map(cell).join(" | ")} |`);
      if (cause !== "other") continue;
      // Not one of issue 14's causes, but where most of "other" is: `gyp.common.x` after `import gyp.common`, `ns.x`.
      const ofModules = REPORT_BUDGETS.map((b) => all.filter((r) => r.causes[b] === "other" && r.sample.use === "module-member").length);
      if (ofModules.some((n) => n > 0)) md.push(`| ${lang} | … of which members of an imported module | ${ofModules.map(cell).join(" | ")} |`);
    }
    md.push(`| ${lang} | **all misses** (of ${all.length}) | ${REPORT_BUDGETS.map((b) => cell(count(null, b))).join(" | ")} |`);
  }
  return md;
}
