/** Lines of context around each change, as `diff -u` and `git diff` show them. */
const CONTEXT_LINES = 3;
/** Beyond this many line pairs the changed region is shown as replaced whole rather than matched line by line. */
const MAX_MATCH_CELLS = 4_000_000;

/**
 * A unified diff of one file that `git apply` and `patch -p1` take: `path` is relative to the folder they run in;
 * `before` null for a file the change creates. Empty when nothing changed. Lines are compared without their ends.
 */
export function unifiedDiff(path: string, before: string | null, after: string): string {
  if (before === after) return "";
  const a = before === null ? [] : splitLines(before);
  const b = splitLines(after);
  // Only the region between the common head and tail is matched: a proposal changes one stretch of a file.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [
    ...a.slice(0, head).map((line): Op => ({ kind: " ", line })),
    ...matchLines(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((line): Op => ({ kind: " ", line })),
  ];
  const header = [`--- ${before === null ? "/dev/null" : `a/${path}`}`, `+++ b/${path}`];
  return [...header, ...hunks(ops)].join("\n") + "\n";
}

interface Op {
  kind: " " | "-" | "+";
  line: string;
}

/** Marks a file's last line when no newline ends it: it then differs from the same line with one, as in git. */
const NO_EOL = "\u0000";

function splitLines(text: string): string[] {
  if (text === "") return [];
  // A CRLF file keeps its \r in each line, as git shows it, so that the patch applies to it.
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/** The changed region as kept, removed and added lines: a longest common subsequence, or all replaced when too large. */
function matchLines(a: readonly string[], b: readonly string[]): Op[] {
  if (a.length * b.length > MAX_MATCH_CELLS) return [...a.map((line): Op => ({ kind: "-", line })), ...b.map((line): Op => ({ kind: "+", line }))];
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i++]! });
      j++;
    } else if (j < b.length && (i === a.length || lengths[i]![j + 1]! >= lengths[i + 1]![j]!)) {
      ops.push({ kind: "+", line: b[j++]! });
    } else {
      ops.push({ kind: "-", line: a[i++]! });
    }
  }
  return ops;
}

/** The changes with CONTEXT_LINES around each, changes closer than twice that joined into one hunk. */
function hunks(ops: readonly Op[]): string[] {
  const out: string[] = [];
  const changed = ops.map((op, i) => (op.kind === " " ? -1 : i)).filter((i) => i >= 0);
  // Lines of each side before each op, for the hunks' line numbers.
  const oldBefore: number[] = [];
  const newBefore: number[] = [];
  for (let i = 0, o = 0, n = 0; i < ops.length; i++) {
    oldBefore.push(o);
    newBefore.push(n);
    if (ops[i]!.kind !== "+") o++;
    if (ops[i]!.kind !== "-") n++;
  }
  let k = 0;
  while (k < changed.length) {
    const first = changed[k]!;
    let last = first;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * CONTEXT_LINES + 1) last = changed[++k]!;
    k++;
    const from = Math.max(0, first - CONTEXT_LINES);
    const body = ops.slice(from, Math.min(ops.length, last + CONTEXT_LINES + 1));
    const oldCount = body.filter((op) => op.kind !== "+").length;
    const newCount = body.filter((op) => op.kind !== "-").length;
    // An empty side is numbered by the line before it, as diff does.
    out.push(`@@ -${oldBefore[from]! + (oldCount ? 1 : 0)},${oldCount} +${newBefore[from]! + (newCount ? 1 : 0)},${newCount} @@`);
    for (const op of body) {
      const noEol = op.line.endsWith(NO_EOL);
      out.push(`${op.kind}${noEol ? op.line.slice(0, -1) : op.line}`);
      if (noEol) out.push("\\ No newline at end of file");
    }
  }
  return out;
}
