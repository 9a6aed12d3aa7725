import type { Parser, Tree } from "web-tree-sitter";
import type { Logger } from "../common/logger";
import { loadedTreeSitter, type SyntaxRuntime } from "./syntax-runtime";
import { lineEndWithin, lineStartWithin, pointAfter, pointFrom, rowFrom } from "./text-lines";
import type { PointAnchor } from "./text-lines";
import { hasLineLongerThan, looksMinified, nestsDeeperThan } from "./text-shape";

/** One change to a document: replace [startOffset, endOffset) of the text as it is when this edit applies. */
export interface TextEdit {
  startOffset: number;
  endOffset: number;
  text: string;
}

export interface DocumentLimits {
  /** Larger documents are not parsed at all (line-based context only). */
  maxParseChars: number;
  /**
   * Larger documents are not kept either, only followed by version: every edit would copy the whole text, and a
   * completion there gets a window of the editor's text around the cursor.
   */
  maxStoredChars: number;
  /** A document with a longer line (minified code, a data blob) is not parsed: one token could outlast a slice. */
  maxParseLineChars: number;
  /**
   * A document with brackets nested deeper is not parsed: editing and reading a tree costs its depth (100,000 nested
   * brackets made each keystroke's tree edit and reparse take a tenth of a second and more).
   */
  maxParseNesting: number;
  /** Longest time one synchronous parse step may take on the caller's thread. */
  parseSliceMs: number;
  /** A reparse that did not finish in its slice continues after this pause in typing. */
  typingPauseMs: number;
}

/**
 * An edit copies the whole text (V8 flattens the concatenation at the next read): 6-16 ms per keystroke for 2 MB on a
 * busy machine, 1.5-4 ms for 512 KB. Larger documents are completed from the editor's window around the cursor.
 */
const MAX_KEPT_CHARS = 512 * 1024;

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxParseChars: MAX_KEPT_CHARS, maxStoredChars: MAX_KEPT_CHARS, maxParseLineChars: 10_000, maxParseNesting: 200, parseSliceMs: 4, typingPauseMs: 30 };

/** Edits in one change event beyond which the text is rebuilt in one pass rather than edit by edit (Replace All). */
const MANY_EDITS = 16;

const ORIGIN: PointAnchor = { offset: 0, point: { row: 0, column: 0 } };

interface OpenDocument {
  uri: string;
  languageId: string;
  /** Null for a document too large to keep (see DocumentLimits.maxStoredChars). */
  text: string | null;
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
  /**
   * The text is beyond what a parse should take on (a line longer than maxParseLineChars, nesting deeper than
   * maxParseNesting, minified code): it stays unparsed until reopened.
   */
  unparseable: boolean;
  /** A point of `text` known to be right: lines are counted from the nearest of it and the top, not always from the top. */
  anchor: PointAnchor;
  closed: boolean;
}

/**
 * The open documents and one syntax tree each. Edits update the tree incrementally; the reparse runs when the tree is
 * next needed. No parse holds the caller's thread for more than a slice: a longer one stops at its deadline and
 * resumes on later turns of the event loop (tree-sitter parsers can be halted and resumed). Until it completes,
 * callers get the previous tree, edited to match the text, or no tree on the very first parse. Nothing here costs a
 * pass over the whole text per keystroke: a document too large is followed by version only, and line numbers are
 * counted from the last place they were known (usually the last edit).
 */
export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly limits: DocumentLimits;

  constructor(
    private readonly runtime: SyntaxRuntime,
    private readonly logger: Logger,
    limits: Partial<DocumentLimits> = {},
  ) {
    this.limits = { ...DEFAULT_DOCUMENT_LIMITS, ...limits };
  }

  /** Starts following a document; `text` null (or too long) follows a document too large to keep by version only. */
  open(uri: string, languageId: string, text: string | null, version: number): void {
    if (this.docs.has(uri)) this.close(uri);
    const kept = text !== null && text.length <= this.limits.maxStoredChars ? text : null;
    const doc: OpenDocument = {
      uri, languageId, text: kept, version, tree: null, stale: true, parser: null, haltedText: null, continuing: false, slicedText: null,
      unparseable: kept !== null && kept.length <= this.limits.maxParseChars && this.beyondParsing(kept),
      anchor: ORIGIN, closed: false,
    };
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
    doc.version = version;
    doc.stale = true;
    if (doc.text === null) return true;
    if (edits.length > MANY_EDITS && descendingAndDisjoint(edits, doc.text.length)) this.applyBottomUp(doc, edits);
    else for (const e of edits) this.applyOne(doc, e);
    if (doc.text.length > this.limits.maxStoredChars) {
      // Grown too large to keep (a huge paste): followed by version from now on.
      doc.text = null;
      doc.anchor = ORIGIN;
    }
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

  /** Whether the document is followed (also when it is too large to keep its text). */
  has(uri: string): boolean {
    return this.docs.has(uri);
  }

  /** The document's text; null when it is not open or too large to keep. */
  getText(uri: string): string | null {
    return this.docs.get(uri)?.text ?? null;
  }

  getVersion(uri: string): number | null {
    return this.docs.get(uri)?.version ?? null;
  }

  getLanguageId(uri: string): string | null {
    return this.docs.get(uri)?.languageId ?? null;
  }

  /** Whether the document can have a tree: kept, small enough, no minified lines, a grammar (once loaded). */
  isParseable(uri: string): boolean {
    const doc = this.docs.get(uri);
    return !!doc && this.canParse(doc);
  }

  /**
   * The 0-based line of an offset of the document's text, counted from the last line number asked or edited (the
   * cursor moves a little between keystrokes); null when the text is not kept.
   */
  lineAt(uri: string, offset: number): number | null {
    const doc = this.docs.get(uri);
    if (!doc || doc.text === null) return null;
    const row = rowFrom(doc.text, offset, doc.anchor);
    const at = Math.max(0, Math.min(offset, doc.text.length));
    // The next count starts here, where the line's start is near enough to know the column.
    const start = lineStartWithin(doc.text, at, this.limits.maxParseLineChars);
    if (start === 0 || doc.text.charCodeAt(start - 1) === 10) doc.anchor = { offset: at, point: { row, column: at - start } };
    return row;
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
    return doc.text !== null && doc.text.length <= this.limits.maxParseChars && !doc.unparseable;
  }

  private beyondParsing(text: string): boolean {
    return looksMinified(text) || hasLineLongerThan(text, this.limits.maxParseLineChars) || nestsDeeperThan(text, this.limits.maxParseNesting);
  }

  private applyOne(doc: OpenDocument, e: TextEdit): void {
    const text = doc.text ?? "";
    const start = clamp(e.startOffset, 0, text.length);
    const end = clamp(e.endOffset, start, text.length);
    if (doc.tree) {
      const startPosition = pointFrom(text, start, doc.anchor);
      const oldEndPosition = end === start ? startPosition : pointFrom(text, end, { offset: start, point: startPosition });
      const newEndPosition = pointAfter(startPosition, e.text);
      // A tree exists, so web-tree-sitter is loaded.
      doc.tree.edit(new (loadedTreeSitter().Edit)({ startIndex: start, oldEndIndex: end, newEndIndex: start + e.text.length, startPosition, oldEndPosition, newEndPosition }));
      doc.anchor = { offset: start + e.text.length, point: newEndPosition };
    } else doc.anchor = start < doc.anchor.offset ? ORIGIN : doc.anchor;
    doc.text = text.slice(0, start) + e.text + text.slice(end);
    this.noteInserted(doc, start, start + e.text.length);
  }

  /**
   * Many edits from the bottom up, none overlapping (what the editor sends for Replace All): the new text is built in
   * one pass, and each edit's position is counted from the one below it, so the whole event costs one pass.
   */
  private applyBottomUp(doc: OpenDocument, edits: readonly TextEdit[]): void {
    const text = doc.text ?? "";
    const pieces: string[] = [];
    let tail = text.length;
    for (const e of edits) {
      pieces.push(text.slice(e.endOffset, tail), e.text);
      tail = e.startOffset;
    }
    pieces.push(text.slice(0, tail));
    if (doc.tree) {
      // Positions of the old text, from the top down, each counted from the previous one.
      let anchor = ORIGIN;
      const points = [...edits].reverse().map((e) => {
        const start = pointFrom(text, e.startOffset, anchor);
        const end = pointFrom(text, e.endOffset, { offset: e.startOffset, point: start });
        anchor = { offset: e.endOffset, point: end };
        return { start, end };
      });
      points.reverse();
      edits.forEach((e, i) => {
        const { start, end } = points[i];
        doc.tree?.edit(new (loadedTreeSitter().Edit)({ startIndex: e.startOffset, oldEndIndex: e.endOffset, newEndIndex: e.startOffset + e.text.length, startPosition: start, oldEndPosition: end, newEndPosition: pointAfter(start, e.text) }));
      });
    }
    doc.anchor = ORIGIN;
    doc.text = pieces.reverse().join("");
    // Offsets of the new text: each edit moved by what the edits above it (later in the text) did not change.
    let shift = 0;
    for (let i = edits.length - 1; i >= 0; i--) {
      const e = edits[i];
      this.noteInserted(doc, e.startOffset + shift, e.startOffset + shift + e.text.length);
      shift += e.text.length - (e.endOffset - e.startOffset);
    }
  }

  /**
   * After an edit of [from, to) of the new text: does the line it is on now run longer than a parse allows, or does
   * what was inserted nest too deep (a paste; typing brackets one by one never gets there)?
   */
  private noteInserted(doc: OpenDocument, from: number, to: number): void {
    if (doc.unparseable || doc.text === null) return;
    const limit = this.limits.maxParseLineChars;
    const start = lineStartWithin(doc.text, from, limit + 1);
    const end = lineEndWithin(doc.text, to, limit + 1);
    const inserted = to - from > limit ? doc.text.slice(start, end) : null;
    if (inserted ? hasLineLongerThan(inserted, limit) : end - start > limit) doc.unparseable = true;
    else if (to - from > this.limits.maxParseNesting && nestsDeeperThan(doc.text.slice(from, to), this.limits.maxParseNesting)) doc.unparseable = true;
  }

  /** Parses for at most `ms`; true when the tree now matches the text. */
  private parseSlice(doc: OpenDocument, ms: number): boolean {
    const parser = doc.parser;
    const text = doc.text;
    if (!parser || doc.closed || !doc.stale) return !doc.stale;
    if (text === null || !this.canParse(doc)) return false;
    // A halted parse of other text must not be resumed: tree-sitter would stitch two texts together.
    if (doc.haltedText !== null && doc.haltedText !== text) parser.reset();
    let tree: Tree | null = null;
    try {
      tree = parser.parse(text, doc.tree, { progressCallback: deadlineAfter(ms) });
    } catch (e) {
      this.logger.warn(`parse of ${doc.uri} failed: ${(e as Error).message}`);
      parser.reset();
      doc.haltedText = null;
      return false;
    }
    if (!tree) {
      doc.haltedText = text;
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

/** Edits that each lie wholly below the next one in the text (the order the editor's change events come in). */
function descendingAndDisjoint(edits: readonly TextEdit[], length: number): boolean {
  let ceiling = length;
  for (const e of edits) {
    if (!(e.startOffset >= 0 && e.startOffset <= e.endOffset && e.endOffset <= ceiling)) return false;
    ceiling = e.startOffset;
  }
  return true;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
