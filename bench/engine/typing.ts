// A typing replay: a real file with some of its lines removed, typed back one character at a time. A completion is
// requested at each pause a typist makes: after each punctuation character, after a run of whitespace (indentation
// counts once), and at the end of each line (empty lines included).

export interface TypingStep {
  /** Index of the step (0 = the document before anything is typed). */
  index: number;
  /** The document text before and after the cursor. */
  before: string;
  after: string;
  /** 0-based document line and column of the cursor. */
  line: number;
  column: number;
}

const WORD = /[\p{L}\p{N}_$]/u;
const SPACE = /\s/;

/**
 * Steps for typing lines `firstLine`..`lastLine` (1-based, inclusive) of `text`: the document starts without them and
 * gets them back one character at a time; a step is recorded at each pause.
 */
export function typingSteps(text: string, firstLine: number, lastLine: number): TypingStep[] {
  const lines = text.split("\n");
  if (firstLine < 1 || lastLine > lines.length || firstLine > lastLine) throw new Error(`lines ${firstLine}-${lastLine} are not in the file (${lines.length} lines)`);
  const head = lines.slice(0, firstLine - 1).map((line) => `${line}\n`).join("");
  const typed = lines.slice(firstLine - 1, lastLine).join("\n");
  // The lines after the typed ones; the cursor's line keeps its own line break.
  const tail = `\n${lines.slice(lastLine).join("\n")}`;
  const steps: TypingStep[] = [];
  const push = (n: number) => {
    const sofar = typed.slice(0, n);
    const lineInTyped = sofar.split("\n").length - 1;
    const column = n - (sofar.lastIndexOf("\n") + 1);
    steps.push({ index: steps.length, before: head + sofar, after: tail, line: firstLine - 1 + lineInTyped, column });
  };
  push(0);
  for (let i = 0; i < typed.length; i++) {
    const c = typed[i]!;
    const next = typed[i + 1];
    const atLineEnd = next === undefined || next === "\n";
    const punctuation = !WORD.test(c) && !SPACE.test(c);
    const endOfSpaces = SPACE.test(c) && !SPACE.test(next ?? "");
    if (atLineEnd || punctuation || endOfSpaces) push(i + 1);
  }
  return steps;
}

/** The llama.vscode view of a step: whole lines before the cursor's line, the line so far, and the lines after. */
export interface LlamaVscodeInfill {
  input_prefix: string;
  prompt: string;
  input_suffix: string;
}

/**
 * What llama.vscode (ggml-org/llama.vscode, src/completion.ts) sends to `/infill` for a cursor: `n_prefix` whole lines
 * before the cursor's line joined with "\n" plus "\n"; the cursor's line up to the cursor as `prompt` (empty when it is
 * only indentation); the rest of the cursor's line + "\n" + `n_suffix` following lines + "\n". Its defaults are 256 and
 * 64 lines.
 */
export function llamaVscodeInfill(step: TypingStep, nPrefix = 256, nSuffix = 64): LlamaVscodeInfill {
  const doc = step.before + step.after;
  const lines = doc.split("\n");
  const prefixLines = lines.slice(Math.max(0, step.line - nPrefix), step.line);
  const suffixLines = lines.slice(step.line + 1, Math.min(lines.length - 1, step.line + nSuffix) + 1);
  const lineText = lines[step.line] ?? "";
  const linePrefix = lineText.slice(0, step.column);
  const lineSuffix = lineText.slice(step.column);
  return {
    input_prefix: `${prefixLines.join("\n")}\n`,
    prompt: /^[ \t]*$/.test(linePrefix) ? "" : linePrefix,
    input_suffix: `${lineSuffix}\n${suffixLines.join("\n")}\n`,
  };
}

/**
 * llama.vscode's ring buffer for files the user had open (ggml-org/llama.vscode, src/extra-context.ts `pickChunk`):
 * a file shorter than 63 lines goes whole; from a longer one a window of `chunkSize / 2` (32) lines, at a random line
 * there, seeded here by the file's name so every run sends the same chunks. The ring holds at most 16 chunks. Chunks
 * it would add later for the typed file itself (when the cursor jumps far, on save or copy) are left out: they enter
 * the ring at most one per second and only after 3 s without a completion, which a typist's pauses rarely give.
 */
export function llamaVscodeRing(tabs: readonly { relativePath: string; text: string }[], chunkSize = 64, maxChunks = 16): { filename: string; text: string }[] {
  return tabs.slice(-maxChunks).map((tab) => {
    const lines = tab.text.split("\n");
    if (lines.length + 1 < chunkSize) return { filename: tab.relativePath, text: `${lines.join("\n")}\n` };
    const span = chunkSize / 2;
    const start = seededIndex(tab.relativePath, Math.max(1, lines.length - span + 1));
    return { filename: tab.relativePath, text: `${lines.slice(start, start + span).join("\n")}\n` };
  });
}

function seededIndex(seed: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  return h % n;
}
