import type { CountTokens } from "../token-estimate";
import type { RetrievalRequest, Retriever, ScoredItem } from "./retriever";

/** The import statements take at most this share of the items' budget. */
const IMPORTS_SHARE = 0.3;

/** The file's own import statements, as one item: what the code at the cursor can name. */
export class ImportRetriever implements Retriever {
  readonly name = "imports";

  constructor(private readonly countTokens: CountTokens) {}

  retrieve(request: RetrievalRequest, budgetTokens: number): ScoredItem[] {
    const { imports } = request;
    if (!imports.length || request.otherFilesOnly) return [];
    const seen = new Set<number>();
    const parts: string[] = [];
    for (const i of imports) {
      if (seen.has(i.startIndex)) continue;
      seen.add(i.startIndex);
      parts.push(i.text.trim());
    }
    const cap = Math.floor(budgetTokens * IMPORTS_SHARE);
    // Keep the first statements that fit: per-statement counts, so this stays linear in the number of imports.
    let tokens = 0;
    let kept = 0;
    for (const part of parts) {
      const t = this.countTokens(part + "\n");
      if (tokens + t > cap) break;
      tokens += t;
      kept++;
    }
    if (kept === 0) return [];
    const text = parts.slice(0, kept).join("\n");
    const startLine = request.lines.lineOf(imports[0].startIndex);
    const endLine = request.lines.lineOf(imports[imports.length - 1].endIndex);
    return [{ kind: "imports", source: "same-file", path: request.displayPath, startLine, endLine, text, tokens, score: 5 }];
  }
}
