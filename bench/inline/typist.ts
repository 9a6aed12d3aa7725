// A human typist for the inline replay: types a stretch of a real file back one key at a time, at a human pace, in
// real time. Everything random (pause jitter, the occasional typo, the longer "thinking" pauses) is a pure function of
// the position in the text, so every configuration of a replay meets the same typist at the same place.

export interface TypingSegment {
  /** Where the text came from, for the report. */
  origin: string;
  /** The file's absolute path (its file: URI is what the editor would pass). */
  absolutePath: string;
  /** Workspace-relative path and folder name, as the extension's snapshot carries them. */
  relativePath: string;
  repoName: string;
  languageId: string;
  /** 1-based, inclusive: the lines removed from the file and typed back. */
  firstLine: number;
  lastLine: number;
  /** Text before the typed lines, the lines themselves (joined with "\n"), and the text after them ("\n" + the rest). */
  head: string;
  typed: string;
  tail: string;
  /** Lines in the whole file. */
  fileLines: number;
}

export function makeSegment(
  file: { origin: string; absolutePath: string; relativePath: string; repoName: string; languageId: string; text: string },
  firstLine: number,
  lastLine: number,
): TypingSegment {
  const lines = file.text.split("\n");
  if (firstLine < 1 || lastLine > lines.length || firstLine > lastLine) throw new Error(`lines ${firstLine}-${lastLine} are not in ${file.relativePath} (${lines.length} lines)`);
  return {
    origin: file.origin,
    absolutePath: file.absolutePath,
    relativePath: file.relativePath,
    repoName: file.repoName,
    languageId: file.languageId,
    firstLine,
    lastLine,
    head: lines.slice(0, firstLine - 1).map((line) => `${line}\n`).join(""),
    typed: lines.slice(firstLine - 1, lastLine).join("\n"),
    tail: `\n${lines.slice(lastLine).join("\n")}`,
    fileLines: lines.length,
  };
}

/** The typist's pace; gaps are between the previous key and this one. */
export interface Pace {
  keyMs: number;
  /** After the last character of a word. */
  wordEndMs: number;
  /** After Enter, before the first character of the new line. */
  lineEndMs: number;
  /** Now and then after Enter: the typist thinks about the next line. */
  thinkMs: number;
  /** Share of new lines that start with a thinking pause. */
  thinkShare: number;
  /** Share of letters mistyped (a wrong letter, noticed, deleted, then the right one). */
  typoShare: number;
  /** Noticing a typo before deleting it. */
  typoNoticeMs: number;
  /** Each gap is scaled by a factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export const HUMAN_PACE: Pace = {
  keyMs: 60,
  wordEndMs: 150,
  lineEndMs: 400,
  thinkMs: 1800,
  thinkShare: 0.25,
  typoShare: 0.02,
  typoNoticeMs: 250,
  jitter: 0.15,
};

export type KeyKind = "char" | "enter" | "indent" | "typo" | "backspace" | "accept";

export interface Key {
  kind: KeyKind;
  /** Text the key inserts at the cursor ("" for backspace, which deletes one character before it). */
  insert: string;
  /** Characters of the typed text this key completes (0 for a typo and its backspace). */
  advance: number;
  /** Milliseconds after the previous key. */
  gapMs: number;
}

const WORD = /[\p{L}\p{N}_$#]/u;

/** A deterministic number in [0, 1) for a position and a purpose. */
export function chance(position: number, salt: number): number {
  let x = (Math.imul(position + 1, 0x9e3779b1) ^ Math.imul(salt + 7, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/**
 * The next key at position `at` of `typed` (the index of the first character not yet in the document). Enter inserts
 * the new line's indentation with it, as an editor's auto-indent does; indentation the cursor stands before (the
 * first line, or after an accept that ended at a line break) is one key as well.
 */
export function nextKey(typed: string, at: number, previous: { kind: KeyKind; insert: string } | null, pace: Pace = HUMAN_PACE): Key {
  const c = typed[at]!;
  const jitter = (salt: number) => 1 + pace.jitter * (2 * chance(at, salt) - 1);
  const gapAfterPrevious = (): number => {
    if (!previous) return 0;
    if (previous.kind === "enter" || previous.kind === "accept") {
      const think = chance(lineIndex(typed, at), 3) < pace.thinkShare;
      return (think ? pace.thinkMs : pace.lineEndMs) * jitter(1);
    }
    const last = previous.insert.slice(-1);
    const wordEnd = last !== "" && WORD.test(last) && !WORD.test(c);
    return (wordEnd ? pace.wordEndMs : pace.keyMs) * jitter(1);
  };
  if (c === "\n") {
    const indent = /^[ \t]*/.exec(typed.slice(at + 1))![0];
    return { kind: "enter", insert: `\n${indent}`, advance: 1 + indent.length, gapMs: gapAfterPrevious() };
  }
  if ((at === 0 || typed[at - 1] === "\n") && (c === " " || c === "\t")) {
    const indent = /^[ \t]*/.exec(typed.slice(at))![0];
    return { kind: "indent", insert: indent, advance: indent.length, gapMs: gapAfterPrevious() };
  }
  const char = String.fromCodePoint(typed.codePointAt(at)!);
  return { kind: "char", insert: char, advance: char.length, gapMs: gapAfterPrevious() };
}

/** Whether the letter at `at` is mistyped first, and as what. */
export function typoAt(typed: string, at: number, pace: Pace = HUMAN_PACE): string | null {
  const c = typed[at]!;
  if (!/[a-z]/i.test(c) || chance(at, 5) >= pace.typoShare) return null;
  const wrong = c === "z" ? "x" : c === "Z" ? "X" : String.fromCharCode(c.charCodeAt(0) + 1);
  return wrong;
}

function lineIndex(typed: string, at: number): number {
  let n = 0;
  for (let i = typed.indexOf("\n"); i >= 0 && i < at; i = typed.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * A rough code tokenizer (a word with its leading space, a number, a run of spaces, one other character): the
 * oracle hands out the true continuation one such piece per token the engine really generated.
 */
export function codePieces(text: string): string[] {
  return text.match(/ ?[\p{L}_$#][\p{L}\p{N}_$]*| ?\d+|[ \t]+|\n|[^\s]/gu) ?? [];
}
