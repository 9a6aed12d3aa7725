import type { Tree } from "web-tree-sitter";
import type { AssembleRequest } from "./context-types";
import type { DocumentStore } from "./document-store";
import type { ImportStatement } from "./imports";
import type { LanguageSpec } from "./languages";
import type { RetrievalRequest } from "./retrievers/retriever";
import { LineNumbers } from "./text-lines";
import { uriToPath } from "./uri-path";

/** The text a request is answered from: the document's own (the request's, or the store's copy) or the editor's window. */
export interface RequestView {
  text: string;
  offset: number;
  tree: Tree | null;
  lines: LineNumbers;
  /** Offset in the document of `text`'s first character (0 unless only a window of the document is known). */
  base: number;
  /** With only a window: the document's first characters, where its imports are. */
  head?: string;
}

/**
 * What a request is answered from. A window of the editor's text (a document too large to copy per keystroke) is
 * widened to the store's copy when that copy is of the same version; otherwise the window alone is used, without a
 * tree, its line numbers counted from the cursor's line that the editor gave. A whole text that the store does not
 * hold is handed to `track` (which starts following it) and answered without a tree this time.
 */
export function requestView(req: AssembleRequest, documents: DocumentStore, track: (uri: string, languageId: string, text: string) => void): RequestView {
  const window = req.window;
  if (window) {
    const stored = documents.getText(req.uri);
    if (stored !== null && req.version !== undefined && documents.getVersion(req.uri) === req.version && stored.length === window.documentLength) {
      const offset = clamp(window.start + req.offset, 0, stored.length);
      return { text: stored, offset, tree: documents.getTree(req.uri), lines: LineNumbers.at(stored, offset, req.cursorLine ?? documents.lineAt(req.uri, offset) ?? undefined), base: 0 };
    }
    const offset = clamp(req.offset, 0, req.text.length);
    return { text: req.text, offset, tree: null, lines: LineNumbers.at(req.text, offset, req.cursorLine), base: window.start, ...(window.head !== undefined ? { head: window.head } : {}) };
  }
  const offset = clamp(req.offset, 0, req.text.length);
  const held = documents.getText(req.uri) === req.text;
  if (!held) track(req.uri, req.languageId, req.text);
  const tree = held ? documents.getTree(req.uri) : null;
  // The store counts lines from where it last counted them; a text it does not keep is counted once from the top.
  const line = req.cursorLine ?? (documents.getText(req.uri) === req.text ? documents.lineAt(req.uri, offset) : null) ?? undefined;
  return { text: req.text, offset, tree, lines: LineNumbers.at(req.text, offset, line), base: 0 };
}

/** What the retrievers are asked about a request answered from `view`. */
export function retrievalRequest(req: AssembleRequest, view: RequestView, known: { spec: LanguageSpec | null; imports: readonly ImportStatement[]; prefixFloor: number }): RetrievalRequest {
  const path = uriToPath(req.uri);
  return {
    uri: req.uri,
    path,
    displayPath: path ?? req.uri,
    languageId: req.languageId,
    text: view.text,
    offset: view.offset,
    tree: view.tree,
    lines: view.lines,
    ...known,
    otherFilesOnly: req.otherFilesOnly ?? false,
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
