import { throwIfAborted } from "../../common/abort";
import type { MemoizedSymbolIndex } from "../index/memoized-index";
import { isIndexableLanguage } from "../languages";
import type { DefinitionQuery, FoundDefinition } from "../symbol-types";
import type { CountTokens } from "../token-estimate";
import { CursorNames } from "./cursor-names";
import type { WeightedName } from "./cursor-names";
import type { RetrievalRequest, Retriever, ScoredItem } from "./retriever";

export interface DefinitionRetrieverOptions {
  index: MemoizedSymbolIndex;
  countTokens: CountTokens;
  /** The document's text now (the names' usage cache is refreshed from it after a request). */
  currentText(uri: string): string | null;
  /** How long a request waits for the index before it goes on without it. */
  timeoutMs: number;
}

/**
 * Definitions of the names near the cursor, through the workspace index (which runs in a worker): the imported files'
 * first, then the file's own, then the workspace's; and the outline of a module imported whole (`import * as m`,
 * Python's `import m`) when the code uses `m.`. A lookup started by prepare() during the typing pause is usually
 * answered by the time the request comes.
 */
export class DefinitionRetriever implements Retriever {
  readonly name = "definitions";
  private readonly names: CursorNames;

  constructor(private readonly opts: DefinitionRetrieverOptions) {
    this.names = new CursorNames(opts.currentText);
  }

  prepare(request: RetrievalRequest): void {
    if (isIndexableLanguage(request.languageId)) this.opts.index.lookAhead(definitionQuery(request, this.nearNames(request)));
  }

  async retrieve(request: RetrievalRequest, _budgetTokens: number, signal?: AbortSignal): Promise<ScoredItem[] | null> {
    if (!isIndexableLanguage(request.languageId)) return null;
    const names = this.nearNames(request);
    const result = await this.opts.index.query(definitionQuery(request, names), this.opts.timeoutMs, signal);
    throwIfAborted(signal);
    if (!result) return null;
    const weights = new Map(names.map((n) => [n.name, n.weight]));
    return result.definitions
      .filter((def) => !(request.otherFilesOnly && def.source === "same-file"))
      .map((def) => definitionItem(def, weights.get(def.name) ?? 0.1, this.opts.countTokens));
  }

  forget(uri: string): void {
    this.names.forget(uri);
  }

  dispose(): void {
    this.names.dispose();
  }

  private nearNames(request: RetrievalRequest): WeightedName[] {
    return this.names.namesFor(request.uri, request.text, request.offset, request.imports, request.lines);
  }
}

/** A name's weight near the cursor times how likely a definition from its source is the one meant. */
function definitionItem(def: FoundDefinition, nameWeight: number, count: CountTokens): ScoredItem {
  const sourceWeight = def.source === "imported-file" ? 1 : def.source === "same-file" ? 0.8 : 0.6 / Math.max(1, def.candidates);
  return {
    kind: def.kind === "outline" ? "outline" : "definition",
    source: def.source,
    path: def.path,
    symbol: def.name,
    startLine: def.startLine,
    endLine: def.endLine,
    text: def.text,
    header: def.header,
    tokens: count(def.text),
    score: nameWeight * sourceWeight * (def.weight ?? 1),
  };
}

function definitionQuery(request: RetrievalRequest, names: readonly WeightedName[]): DefinitionQuery {
  return {
    fromPath: request.path,
    languageId: request.languageId,
    imports: request.imports.map((i) => ({
      specifier: i.specifier,
      names: i.names,
      ...(i.namespace ? { namespace: i.namespace } : {}),
      ...(i.defaultName ? { defaultName: i.defaultName } : {}),
    })),
    names: names.map((n) => n.name),
    maxPerName: 2,
  };
}
