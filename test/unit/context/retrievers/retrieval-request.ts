import type { Tree } from "web-tree-sitter";
import { silentLogger } from "../../../../src/common/logger";
import { readImports } from "../../../../src/context/imports";
import type { RetrievalRequest } from "../../../../src/context/retrievers/retriever";
import { SyntaxRuntime } from "../../../../src/context/syntax-runtime";
import { LineNumbers } from "../../../../src/context/text-lines";
import { cursor, grammarsDir } from "../fixtures";

/**
 * What the engine would ask a retriever for a document written with █ at the cursor, parsed with the real grammar
 * (when `parse`); `done()` deletes the tree and the runtime.
 */
export async function retrievalRequestFor(
  path: string,
  languageId: string,
  source: string,
  options: { parse?: boolean; prefixFloor?: number; otherFilesOnly?: boolean } = {},
): Promise<{ request: RetrievalRequest; done(): void }> {
  const { text, offset } = cursor(source);
  const runtime = new SyntaxRuntime(grammarsDir, silentLogger);
  const grammar = options.parse === false ? null : await runtime.load(languageId);
  const tree: Tree | null = grammar?.parser.parse(text) ?? null;
  const spec = tree ? (grammar?.spec ?? null) : null;
  const request: RetrievalRequest = {
    uri: path,
    path,
    displayPath: path,
    languageId,
    text,
    offset,
    tree,
    spec,
    lines: LineNumbers.at(text, offset),
    imports: readImports(text, languageId, tree, spec).imports,
    prefixFloor: options.prefixFloor ?? offset,
    otherFilesOnly: options.otherFilesOnly ?? false,
  };
  return {
    request,
    done: () => {
      tree?.delete();
      runtime.dispose();
    },
  };
}
