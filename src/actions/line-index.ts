import type { LinePosition } from "./action-host";

/** Lines of a text, to convert between offsets and line/character positions as an editor counts them. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The line's text without its line break ("\n" or "\r\n"). */
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const next = this.starts[line + 1];
    if (next === undefined) return this.text.slice(start);
    return this.text.slice(start, this.text[next - 2] === "\r" ? next - 2 : next - 1);
  }

  /** The offset of a position, clamped to the text and to its line, as an editor does. */
  offsetAt(position: LinePosition): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    return this.starts[position.line]! + Math.max(0, Math.min(position.character, this.lineText(position.line).length));
  }

  positionAt(offset: number): LinePosition {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: at - this.starts[low]! };
  }

  /** Lines `from` to `to` (clamped to the text), without the last one's line break; "" when none is left. */
  lines(from: number, to: number): string {
    const start = Math.max(0, from);
    const end = Math.min(this.lineCount - 1, to);
    if (end < start) return "";
    return this.text.slice(this.starts[start], this.offsetAt({ line: end, character: Number.MAX_SAFE_INTEGER }));
  }
}
