/**
 * Cuts a streamed completion after a number of lines, as the local engine does (worker/infill.mts): the text passed on
 * stops at the limit, and `signal` aborts so the request is closed and the server stops generating.
 */
export class LineLimit {
  private readonly controller = new AbortController();
  private lines = 0;
  private kept = "";
  hit = false;
  readonly signal: AbortSignal = this.controller.signal;

  constructor(
    private readonly maxLines: number,
    private readonly onChunk: ((text: string) => void) | undefined,
  ) {}

  get text(): string {
    return this.kept;
  }

  push(chunk: string): void {
    if (this.hit) return;
    if (this.maxLines > 0) {
      const room = this.maxLines - this.lines;
      const parts = chunk.split("\n");
      if (parts.length - 1 >= room) {
        this.hit = true;
        const kept = parts.slice(0, room).join("\n");
        this.pass(kept);
        this.controller.abort();
        return;
      }
      this.lines += parts.length - 1;
    }
    this.pass(chunk);
  }

  private pass(text: string): void {
    if (!text) return;
    this.kept += text;
    this.onChunk?.(text);
  }
}
