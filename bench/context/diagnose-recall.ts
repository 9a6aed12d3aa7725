// `node out/bench/context/diagnose-recall.js [javascript|typescript|python|CORPUS] [budget]`: runs the definition-recall
// bench's samples (same samples, same tabs) on the corpora of a language, or on the corpora whose name starts with
// CORPUS ("axios"), and prints each of Hearth's misses at the budget with its cause: the removed line, the symbol, how
// the line reaches it, where it is defined and what the context held instead; then the misses by cause, per
// language, at every budget. A tool for working on the retrievers, not a bench: it writes nothing.
import { join, relative } from "node:path";
import { BUDGETS, measureDefinitionRecall, nodeModulesOf } from "./definition-recall";
import type { RecallResult, SampleOutcome } from "./definition-recall";
import { RECALL_CORPORA, prepareCorpus } from "./recall/corpora";
import { causeTable, pct } from "./recall/recall-report";

const repoRoot = join(__dirname, "..", "..", "..");
const which = process.argv[2] ?? "javascript";
const budget = Number(process.argv[3] ?? 1024);

void (async () => {
  if (!(BUDGETS as readonly number[]).includes(budget)) throw new Error(`budget must be one of ${BUDGETS.join(", ")}`);
  const specs = RECALL_CORPORA.filter((c) => c.languageId === which || c.name.toLowerCase().startsWith(which.toLowerCase()));
  if (specs.length === 0) throw new Error(`no corpus of language or name "${which}"; corpora: ${RECALL_CORPORA.map((c) => c.name).join(", ")}`);
  const results: RecallResult[] = [];
  for (const spec of specs) {
    const corpus = prepareCorpus(spec, repoRoot, join(repoRoot, "bench", ".work", "corpora"));
    if (typeof corpus === "string") {
      console.log(`${spec.name} skipped: ${corpus}`);
      continue;
    }
    const rel = (p: string): string => relative(corpus.root, p);
    const show = (o: SampleOutcome): void => {
      if (o.engine !== "hearth" || o.budget !== budget || o.hit) return;
      const { sample, index } = o;
      console.log(`\n== MISS (${o.cause}) ${corpus.name} ${rel(sample.file)}:${sample.line + 1}  symbol ${sample.symbol}`);
      console.log(`   line: ${o.removed.trim()}`);
      console.log(`   use: ${sample.use}, ${sample.reexports} re-export(s)${sample.typeChecking ? ", imported under TYPE_CHECKING" : ""}`);
      for (const d of sample.definitions) {
        const def = index.core.definitionsIn(d.path).find((x) => x.startLine <= d.startLine && d.startLine <= x.endLine && x.name === sample.symbol);
        const size = def ? `index: ${def.kind}, ${def.endLine - def.startLine + 1} lines, text ${def.text.length} chars, header ${def.header.length}` : "not in the index";
        console.log(`   defined: ${rel(d.path)}:${d.startLine + 1} ${sample.definitionKind} (${size})`);
      }
      console.log(`   definitions of the name in the index: ${index.core.lookupName(sample.symbol).length}`);
      for (const i of o.items) console.log(`   - ${i.kind}/${i.source} ${rel(i.path)}:${i.startLine + 1}-${i.endLine + 1} ${i.symbol ?? ""} ${i.tokens}t score ${i.score.toFixed(3)}`);
    };
    const r = await measureDefinitionRecall(corpus, { grammarsDir: join(repoRoot, "grammars"), nodeModules: nodeModulesOf(repoRoot), samples: 100, onSample: show });
    if (r) results.push(r);
  }
  console.log("");
  for (const r of results) console.log(`${r.corpus}: Hearth ${BUDGETS.map((b) => pct(r.hearth[b])).join(" / ")}, baseline ${BUDGETS.map((b) => pct(r.baseline[b])).join(" / ")} (${r.samples} samples)`);
  console.log(["", ...causeTable(results, {})].join("\n"));
})();
