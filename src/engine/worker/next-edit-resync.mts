// When a next-edit answer may stop early. The model rewrites the whole window, but the host keeps only the change
// nearest the cursor, and once the answer has made a change and then copied the window's own lines again for a few
// lines, the rest of it is most likely a copy too: generating it costs time and shows nothing new. This watches the
// answer line by line and says when it has come back to the window far enough past the cursor that no later change
// could be the one shown; the answer is then completed from the window's remaining lines.

/** Lines the answer must copy after a change before it counts as back on the window. */
export const DEFAULT_RESYNC_LINES = 3;
/** Lines a change may remove beyond those it writes and still end early (a short deletion). */
const MAX_EXTRA_REMOVED = 2;

export interface ResyncOptions {
  /** The window the model rewrites (the "current" text of the prompt), without the line break after it. */
  window: string;
  /** The cursor's line within the window. */
  cursorLine: number;
  resyncLines?: number;
}

/** A changed place so far: window lines [from, to) became other lines. */
interface Change {
  from: number;
  to: number;
}

export class ResyncWatcher {
  private readonly window: string[];
  private readonly cursorLine: number;
  private readonly resyncLines: number;
  private text = "";
  /** Complete lines of the answer looked at so far. */
  private lines: string[] = [];
  /** The window line the answer is at while it copies; where the change began while it changes. */
  private at = 0;
  /** The answer's line where the change under way began, or -1 while the answer copies the window. */
  private changeStart = -1;
  private readonly changes: Change[] = [];
  /** Lines copied since the answer last came back to the window. */
  private copied = 0;
  private done: string | undefined;

  constructor(options: ResyncOptions) {
    this.window = options.window.split("\n");
    this.cursorLine = options.cursorLine;
    this.resyncLines = Math.max(1, options.resyncLines ?? DEFAULT_RESYNC_LINES);
  }

  /**
   * Takes the next piece of the answer. Returns the whole answer (what was written and the window's lines after the
   * point it came back to) once the rest would be a copy that cannot change what is shown; undefined until then.
   */
  push(chunk: string): string | undefined {
    if (this.done !== undefined) return this.done;
    this.text += chunk;
    const complete = this.text.split("\n");
    complete.pop(); // the line being written
    while (this.lines.length < complete.length) {
      this.lines.push(complete[this.lines.length]!);
      this.step();
      if (this.shouldStop()) {
        const rest = this.window.slice(this.at);
        this.done = `${[...this.lines, ...rest].join("\n")}\n`;
        return this.done;
      }
    }
    return undefined;
  }

  private step(): void {
    const line = this.lines[this.lines.length - 1]!;
    if (this.changeStart < 0) {
      if (this.at < this.window.length && this.window[this.at] === line) {
        this.at++;
        this.copied++;
        return;
      }
      this.changeStart = this.lines.length - 1;
      this.copied = 0;
      return;
    }
    // In a change: it ends where the last resyncLines lines of the answer are the window's own lines, at a place no
    // earlier than where the change began, and at one place only (an ambiguous place waits for more lines).
    const n = this.resyncLines;
    if (this.lines.length - this.changeStart < n) return;
    const tail = this.lines.slice(-n);
    let found = -1;
    for (let end = this.at + n; end <= this.window.length; end++) {
      if (tail.every((l, i) => this.window[end - n + i] === l)) {
        if (found >= 0) return;
        found = end;
      }
    }
    if (found < 0) return;
    // A place that would make the change remove many more lines than it wrote is more likely a copy of lines from
    // further down inside a longer insertion than a large deletion: wait (at worst the answer runs to its end).
    const removed = found - n - this.at;
    const written = this.lines.length - n - this.changeStart;
    if (removed > written + MAX_EXTRA_REMOVED) return;
    this.changes.push({ from: this.at, to: found - n });
    this.at = found;
    this.changeStart = -1;
    this.copied = n;
  }

  private shouldStop(): boolean {
    if (this.changeStart >= 0 || this.changes.length === 0 || this.copied < this.resyncLines) return false;
    // A later change starts at or after this.at, so at least this.at - cursorLine lines from the cursor; the host
    // shows the nearest change (the first of equals), so once that is farther than the nearest so far, none can win.
    const nearest = Math.min(...this.changes.map((c) => distance(c, this.cursorLine)));
    return this.at - this.cursorLine > nearest;
  }
}

function distance(change: Change, line: number): number {
  const last = change.from + Math.max(change.to - change.from, 1) - 1;
  return line < change.from ? change.from - line : line > last ? line - last : 0;
}
