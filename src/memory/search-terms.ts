/** Identifiers in code, and the words inside them: `retryFailedUpload`, `retry_failed_upload` → retry, failed, upload. */
const IDENTIFIER = /[\p{L}_$][\p{L}\p{N}_$]*/gu;

/**
 * Abbreviations common in code across languages, with the words they stand for: a question in words ("the square root
 * of the file descriptor") finds `sqrt(fd)`. A generic list (not drawn from any benchmark's questions).
 */
export const ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({
  abs: "absolute", addr: "address", alloc: "allocate", arg: "argument", args: "arguments", argv: "arguments", arr: "array",
  attr: "attribute", attrs: "attributes", auth: "authentication", avg: "average", buf: "buffer", calc: "calculate",
  cb: "callback", cfg: "configuration", char: "character", chr: "character", cls: "class", cmd: "command", cmp: "compare",
  cnt: "count", col: "column", cols: "columns", conf: "configuration", config: "configuration", conn: "connection",
  cnx: "connection", ctx: "context", cur: "current", curr: "current", db: "database", dec: "decimal decode", decl: "declaration",
  def: "definition default", del: "delete", desc: "description", dest: "destination", dict: "dictionary", diff: "difference",
  dir: "directory", dirs: "directories", doc: "document", dst: "destination", el: "element", elem: "element", env: "environment",
  eq: "equal", err: "error", errno: "error number", esc: "escape", eval: "evaluate", evt: "event", exc: "exception",
  exe: "executable", exp: "exponent", expr: "expression", ext: "extension", fd: "file descriptor", fmt: "format", fn: "function",
  func: "function", gen: "generate generator", hdr: "header", hex: "hexadecimal", id: "identifier", idx: "index", impl: "implementation",
  inc: "increment", info: "information", init: "initialize", int: "integer", iter: "iterate iterator", kw: "keyword",
  kwargs: "keyword arguments", len: "length", lib: "library", ln: "line", lno: "line number", loc: "location", max: "maximum",
  mem: "memory", meta: "metadata", min: "minimum", misc: "miscellaneous", mod: "module modulo", msg: "message", mult: "multiply",
  mut: "mutable", nan: "not number", neg: "negative", num: "number", obj: "object", op: "operation operator", opt: "option",
  opts: "options", param: "parameter", params: "parameters", pkg: "package", pos: "position", pow: "power", prev: "previous",
  proc: "process", prop: "property", props: "properties", ptr: "pointer", pwd: "password directory", qs: "query string",
  recv: "receive", ref: "reference", regex: "regular expression", rem: "remainder remove", repr: "representation",
  req: "request", res: "result response", resp: "response", ret: "return", rm: "remove", sep: "separator", seq: "sequence",
  sig: "signal signature", sock: "socket", spec: "specification", sqrt: "square root", src: "source", stat: "status statistics",
  std: "standard", stdin: "standard input", stdout: "standard output", stderr: "standard error", str: "string",
  sub: "subtract", sym: "symbol", sync: "synchronize", sys: "system", tbl: "table", temp: "temporary", tmp: "temporary",
  ts: "timestamp", tz: "timezone", usr: "user", util: "utility", utils: "utilities", val: "value", vals: "values",
  var: "variable", ver: "version", win: "window", ws: "whitespace websocket",
});

/** The words an abbreviation stands for, or null (`constructor` and `__proto__` are words, not the object's own keys). */
export function expansionOf(word: string): string[] | null {
  return Object.hasOwn(ABBREVIATIONS, word) ? ABBREVIATIONS[word].split(" ") : null;
}

/** The words an identifier is made of, lower case; an identifier of one word gives nothing (it is already a word). */
export function identifierWords(identifier: string): string[] {
  const parts = identifier
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2")
    .split(/[\s_$]+/)
    .filter((p) => p.length > 1)
    .map((p) => p.toLowerCase());
  return parts.length > 1 ? parts : [];
}

/**
 * The text the full-text index holds for a chunk: the chunk itself plus the words of its compound identifiers and of
 * the abbreviations in them, so that a question in words ("retry failed uploads", "square root") finds
 * `retryFailedUpload` and `sqrt` (the index's tokenizer splits on punctuation and spaces only). Bounded: a chunk's
 * words are listed once each.
 */
export function searchableText(text: string): string {
  const words = new Set<string>();
  for (const match of text.matchAll(IDENTIFIER)) {
    const parts = identifierWords(match[0]);
    for (const w of parts) words.add(w);
    for (const part of parts.length ? parts : match[0].toLowerCase().split(/[_$]+/)) {
      for (const w of expansionOf(part) ?? []) words.add(w);
    }
    if (words.size > 2000) break;
  }
  return words.size ? `${text}\n${[...words].join(" ")}` : text;
}

/** A question as full-text terms: its words and the words of its identifiers. */
export function queryTerms(question: string): string {
  return searchableText(question).replace(/[^\p{L}\p{N}_\s]+/gu, " ").replace(/\s+/g, " ").trim();
}
