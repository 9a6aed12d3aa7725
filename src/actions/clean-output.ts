import { fenceAliasesFor } from "./conventions";

export interface CleanInput {
  /** What the model wrote (possibly still streaming). */
  output: string;
  languageId: string;
  /** The target's text (whole lines); "" when the code is new (tests into a new file). */
  original: string;
  /** The document's text before and after the target: lines the model repeated from it are dropped. */
  before?: string;
  after?: string;
  /** The file's indentation unit ("\t", "  ", "    "); the code is converted to it. */
  indentUnit?: string;
  /** Indentation of the place the code goes ("" for a new file); by default the original's. */
  baseIndent?: string;
}

export interface CleanResult {
  /** The code, without a trailing newline. */
  code: string;
  /** Whether it came out of a fenced block (else prose was stripped heuristically). */
  fenced: boolean;
  /** Whether the fence it came from is still open (the model is still writing, or was cut). */
  open: boolean;
}

interface Block {
  tag: string;
  lines: string[];
  open: boolean;
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w#+.-]*)[^`]*$/;

/**
 * Turns a model's answer into the code that replaces the target: the best fenced block (or the answer without its
 * leading and trailing prose), without lines it repeated from around the target, indented like the file.
 * Returns null when nothing code-like is left.
 */
export function cleanActionOutput(input: CleanInput): CleanResult | null {
  const text = input.output.replace(/\r\n/g, "\n").replace(/<think>[\s\S]*?(<\/think>|$)/g, "");
  const blocks = findBlocks(text);
  let lines: string[];
  let open = false;
  if (blocks.length) {
    const best = pickBlock(blocks, input.languageId, input.original);
    lines = best.lines;
    open = best.open;
  } else {
    lines = stripProse(text.split("\n"));
  }
  lines = trimBlankEnds(lines);
  if (input.original.trim()) lines = trimToTarget(lines, input.original, `${input.before ?? ""}\n${input.after ?? ""}`);
  lines = trimBlankEnds(lines);
  if (!lines.some((l) => l.trim())) return null;
  const base = input.baseIndent ?? minIndent(input.original.split("\n"));
  return { code: reindent(lines, base, input.indentUnit).join("\n"), fenced: blocks.length > 0, open };
}

function findBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (!m) continue;
    const marker = m[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const t = lines[j]!.trim();
      if (t.startsWith(marker[0]!.repeat(marker.length)) && t.replace(/[`~]/g, "") === "") break;
      body.push(lines[j]!);
    }
    blocks.push({ tag: (m[2] ?? "").toLowerCase(), lines: body, open: j >= lines.length });
    i = j;
  }
  return blocks;
}

function pickBlock(blocks: Block[], languageId: string, original: string): Block {
  const aliases = new Set(fenceAliasesFor(languageId));
  const words = identifiers(original);
  let best = blocks[0]!;
  let bestScore = -Infinity;
  for (const block of blocks) {
    const body = block.lines.join("\n");
    const tagScore = block.tag === "" || aliases.has(block.tag) ? 1 : 0;
    const overlap = words.size ? jaccard(words, identifiers(body)) : 0;
    // Similar to the original first, the language's tag next, then the longest.
    const score = overlap * 10 + tagScore * 2 + Math.min(body.length, 20_000) / 20_000;
    if (score > bestScore) {
      best = block;
      bestScore = score;
    }
  }
  return best;
}

const CODE_START = /^(\/\/|\/\*|\*|#|@|"""|'''|<|[{}()[\]])|^(def|class|function|async|return|const|let|var|import|from|export|if|for|while|pub|fn|func|package|public|private|protected|static|type|interface|enum|struct|impl|use|mod)\b/;

/** A line of prose around code: a sentence, or a lead-in that ends with a colon. */
function isProse(line: string): boolean {
  const t = line.trim();
  if (!t || CODE_START.test(t)) return false;
  if (/[;{}=]|=>|\)\s*$/.test(t)) return false;
  const words = t.split(/\s+/).length;
  return /^[A-Za-z]/.test(t) && words >= 3 && (/[.:!?]$/.test(t) || /^(here|sure|certainly|okay|ok|this|the|i|below|note)\b/i.test(t));
}

function stripProse(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (isProse(lines[start]!) || !lines[start]!.trim())) start++;
  while (end > start && (isProse(lines[end - 1]!) || !lines[end - 1]!.trim())) end--;
  return lines.slice(start, end);
}

const COMMENT_OR_DECORATOR = /^(\/\/|\/\*|\*|#|@|"""|'''|--)/;

/** Drops lines before and after the target that the model copied from the document around it. */
function trimToTarget(lines: string[], original: string, context: string): string[] {
  const originalLines = original.split("\n").map((l) => l.trim()).filter(Boolean);
  const contextLines = new Set(context.split("\n").map((l) => l.trim()).filter(Boolean));
  const inContext = (l: string) => !l.trim() || contextLines.has(l.trim());
  const anchorFirst = originalLines.find((l) => !COMMENT_OR_DECORATOR.test(l));
  const anchorLast = originalLines[originalLines.length - 1];
  let start = 0;
  const k = anchorFirst ? lines.findIndex((l) => l.trim() === anchorFirst) : -1;
  if (k > 0) {
    let s = k;
    while (s > 0 && (COMMENT_OR_DECORATOR.test(lines[s - 1]!.trim()) || (!lines[s - 1]!.trim() && s - 1 > 0 && COMMENT_OR_DECORATOR.test(lines[s - 2]!.trim())))) s--;
    // A doc comment the model copied from above the target belongs to the context, not to the new code.
    if (lines.slice(0, s).every(inContext)) start = s;
    // A doc comment copied from just above the target (outside it) is context, not new code.
    const originalSet = new Set(originalLines);
    let copied = start;
    while (copied < k && inContext(lines[copied]!) && !originalSet.has(lines[copied]!.trim())) copied++;
    if (copied === k) start = k;
  }
  let end = lines.length;
  if (anchorLast) {
    for (let j = Math.max(k, start); j < lines.length; j++) {
      if (lines[j]!.trim() !== anchorLast) continue;
      if (lines.slice(j + 1).every(inContext)) {
        end = j + 1;
        break;
      }
    }
  }
  return lines.slice(start, end);
}

function trimBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && !lines[start]!.trim()) start++;
  while (end > start && !lines[end - 1]!.trim()) end--;
  return lines.slice(start, end).map((l) => l.replace(/\s+$/, ""));
}

function leading(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

export function minIndent(lines: readonly string[]): string {
  let min: string | undefined;
  for (const line of lines) {
    if (!line.trim()) continue;
    const indent = leading(line);
    if (min === undefined || indent.length < min.length) min = indent;
  }
  return min ?? "";
}

/** Removes the code's own base indentation, converts its indentation unit to the file's, and adds `base`. */
function reindent(lines: string[], base: string, unit: string | undefined): string[] {
  const own = minIndent(lines).length;
  const relative = lines.map((l) => (l.trim() ? l.slice(Math.min(own, leading(l).length)) : ""));
  const codeUnit = detectUnit(relative);
  return relative.map((l) => {
    if (!l) return "";
    const indent = leading(l);
    const rest = l.slice(indent.length);
    return base + convertIndent(indent, codeUnit, unit) + rest;
  });
}

/** The indentation unit of code: a tab, or the smallest run of spaces that opens a level (doc-comment ` * ` lines aside). */
export function detectUnit(lines: readonly string[]): string | undefined {
  let smallest = Infinity;
  for (const line of lines) {
    const indent = leading(line);
    if (!indent) continue;
    if (indent.startsWith("\t")) return "\t";
    if (/^\s*\*/.test(line) && indent.length % 2 === 1) continue;
    smallest = Math.min(smallest, indent.length);
  }
  return Number.isFinite(smallest) ? " ".repeat(smallest) : undefined;
}

function convertIndent(indent: string, from: string | undefined, to: string | undefined): string {
  if (!from || !to || from === to) return indent;
  const width = from === "\t" ? 1 : from.length;
  const spaces = indent.replace(/\t/g, from === "\t" ? "\t" : from);
  if (from === "\t") {
    const tabs = /^\t*/.exec(spaces)?.[0].length ?? 0;
    return to.repeat(tabs) + spaces.slice(tabs);
  }
  const levels = Math.floor(spaces.length / width);
  return to.repeat(levels) + " ".repeat(spaces.length - levels * width);
}

function identifiers(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]{2,}/g) ?? []);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const union = a.size + b.size - shared;
  return union ? shared / union : 0;
}
