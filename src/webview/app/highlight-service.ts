// The highlighting worker's work queue, DOM-free so that unit tests drive it under Node: lines of a streaming block
// first (the user is watching them arrive), then complete blocks a slice at a time in the order they were asked for,
// yielding between short runs so that a `drop` for blocks that left the view is seen before their work is done.
import { canHighlight, highlightPart, highlightSlices } from "./highlight";
import type { FromHighlighter, ToHighlighter } from "./highlight-protocol";

/** Work done per turn of the worker's event loop before it looks at its messages again. */
const RUN_MS = 10;

interface BlockJob {
  id: number;
  length: number;
  slices: Iterator<{ end: number; html: string }>;
}

export class HighlightService {
  private readonly lines: Extract<ToHighlighter, { type: "lines" }>[] = [];
  private blocks: BlockJob[] = [];
  private scheduled = false;

  constructor(
    private readonly post: (message: FromHighlighter) => void,
    private readonly schedule: (run: () => void) => void,
  ) {}

  receive(message: ToHighlighter): void {
    switch (message.type) {
      case "block":
        if (message.code !== "" && canHighlight(message.language, message.code)) {
          this.blocks.push({ id: message.id, length: message.code.length, slices: highlightSlices(message.code, message.language) });
        }
        else this.post({ type: "plain", id: message.id });
        break;
      case "lines":
        this.lines.push(message);
        break;
      case "drop": {
        const ids = message.ids;
        this.blocks = ids === "all" ? [] : this.blocks.filter((job) => !ids.includes(job.id));
        break;
      }
    }
    this.kick();
  }

  /** Queued blocks, for tests. */
  get queuedBlocks(): number {
    return this.blocks.length;
  }

  private kick(): void {
    if (this.scheduled || (this.lines.length === 0 && this.blocks.length === 0)) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const started = performance.now();
      while (performance.now() - started < RUN_MS && this.step());
      this.kick();
    });
  }

  /** One piece of work; false when there is none left. */
  private step(): boolean {
    const lines = this.lines.shift();
    if (lines) {
      const part = canHighlight(lines.language, lines.code) ? highlightPart(lines.code, lines.language) : undefined;
      this.post(part ? { type: "lines", id: lines.id, ...part } : { type: "plain", id: lines.id });
      return true;
    }
    const job = this.blocks[0];
    if (!job) return false;
    const next = job.slices.next();
    // highlightSlices always ends with a slice that reaches the end of the code.
    const done = next.done || next.value.end >= job.length;
    if (done) this.blocks.shift();
    if (next.done) {
      this.post({ type: "plain", id: job.id });
      return true;
    }
    this.post({ type: "slice", id: job.id, end: next.value.end, html: next.value.html, done });
    return true;
  }
}
