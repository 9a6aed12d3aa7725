import type { DocumentStore } from "./document-store";
import { FileWindows } from "./similar-snippets";
import type { SnippetSource } from "./similar-snippets";
import { isSecretFile } from "./secret-files";
import { LineNumbers } from "./text-lines";

const RECENT_FILES = 20;
const SNIPPET_FILES = 8;
const RECENT_EDITS = 6;
const MAX_CACHED_FILE_CHARS = 512 * 1024;
/** Characters of recent files cut into windows per completion request, and per background turn between requests. */
const WINDOW_CHARS_PER_REQUEST = 64 * 1024;
const WINDOW_CHARS_PER_TURN = 32 * 1024;

interface RecentFile {
  uri: string;
  /** Text read from disk for files that are not open. */
  text: string | null;
  windows: FileWindows | null;
  windowsFor: string | null;
}

export interface RecentFilesOptions {
  documents: DocumentStore;
  /** Reads a workspace file (recently viewed files that are not open); null when it cannot be read. */
  readFile(path: string): Promise<string | null>;
  pathOf(uri: string): string | null;
}

/** Where the user last edited a file: its text now, and the edit's offset in it. */
export interface RecentEdit {
  /** 0 for the latest edit of all (in any file), 1 for the one before, … */
  rank: number;
  path: string;
  text: string;
  offset: number;
  /** The 0-based line of an offset of `text`. */
  lineAt(offset: number): number;
}

/**
 * The files the user visited and edited lately, for the snippet and recent-edit retrievers: the visited files cut into
 * windows of lines, and where the last edits were. Windows are cut a bounded amount at a time, between requests and
 * within them, so that visiting a large file never stalls a keystroke.
 */
export class RecentFiles {
  private readonly recent: RecentFile[] = [];
  private readonly edits: { uri: string; offset: number }[] = [];
  private cutting: NodeJS.Immediate | undefined;
  /** Files being read from disk. */
  private reading = 0;
  private disposed = false;

  constructor(private readonly opts: RecentFilesOptions) {}

  visited(uri: string): void {
    if (this.isSecret(uri)) return;
    this.touch(uri);
  }

  edited(uri: string, offset: number): void {
    if (this.isSecret(uri)) return;
    this.touch(uri);
    const i = this.edits.findIndex((e) => e.uri === uri);
    if (i >= 0) this.edits.splice(i, 1);
    this.edits.unshift({ uri, offset });
    this.edits.length = Math.min(this.edits.length, RECENT_EDITS);
  }

  /**
   * Resolves once the recent files are read and cut into windows (as they are a moment after a visit): true, or false
   * at the timeout (tests, benches).
   */
  async whenReady(timeoutMs = 5000): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const cutting = this.snippetFiles(this.edits[0]?.uri ?? "").some((entry) => !(this.windowsOf(entry)?.done ?? true));
      if (this.reading === 0 && !cutting) return true;
      if (this.disposed || performance.now() > until) return false;
      if (cutting) this.cutInBackground();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  deleted(uri: string): void {
    const i = this.recent.findIndex((r) => r.uri === uri);
    if (i >= 0) this.recent.splice(i, 1);
  }

  dispose(): void {
    this.disposed = true;
    if (this.cutting) clearImmediate(this.cutting);
    this.recent.length = 0;
    this.edits.length = 0;
  }

  /**
   * The windows of the files visited lately, other than `uri`, as far as they are cut: a bounded amount more is cut
   * now, and the rest between requests.
   */
  snippetSources(uri: string): SnippetSource[] {
    const sources: SnippetSource[] = [];
    let budget = WINDOW_CHARS_PER_REQUEST;
    let unfinished = false;
    for (const entry of this.snippetFiles(uri)) {
      const windows = this.windowsOf(entry);
      if (!windows) continue;
      if (!windows.done && budget > 0) budget -= windows.extend(budget);
      unfinished ||= !windows.done;
      sources.push({ path: this.opts.pathOf(entry.uri) ?? entry.uri, text: windows.text, windows: windows.windows });
    }
    if (unfinished) this.cutInBackground();
    return sources;
  }

  /** The last edits in files other than `uri` whose text is known, the most recent first. */
  editsElsewhere(uri: string): RecentEdit[] {
    const out: RecentEdit[] = [];
    this.edits.forEach((edit, rank) => {
      if (edit.uri === uri) return;
      const text = this.opts.documents.getText(edit.uri) ?? this.recent.find((r) => r.uri === edit.uri)?.text;
      if (!text) return;
      out.push({
        rank,
        path: this.opts.pathOf(edit.uri) ?? edit.uri,
        text,
        offset: Math.min(edit.offset, text.length),
        // The store counts an open document's lines from where it last counted them; other text is counted from the top.
        lineAt: (offset) => this.opts.documents.lineAt(edit.uri, offset) ?? LineNumbers.at(text, offset).lineOf(offset),
      });
    });
    return out;
  }

  /** The recent files that snippets come from: other files than the current one, with text, the most recent first. */
  /** A secrets file (.env, a private key) the user looked at or edited: its lines never go into another file's prompt. */
  private isSecret(uri: string): boolean {
    return isSecretFile(this.opts.pathOf(uri) ?? uri);
  }

  private snippetFiles(uri: string): RecentFile[] {
    const out: RecentFile[] = [];
    for (const r of this.recent) {
      if (out.length >= SNIPPET_FILES) break;
      if (r.uri !== uri && (this.opts.documents.getText(r.uri) ?? r.text) !== null) out.push(r);
    }
    return out;
  }

  /** The entry's windows for its current text (started anew when the text changed); null without text. */
  private windowsOf(entry: RecentFile): FileWindows | null {
    const body = this.opts.documents.getText(entry.uri) ?? entry.text;
    if (body === null) return null;
    const key = `${this.opts.documents.getVersion(entry.uri) ?? "disk"}:${body.length}`;
    if (entry.windowsFor !== key || !entry.windows || entry.windows.text !== body) {
      entry.windows = new FileWindows(body);
      entry.windowsFor = key;
    }
    return entry.windows;
  }

  /** Goes on cutting the recent files' windows between requests, a bounded amount per turn of the event loop. */
  private cutInBackground(): void {
    if (this.cutting || this.disposed) return;
    this.cutting = setImmediate(() => {
      this.cutting = undefined;
      if (this.disposed) return;
      // Not the file being edited: its windows would start anew at every keystroke.
      for (const entry of this.snippetFiles(this.edits[0]?.uri ?? "")) {
        const windows = this.windowsOf(entry);
        if (windows && !windows.done) {
          windows.extend(WINDOW_CHARS_PER_TURN);
          this.cutInBackground();
          return;
        }
      }
    });
  }

  private touch(uri: string): void {
    const i = this.recent.findIndex((r) => r.uri === uri);
    const entry = i >= 0 ? this.recent.splice(i, 1)[0] : { uri, text: null, windows: null, windowsFor: null };
    this.recent.unshift(entry);
    this.recent.length = Math.min(this.recent.length, RECENT_FILES);
    if (entry.text === null && !this.opts.documents.has(uri)) {
      const path = this.opts.pathOf(uri);
      if (!path) return;
      this.reading++;
      this.opts
        .readFile(path)
        .then((text) => {
          if (text !== null && text.length <= MAX_CACHED_FILE_CHARS && !text.includes("\u0000")) {
            entry.text = text;
            this.cutInBackground();
          }
        })
        .catch(() => {})
        .finally(() => this.reading--);
    } else this.cutInBackground();
  }
}
