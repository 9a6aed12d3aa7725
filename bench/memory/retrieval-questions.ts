// The retrieval bench's questions: a function's docstring (Python) or JSDoc block (JavaScript, TypeScript) is the
// question, its first sentence; the comment is left out of the copy that is indexed (full text and vectors read the same
// copy), and the answer is the place of the function's declaration line in that copy, matched by path and line range,
// so that any chunking that keeps the function whole or starts a chunk at its signature finds it.

export type QuestionLanguage = "python" | "javascript" | "typescript";

export interface FileQuestion {
  /** 0-based line of the declaration in the indexed copy. */
  line: number;
  question: string;
}

/** The copy to index (the questions' comments removed) and the questions it answers. */
export interface PreparedFile {
  text: string;
  questions: FileQuestion[];
}

/** A question shorter than this says too little to be asked ("Return the value."). */
const MIN_WORDS = 4;

export function prepareFile(text: string, language: QuestionLanguage): PreparedFile {
  return language === "python" ? preparePython(text) : prepareScript(text);
}

/** The first sentence of a comment's prose: up to the first full stop followed by a space, or the first blank line. */
export function firstSentence(prose: string): string {
  return prose
    .split(/(?<=\.)\s|\s{2,}|\n\s*\n/)[0]
    .replace(/\s+/g, " ")
    .trim();
}

const wordCount = (s: string): number => s.split(/\s+/).filter(Boolean).length;

const PYTHON_DEF = /^\s*(async\s+)?def\s+\w+\s*\(.*\)\s*(->.*)?:\s*$/;

/** Each `def` whose next line opens a docstring: the docstring is replaced by `pass` (the body stays valid). */
function preparePython(text: string): PreparedFile {
  const lines = text.split("\n");
  const out: string[] = [];
  const questions: FileQuestion[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    const next = lines[i + 1];
    if (!PYTHON_DEF.test(lines[i]) || next === undefined) continue;
    const open = /^(\s*)[rRuU]?("""|''')(.*)$/.exec(next);
    if (!open) continue;
    const quote = open[2];
    let doc = open[3];
    let end = i + 1;
    if (!doc.includes(quote)) {
      for (end = i + 2; end < lines.length && !lines[end].includes(quote); end++) doc += `\n${lines[end].trim()}`;
      if (end < lines.length) doc += `\n${lines[end].trim()}`;
    }
    const sentence = firstSentence(doc.split(quote).join(" ").trim());
    if (wordCount(sentence) >= MIN_WORDS) questions.push({ line: out.length - 1, question: sentence });
    out.push(`${open[1]}pass`);
    i = end;
  }
  return { text: out.join("\n"), questions };
}

/** Keywords that open a line like a method's `name(…) {` but are statements. */
const STATEMENTS = new Set(["if", "for", "while", "switch", "catch", "return", "function", "typeof", "await", "new", "else", "do", "with", "super", "this"]);

/** A declaration of a function on one line: `function f(`, `const f = (…) =>`, `x.f = function`, a method `f(…) {`. */
export function isScriptFunctionLine(line: string): boolean {
  if (/^\s*(export\s+)?(default\s+)?(declare\s+)?(async\s+)?function\s*\*?\s*[\w$]*\s*(<[^>]*>)?\(/.test(line)) return true;
  if (/^\s*(export\s+)?(const|let|var)\s+[\w$]+\s*(:[^=]+)?=\s*(async\s+)?(function\b|\([^)]*\)?\s*(:[^=]+)?=>|\([^)]*$|[\w$]+\s*=>)/.test(line)) return true;
  if (/^\s*[\w$.]+\s*=\s*(async\s+)?(function\b|\([^)]*\)\s*=>)/.test(line)) return true;
  const method = /^\s*((public|private|protected|static|async|readonly|override|abstract|get|set)\s+)*\*?\s*([\w$]+)\s*(<[^>]*>)?\(/.exec(line);
  if (method && !STATEMENTS.has(method[3]) && /(\{|\(|,)\s*$/.test(line)) return true;
  return false;
}

/** Each JSDoc block right above a function: the block is left out, the declaration is the answer. */
function prepareScript(text: string): PreparedFile {
  const lines = text.split("\n");
  const out: string[] = [];
  const questions: FileQuestion[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*(?!\/)/.test(lines[i])) {
      out.push(lines[i]);
      continue;
    }
    let end = i;
    while (end < lines.length && !lines[end].includes("*/")) end++;
    const decl = lines[end + 1];
    if (end >= lines.length || decl === undefined || !isScriptFunctionLine(decl)) {
      out.push(lines[i]);
      continue;
    }
    const prose: string[] = [];
    for (const raw of lines.slice(i, end + 1)) {
      const line = raw.replace(/^\s*\/\*\*/, "").replace(/\*\/.*$/, "").replace(/^\s*\*\s?/, "");
      if (/^\s*@/.test(line)) break;
      prose.push(line);
    }
    const sentence = firstSentence(prose.join("\n").trim());
    if (wordCount(sentence) >= MIN_WORDS) questions.push({ line: out.length, question: sentence });
    i = end;
  }
  return { text: out.join("\n"), questions };
}
