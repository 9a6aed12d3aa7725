import type { Tree } from "web-tree-sitter";
import type { TextEdit } from "./document-store";
import { readImports } from "./imports";
import type { ImportStatement } from "./imports";
import type { LanguageSpec } from "./languages";

interface Entry {
  version: number | null;
  /** The text the imports were read from: the document's, or a window's head. */
  text: string;
  fromTree: boolean;
  imports: ImportStatement[];
  /** How far the text was read for imports: edits below it do not change them. */
  scannedTo: number;
  /** The imports moved to a window's offsets. */
  shifted?: { base: number; imports: ImportStatement[] };
}

/**
 * Each open file's import statements, read once per version of the part of the file they are in: typing below the
 * imports (or, in a file without any, below what was read for them) keeps them.
 */
export class FileImports {
  private readonly cache = new Map<string, Entry>();

  /** `specOf`: the node types of a language whose grammar is loaded (every language a tree is given for). */
  constructor(private readonly specOf: (languageId: string) => LanguageSpec | null) {}

  /**
   * The imports of `text` (the document's text, or a window's head when `base` > 0), at offsets of the text that
   * starts at `base` in the document (a window's imports lie before it: negative).
   */
  of(uri: string, languageId: string, version: number | null, text: string, tree: Tree | null, base: number): ImportStatement[] {
    let cached = this.cache.get(uri);
    if (!(cached && cached.version === version && cached.text === text && (cached.fromTree || !tree))) {
      const { imports, scannedTo } = readImports(text, languageId, tree, tree ? this.specOf(languageId) : null);
      cached = { version, text, fromTree: tree !== null, imports, scannedTo };
      this.cache.set(uri, cached);
    }
    if (base === 0) return cached.imports;
    // The same array for the same window, so that the names near the cursor are computed once per position.
    if (cached.shifted?.base !== base) cached.shifted = { base, imports: cached.imports.map((i) => ({ ...i, startIndex: i.startIndex - base, endIndex: i.endIndex - base })) };
    return cached.shifted.imports;
  }

  /** The document changed to `text` (null: not kept) by `edits`: keeps its imports when the edits are below them. */
  edited(uri: string, edits: readonly TextEdit[], version: number, text: string | null): void {
    const cached = this.cache.get(uri);
    if (!cached) return;
    const importsEnd = cached.imports.length ? Math.max(0, ...cached.imports.map((i) => i.endIndex)) : cached.scannedTo;
    if (text !== null && edits.every((e) => e.startOffset > importsEnd && e.endOffset >= e.startOffset)) {
      cached.version = version;
      cached.text = text;
    } else this.cache.delete(uri);
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
