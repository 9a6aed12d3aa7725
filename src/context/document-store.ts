import type { Parser, Tree } from "web-tree-sitter";
import type { Logger } from "../common/logger";
import { loadedTreeSitter, type SyntaxRuntime } from "./syntax-runtime";
import { pointAfter, pointAt } from "./text-lines";

/** One change to a document: replace [startOffset, endOffset) of the text as it is when this edit applies. */
export interface TextEdit {
  startOffset: number;
  endOffset: number;
  text: string;
}

export interface DocumentLimits {
  /** Larger documents are not parsed at all (line-based context only). */
  maxParseChars: number;
  /** Longest time one synchronous parse step may take on the caller's thread. */
  parseSliceMs: number;
  /** A reparse that did not finish in its slice continues after this pause in typing. */
  typingPauseMs: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxParseChars: 2_000_000, parseSliceMs: 4, typingPauseMs: 30 };

interface OpenDocument {
  uri: string;
  languageId: string;
  text: string;
  version: number;
  /** The last complete tree, edited to match `text` (so its positions are right even before a reparse). */
  tree: Tree | null;
  /** `text` changed since `tree` was parsed. */
  stale: boolean;
  /** The document's own parser, so that a parse stopped at a deadline can resume where it stopped. */
  parser: Parser | null;
  /** The text a stopped parse was working on; any other text needs a fresh start (parser.reset()). */
  haltedText: string | null;
  /** A continuation of a stopped parse is scheduled. */
  continuing: boolean;
  /** A caller's slice was already spent on this text: later callers get the tree as it is while the rest goes on in the background. */
  slicedText: string | null;
  closed: boolean;
}

/**
 * The open documents and one syntax tree each. Edits update the tree incrementally; the reparse runs when the tree is
 * next needed. No parse holds the caller's thread for more than a slice: a longer one stops at its deadline and
 * resumes on later turns of the event loop (tree-sitter parsers can be halted and resumed). Until it completes,
 * callers get the previous tree, edited to match the text, or no tree on the very first parse.
 */
export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  constructor(
    private readonly runtime: SyntaxRuntime,
    private readonly logger: Logger,
    private readonly limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS,
  ) {}

  open(uri: string, languageId: string, text: string, version: number): void {
    if (this.docs.has(uri)) this.close(uri);
    const doc: OpenDocument = { uri, languageId, text, version, tree: null, stale: true, parser: null, haltedText: null, continuing: false, slicedText: null, closed: false };
    this.docs.set(uri, doc);
    if (this.canParse(doc)) {
      void this.runtime.load(languageId).then((grammar) => {
        if (!grammar || doc.closed) return;
        doc.parser = this.runtime.createParser(grammar);
        this.continueInBackground(doc);
      });
    }
  }

  /** Applies edits in order; each edit's offsets refer to the text left by the previous one. */
  applyEdits(uri: string, edits: readonly TextEdit[], version: number): boolean {
    const doc = this.docs.get(uri);
    if (!doc) return false;
    for (const e of edits) {
      const start = clamp(e.startOffset, 0, doc.text.length);
      const end = clamp(e.endOffset, start, doc.text.length);
      if (doc.tree) {
        const startPosition = pointAt(doc.text, start);
        const oldEndPosition = end === start ? startPosition : pointAt(doc.text, end);
        doc.tree.edit(
          // A tree exists, so web-tree-sitter is loaded.
          new (loadedTreeSitter().Edit)({
            startIndex: start,
            oldEndIndex: end,
            newEndIndex: start + e.text.length,
            startPosition,
            oldEndPosition,
            newEndPosition: pointAfter(startPosition, e.text),
          }),
        );
      }
      doc.text = doc.text.slice(0, start) + e.text + doc.text.slice(end);
    }
    doc.version = version;
    doc.stale = true;
    if (!this.canParse(doc) && doc.tree) {
      doc.tree.delete();
      doc.tree = null;
    }
    return true;
  }

  /** Replaces the whole text (a document that changed behind our back, e.g. reverted). */
  replaceText(uri: string, text: string, version: number): void {
    const doc = this.docs.get(uri);
    if (doc) this.open(uri, doc.languageId, text, version);
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    if (!doc) return;
    doc.closed = true;
    doc.tree?.delete();
    doc.tree = null;
    doc.parser?.delete();
    doc.parser = null;
    this.docs.delete(uri);
  }

  getText(uri: string): string | null {
    return this.docs.get(uri)?.text ?? null;
  }

  getVersion(uri: string): number | null {
    return this.docs.get(uri)?.version ?? null;
  }

  getLanguageId(uri: string): string | null {
    return this.docs.get(uri)?.languageId ?? null;
  }

  uris(): string[] {
    return [...this.docs.keys()];
  }

  /**
   * The document's tree, reparsed first if that finishes within the slice (an incremental reparse usually takes
   * a millisecond or two). Otherwise the previous tree, edited to the current text, while the parse continues in
   * the background. Callers share one slice per text: a request that asks several times (when it is prepared, then
   * when it is assembled) does not block the thread for a slice each time. Null before the first parse completes, for
   * a language without a grammar, or for a file too big. The tree stays owned by the store: do not delete it or keep
   * it past the current turn.
   */
  getTree(uri: string): Tree | null {
    const doc = this.docs.get(uri);
    if (!doc || !doc.parser) return null;
    if (doc.stale && doc.slicedText !== doc.text) {
      doc.slicedText = doc.text;
      this.parseSlice(doc, this.limits.parseSliceMs);
    }
    return doc.tree;
  }

  /** True when the document's tree matches its text. */
  isFresh(uri: string): boolean {
    const doc = this.docs.get(uri);
    return !!doc && !!doc.tree && !doc.stale;
  }

  /** Resolves once the document's tree matches its text (tests and benches use it). */
  async whenParsed(uri: string, timeoutMs = 5000): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const doc = this.docs.get(uri);
      if (!doc || !this.canParse(doc)) return false;
      if (doc.tree && !doc.stale) return true;
      if (doc.tree && doc.parser) this.parseSlice(doc, this.limits.parseSliceMs);
      if (performance.now() > until) return false;
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
  }

  private canParse(doc: OpenDocument): boolean {
    return doc.text.length <= this.limits.maxParseChars && !looksMinified(doc.text);
  }

  /** Parses for at most `ms`; true when the tree now matches the text. */
  private parseSlice(doc: OpenDocument, ms: number): boolean {
    const parser = doc.parser;
    if (!parser || doc.closed || !doc.stale) return !doc.stale;
    if (!this.canParse(doc)) return false;
    // A halted parse of other text must not be resumed: tree-sitter would stitch two texts together.
    if (doc.haltedText !== null && doc.haltedText !== doc.text) parser.reset();
    let tree: Tree | null = null;
    try {
      tree = parser.parse(doc.text, doc.tree, { progressCallback: deadlineAfter(ms) });
    } catch (e) {
      this.logger.warn(`parse of ${doc.uri} failed: ${(e as Error).message}`);
      parser.reset();
      doc.haltedText = null;
      return false;
    }
    if (!tree) {
      doc.haltedText = doc.text;
      this.continueInBackground(doc);
      return false;
    }
    doc.haltedText = null;
    doc.tree?.delete();
    doc.tree = tree;
    doc.stale = false;
    return true;
  }

  private continueInBackground(doc: OpenDocument): void {
    if (doc.continuing) return;
    doc.continuing = true;
    const step = (): void => {
      doc.continuing = false;
      if (doc.closed || !doc.stale) return;
      if (!this.parseSlice(doc, this.limits.parseSliceMs) && doc.stale && !doc.continuing && this.canParse(doc)) {
        doc.continuing = true;
        setImmediate(step);
      }
    };
    // Start after a pause: while the user types fast, each keystroke would restart the parse and waste the slices.
    const timer = setTimeout(step, doc.tree ? this.limits.typingPauseMs : 0);
    timer.unref?.();
  }
}

function deadlineAfter(ms: number): () => boolean {
  const deadline = performance.now() + ms;
  return () => performance.now() > deadline;
}

/** Minified bundles parse slowly and give nothing a model can use. */
function looksMinified(text: string): boolean {
  if (text.length < 100_000) return false;
  let lines = 1;
  for (let i = text.indexOf("\n"); i >= 0 && lines < 200; i = text.indexOf("\n", i + 1)) lines++;
  return text.length / lines > 1000;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
