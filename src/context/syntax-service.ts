import type { Tree } from "web-tree-sitter";
import { findDeclarationAt } from "./cursor-analysis";
import type { DeclarationRange } from "./cursor-analysis";
import type { LanguageSpec } from "./languages";
import type { SyntaxRuntime } from "./syntax-runtime";

/** A one-off parse holds the thread this long at most per turn of the event loop. */
const PARSE_SLICE_MS = 8;
/** Longer texts are not parsed for a one-off question. */
const MAX_PARSE_CHARS = 2_000_000;

/**
 * Syntax facts about a text that no open document has to hold: what the refactor actions ask (the declaration around
 * the cursor, whether a proposed edit breaks the syntax). Each question is a fresh, complete parse, in slices: a
 * parser of its own resumes where each slice stopped, so that a long file never holds the thread for the whole parse.
 */
export class SyntaxService {
  private disposed = false;

  constructor(private readonly runtime: SyntaxRuntime) {}

  /** The function, method or class around `offset`; null without a grammar or outside one. */
  async findDeclaration(languageId: string, text: string, offset: number): Promise<DeclarationRange | null> {
    return this.withTree(languageId, text, (tree, spec) => findDeclarationAt(tree, text, offset, spec));
  }

  /** Whether the text has syntax errors; null when the language has no grammar here. */
  async hasSyntaxErrors(languageId: string, text: string): Promise<boolean | null> {
    return this.withTree(languageId, text, (tree) => tree.rootNode.hasError);
  }

  /** Stops parses under way (they resolve null); the runtime belongs to the caller. */
  dispose(): void {
    this.disposed = true;
  }

  private async withTree<T>(languageId: string, text: string, read: (tree: Tree, spec: LanguageSpec) => T): Promise<T | null> {
    const parsed = await this.parse(languageId, text);
    if (!parsed) return null;
    try {
      return read(parsed.tree, parsed.spec);
    } finally {
      parsed.tree.delete();
    }
  }

  private async parse(languageId: string, text: string): Promise<{ tree: Tree; spec: LanguageSpec } | null> {
    if (text.length > MAX_PARSE_CHARS) return null;
    const grammar = await this.runtime.load(languageId);
    if (!grammar || this.disposed) return null;
    const parser = this.runtime.createParser(grammar);
    try {
      for (;;) {
        const deadline = performance.now() + PARSE_SLICE_MS;
        const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
        if (tree) return { tree, spec: grammar.spec };
        await new Promise((resolve) => setImmediate(resolve));
        if (this.disposed) return null;
      }
    } finally {
      parser.delete();
    }
  }
}
