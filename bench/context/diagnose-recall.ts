// `node out/bench/context/diagnose-recall.js [python|typescript] [budget]`: runs the definition-recall bench's samples
// (same samples, same tabs) and prints each miss: the removed line, the symbol, where it is defined and what the
// context held instead. A tool for working on the retriever, not a bench: it writes nothing.
import { join, relative } from "node:path";
import { BUDGETS, measureDefinitionRecall, recallCorpora } from "./definition-recall";
import type { SampleOutcome } from "./definition-recall";

const repoRoot = join(__dirname, "..", "..", "..");
const language = process.argv[2] ?? "python";
const budget = Number(process.argv[3] ?? 1024);

void (async () => {
  if (!(BUDGETS as readonly number[]).includes(budget)) throw new Error(`budget must be one of ${BUDGETS.join(", ")}`);
  let total = 0;
  let missed = 0;
  for (const corpus of recallCorpora(repoRoot).filter((c) => c.languageId === language)) {
    const show = (o: SampleOutcome): void => {
      if (o.engine !== "hearth" || o.budget !== budget) return;
      total++;
      if (o.hit) return;
      missed++;
      const rel = (p: string): string => relative(corpus.root, p);
      const { sample, index } = o;
      console.log(`\n== MISS ${rel(sample.file)}:${sample.line + 1}  symbol ${sample.symbol}`);
      console.log(`   line: ${o.removed.trim()}`);
      for (const d of sample.definitions) {
        const def = index.core.definitionsIn(d.path).find((x) => x.startLine === d.startLine);
        const size = def ? `${def.endLine - def.startLine + 1} lines, text ${def.text.length} chars, header ${def.header.length}` : "?";
        console.log(`   defined: ${rel(d.path)}:${d.startLine + 1} ${def?.kind ?? "?"} (${size})`);
      }
      console.log(`   definitions of the name in the index: ${index.core.lookupName(sample.symbol).length}`);
      for (const i of o.items) console.log(`   - ${i.kind}/${i.source} ${rel(i.path)}:${i.startLine + 1}-${i.endLine + 1} ${i.symbol ?? ""} ${i.tokens}t score ${i.score.toFixed(3)}`);
    };
    await measureDefinitionRecall(corpus, join(repoRoot, "grammars"), 100, 7, show);
  }
  console.log(`\nmissed ${missed} of ${total} at ${budget} tokens`);
})();
