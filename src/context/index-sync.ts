import type { DocumentStore } from "./document-store";
import type { SymbolIndex } from "./index/symbol-index";
import { isInExcludedFolder } from "./index/workspace-files";
import { isIndexableLanguage } from "./languages";
import { uriToPath } from "./uri-path";

/**
 * How long typing must pause before the edited file is reindexed. Reindexing a long file keeps the index worker busy
 * for tens of milliseconds, during which the next keystroke's lookup would wait; the edited file's own symbols matter
 * to other files only, which can wait until the user stops.
 */
const EDIT_SYNC_DELAY_MS = 2500;

/**
 * Keeps the workspace index in step with the editor: an open document is indexed from its text (after a pause in
 * typing), a closed one from disk again, and files that change or go on disk as the file watcher reports them.
 */
export class IndexSync {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly index: SymbolIndex,
    private readonly documents: DocumentStore,
  ) {}

  opened(uri: string): void {
    this.schedule(uri, 0);
  }

  edited(uri: string): void {
    this.schedule(uri, EDIT_SYNC_DELAY_MS);
  }

  closed(uri: string): void {
    const path = uriToPath(uri);
    // Unsaved changes are gone with the editor: the file on disk is the truth again.
    if (path) this.index.updateFile(path);
  }

  changedOnDisk(uri: string): void {
    const path = uriToPath(uri);
    // `npm install` rewrites thousands of files under node_modules: the index never walks there, so never reparse them.
    if (!path || this.documents.has(uri) || isInExcludedFolder(path)) return;
    this.index.updateFile(path);
  }

  deletedOnDisk(uri: string): void {
    const path = uriToPath(uri);
    if (path) this.index.removeFile(path);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(uri: string, delayMs: number): void {
    const path = uriToPath(uri);
    const languageId = this.documents.getLanguageId(uri);
    if (!path || !languageId || !isIndexableLanguage(languageId)) return;
    clearTimeout(this.timers.get(uri));
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      const text = this.documents.getText(uri);
      // A minified file would keep the worker parsing for a second and more, while lookups wait behind it.
      if (text !== null && this.documents.isParseable(uri)) this.index.updateFile(path, text, languageId);
    }, delayMs);
    timer.unref?.();
    this.timers.set(uri, timer);
  }
}
