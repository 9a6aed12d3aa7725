import { findEnclosingScopes } from "../cursor-analysis";
import type { CountTokens } from "../token-estimate";
import type { RetrievalRequest, Retriever, ScoredItem } from "./retriever";

/**
 * The enclosing scopes (function, class, namespace) whose headers the prefix window does not show any more, as one
 * item: the model still sees which method of which class it is completing. Needs the tree.
 */
export class ScopeRetriever implements Retriever {
  readonly name = "scopes";

  constructor(private readonly countTokens: CountTokens) {}

  retrieve(request: RetrievalRequest): ScoredItem[] {
    const { tree, spec, text, offset } = request;
    if (!tree || !spec || request.otherFilesOnly) return [];
    const scopes = findEnclosingScopes(tree, text, offset, spec).filter((s) => s.startIndex < request.prefixFloor);
    if (!scopes.length) return [];
    const body = scopes.reverse().map((s) => s.header).join("\n");
    const startLine = scopes[0].startLine;
    return [{ kind: "scope", source: "same-file", path: request.displayPath, startLine, endLine: startLine, text: body, tokens: this.countTokens(body), score: 10 }];
  }
}
