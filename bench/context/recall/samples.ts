import { readFileSync } from "node:fs";
import type { DeclKind } from "./module-facts";
import type { ModuleGraph, UseKind } from "./module-graph";

/** One line to remove: it uses `symbol`, defined in another file of the corpus. */
export interface RecallSample {
  file: string;
  /** 0-based. */
  line: number;
  /** The name as its definition spells it. */
  symbol: string;
  /** Where the name is defined: the line of the name (0-based), and the definition's last line. */
  definitions: { path: string; startLine: number; endLine: number }[];
  /** What the definition is (a class whose methods alone are shown is one cause of a miss). */
  definitionKind: DeclKind;
  use: UseKind;
  /** Re-exports between the file's import and the definition. */
  reexports: number;
  /** Imported under `if TYPE_CHECKING:` (Python). */
  typeChecking: boolean;
}

/** Lines per file at most: big files must not dominate. */
const PER_FILE = 3;

/**
 * Lines that use a symbol defined in another file of the corpus, chosen at random: a name the file imports, a member
 * of an imported module, object or class, wherever the definition is (the import may reach it through re-exports).
 * Import lines, lines that declare something and decorator lines are left out: the question is whether the context
 * brings the definition of something the line uses. On each line the first such use counts.
 */
export function pickSamples(
  files: readonly string[],
  graph: ModuleGraph,
  accept: (name: string) => boolean,
  count: number,
  random: () => number,
): RecallSample[] {
  const candidates: RecallSample[] = [];
  for (const file of files) {
    const perFile = samplesOfFile(file, graph, accept);
    for (let k = 0; k < PER_FILE && perFile.length; k++) candidates.push(perFile.splice(Math.floor(random() * perFile.length), 1)[0]);
  }
  const out: RecallSample[] = [];
  while (out.length < count && candidates.length) out.push(candidates.splice(Math.floor(random() * candidates.length), 1)[0]);
  return out;
}

/** Every line of one file that could be a sample, in line order, with its first use of another file's symbol. */
export function samplesOfFile(file: string, graph: ModuleGraph, accept: (name: string) => boolean): RecallSample[] {
  const facts = graph.factsOf(file);
  if (!facts) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  const uses = [...facts.uses].sort((a, b) => a.line - b.line || a.column - b.column || b.chain.length - a.chain.length);
  const out: RecallSample[] = [];
  let doneLine = -1;
  for (const use of uses) {
    if (use.line === doneLine || facts.importLines.has(use.line) || facts.declarationLines.has(use.line)) continue;
    if (/^\s*@/.test(lines[use.line] ?? "")) continue;
    const found = graph.resolveUse(file, use.chain, accept);
    if (!found) continue;
    doneLine = use.line;
    const { decl } = found;
    out.push({
      file,
      line: use.line,
      symbol: found.symbol,
      definitions: [decl.line, ...decl.alsoAt].map((startLine) => ({ path: found.path, startLine, endLine: startLine === decl.line ? decl.endLine : startLine })),
      definitionKind: decl.kind,
      use: found.kind,
      reexports: found.reexports,
      typeChecking: found.typeChecking,
    });
  }
  return out;
}
