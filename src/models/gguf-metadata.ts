// A small GGUF reader for the extension host: the header, the metadata key/values and the tensor infos — never the
// tensor data. It reads the file forward in chunks with async I/O, so classifying a model of any size costs only its
// metadata (a few MB for a 150k-token vocabulary) and never blocks the thread. Large arrays are skipped except the
// token list, which FIM detection needs. Format: llama.cpp docs/gguf.md (versions 2 and 3, little-endian).
//
// Why not node-llama-cpp's readGgufFileInfo: it may only run in the engine process, and discovery must not fork the
// engine (or load llama.cpp's native code) just to list the files on disk. The engine still reads the file with
// node-llama-cpp before loading and checks memory with its own GgufInsights; this reader only feeds the picker.
//
// The file is untrusted input: a model picked up from a download folder or a cloned repository. Keys become object
// paths here, so every level of the tree is a null-prototype object and the key parts `__proto__`, `constructor` and
// `prototype` are refused outright (a crafted key must never reach Object.prototype); every count and length is
// checked against the bytes left in the file before anything is allocated or looped over.
import { open, stat, type FileHandle } from "node:fs/promises";
import { emptyTree, forbiddenKeyPart, setPath, type GgufMetadataTree, type GgufMetadataValue } from "./gguf-tree";

export interface GgufTensorSummary {
  name: string;
  dims: number[];
  /** ggml_type code. */
  type: number;
  /** Offset of its data within the data section. */
  offset: number;
}

export interface GgufFileSummary {
  version: number;
  tensorCount: number;
  /** Nested metadata tree (see GgufMetadataTree). */
  metadata: GgufMetadataTree;
  tensors: GgufTensorSummary[];
  /** Absolute offset where tensor data begins (after alignment). */
  dataOffset: number;
}

export type GgufReadErrorCode = "not-gguf" | "unsupported-version" | "truncated" | "corrupt" | "too-large";

export class GgufReadError extends Error {
  constructor(
    readonly code: GgufReadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "GgufReadError";
  }
}

export interface ReadGgufOptions {
  /** Arrays longer than this are skipped unless kept by `keepArray`; default 64. */
  maxArrayLength?: number;
  /** Keys whose arrays are read in full whatever their length; default: the token list only. */
  keepArray?: (key: string) => boolean;
  /**
   * The token list is kept for FIM detection, which looks only at special tokens. "special" (the default) decodes only
   * the tokens that could be one (starting with "<", "[" or "▁<") and leaves "" for the rest, which saves decoding
   * and collecting ~150k strings per file; "all" decodes every token.
   */
  tokenTexts?: "special" | "all";
  /** Give up when the header, metadata and tensor infos exceed this many bytes; default 256 MiB. */
  maxHeaderBytes?: number;
  signal?: AbortSignal;
}

const MAGIC = 0x46554747; // "GGUF" as a little-endian uint32
const DEFAULT_ALIGNMENT = 32;
const CHUNK = 1024 * 1024;
const MAX_KEY_BYTES = 64 * 1024;
const MAX_STRING_BYTES = 64 * 1024 * 1024;
const MAX_DIMS = 8;
const MAX_KEY_PARTS = 32;

/** gguf_type codes → byte sizes of the fixed-size scalars. */
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const TYPE_UINT32 = 4;
const TYPE_STRING = 8;
const TYPE_ARRAY = 9;
/** Least bytes a key/value takes (key length, type, a one-byte value) and a tensor info (name length, nDims, type, offset). */
const MIN_KV_BYTES = 13;
const MIN_TENSOR_INFO_BYTES = 24;
/** ggml's type enum has ~40 members; anything far past it is not a tensor type. */
const MAX_TENSOR_TYPE = 1023;

const defaultKeepArray = (key: string) => key === "tokenizer.ggml.tokens";

/** Reads a GGUF file's header, metadata and tensor infos. Throws GgufReadError for a file that is not a sound GGUF. */
export async function readGgufSummary(path: string, options: ReadGgufOptions = {}): Promise<GgufFileSummary> {
  // Checked before opening: opening a named pipe blocks until something writes to it, and a folder is not a model.
  if (!(await stat(path)).isFile()) throw new GgufReadError("not-gguf", "The path is a folder or a device, not a GGUF file.");
  const handle = await open(path, "r");
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new GgufReadError("not-gguf", "The path is a folder or a device, not a GGUF file.");
    return await parse(new ForwardReader(handle, info.size, options.maxHeaderBytes ?? 256 * 2 ** 20, options.signal), options);
  } finally {
    await handle.close();
  }
}

async function parse(r: ForwardReader, options: ReadGgufOptions): Promise<GgufFileSummary> {
  const maxArrayLength = options.maxArrayLength ?? 64;
  const keepArray = options.keepArray ?? defaultKeepArray;
  if (r.fileSize < 4 || (await r.u32()) !== MAGIC) throw new GgufReadError("not-gguf", "The file does not start with the GGUF magic bytes.");
  const version = await r.u32();
  if (version !== 2 && version !== 3) throw new GgufReadError("unsupported-version", `GGUF version ${version} is not supported (only 2 and 3).`);
  const tensorCount = await r.u64();
  const kvCount = await r.u64();
  r.claim(kvCount * MIN_KV_BYTES + tensorCount * MIN_TENSOR_INFO_BYTES, `${kvCount} metadata entries and ${tensorCount} tensors`);
  const metadata = emptyTree();
  const keys = new Set<string>();
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < kvCount; i++) {
    const key = await r.string(MAX_KEY_BYTES);
    checkKey(key, keys);
    const type = await r.u32();
    let value: GgufMetadataValue;
    if (type === TYPE_ARRAY) {
      const itemType = await r.u32();
      const length = await r.u64();
      if (itemType === TYPE_ARRAY) throw new GgufReadError("corrupt", `The GGUF metadata ${show(key)} is an array of arrays, which GGUF does not allow.`);
      r.claim(length * (SCALAR_BYTES[itemType] ?? 8), `${length} entries in ${show(key)}`);
      if (length <= maxArrayLength || keepArray(key)) value = await readArray(r, itemType, length, key === "tokenizer.ggml.tokens" && options.tokenTexts !== "all");
      else {
        await skipArray(r, itemType, length);
        value = { skipped: true, itemType, length };
      }
    } else {
      value = await readScalar(r, type);
    }
    if (key === "general.alignment") alignment = checkAlignment(type, value);
    setPath(metadata, key, value);
  }
  const tensors: GgufTensorSummary[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = await r.string(MAX_KEY_BYTES);
    if (names.has(name)) throw new GgufReadError("corrupt", `The GGUF file has two tensors named ${show(name)}.`);
    names.add(name);
    const nDims = await r.u32();
    if (nDims > MAX_DIMS) throw new GgufReadError("corrupt", `Tensor ${show(name)} declares ${nDims} dimensions (at most ${MAX_DIMS} exist).`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await r.u64());
    if (!Number.isSafeInteger(dims.reduce((a, b) => a * b, 1))) throw new GgufReadError("corrupt", `Tensor ${show(name)} declares more elements than any model has (${dims.join(" × ")}).`);
    const type = await r.u32();
    if (type > MAX_TENSOR_TYPE) throw new GgufReadError("corrupt", `Tensor ${show(name)} has the unknown type ${type}.`);
    const offset = await r.u64();
    if (offset % alignment !== 0) throw new GgufReadError("corrupt", `Tensor ${show(name)} starts at offset ${offset}, which is not a multiple of the alignment ${alignment}.`);
    tensors.push({ name, dims, type, offset });
  }
  const dataOffset = Math.ceil(r.position / alignment) * alignment;
  return { version, tensorCount, metadata, tensors, dataOffset };
}

async function readScalar(r: ForwardReader, type: number): Promise<string | number | bigint | boolean> {
  switch (type) {
    case 0: return (await r.bytes(1)).readUInt8(0);
    case 1: return (await r.bytes(1)).readInt8(0);
    case 2: return (await r.bytes(2)).readUInt16LE(0);
    case 3: return (await r.bytes(2)).readInt16LE(0);
    case 4: return (await r.bytes(4)).readUInt32LE(0);
    case 5: return (await r.bytes(4)).readInt32LE(0);
    case 6: return (await r.bytes(4)).readFloatLE(0);
    case 7: return (await r.bytes(1)).readUInt8(0) !== 0;
    case 8: return r.string(MAX_STRING_BYTES);
    case 10: return safeNumber((await r.bytes(8)).readBigUInt64LE(0));
    case 11: return safeNumber((await r.bytes(8)).readBigInt64LE(0));
    case 12: return (await r.bytes(8)).readDoubleLE(0);
    default: throw new GgufReadError("corrupt", `Unknown GGUF value type ${type}.`);
  }
}

/** The array's length was claimed against the file first, so it cannot allocate more than the file could fill. */
async function readArray(r: ForwardReader, itemType: number, length: number, specialOnly = false): Promise<GgufMetadataValue[]> {
  const values: GgufMetadataValue[] = [];
  if (itemType === TYPE_STRING) {
    // A vocabulary has ~150k strings: take them synchronously from the window, awaiting only to refill it.
    while (values.length < length) {
      const value = r.tryString(MAX_STRING_BYTES, specialOnly);
      if (value === undefined) {
        const text = await r.string(MAX_STRING_BYTES);
        values.push(specialOnly && !looksSpecial(text) ? "" : text);
      } else values.push(value);
    }
    return values;
  }
  if (SCALAR_BYTES[itemType] === undefined) throw new GgufReadError("corrupt", `Unknown GGUF array item type ${itemType}.`);
  while (values.length < length) values.push(await readScalar(r, itemType));
  return values;
}

async function skipArray(r: ForwardReader, itemType: number, length: number): Promise<void> {
  if (itemType === TYPE_STRING) {
    for (let i = 0; i < length; i++) if (!r.trySkipString()) await r.skip(await r.u64());
    return;
  }
  const size = SCALAR_BYTES[itemType];
  if (size === undefined) throw new GgufReadError("corrupt", `Unknown GGUF array item type ${itemType}.`);
  await r.skip(size * length);
}

function looksSpecial(text: string): boolean {
  return text.startsWith("<") || text.startsWith("[") || text.startsWith("\u2581<");
}

/** The first bytes of a token that may be special: "<", "[", or "▁<" (U+2581 is E2 96 81 in UTF-8). */
function bytesLookSpecial(buf: Buffer, at: number, length: number): boolean {
  const first = buf[at];
  if (first === 0x3c || first === 0x5b) return true;
  return length >= 4 && first === 0xe2 && buf[at + 1] === 0x96 && buf[at + 2] === 0x81 && buf[at + 3] === 0x3c;
}

function safeNumber(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * Refuses a key that could reach a prototype, a key seen before (llama.cpp refuses duplicates too), and a key nested
 * deeper than any model's (real keys have up to 5 parts; tens of thousands would cost the thread tens of milliseconds).
 */
function checkKey(key: string, seen: Set<string>): void {
  const parts = key.split(".").length;
  if (parts > MAX_KEY_PARTS) throw new GgufReadError("corrupt", `The GGUF metadata key ${show(key)} has ${parts} dotted parts; no model key has more than ${MAX_KEY_PARTS}.`);
  const part = forbiddenKeyPart(key);
  if (part !== undefined) {
    throw new GgufReadError("corrupt", `The GGUF metadata key ${show(key)} contains "${part}", which no model uses: the file looks crafted to attack the program reading it, so Hearth refuses it.`);
  }
  if (seen.has(key)) throw new GgufReadError("corrupt", `The GGUF metadata key ${show(key)} appears twice.`);
  seen.add(key);
}

/** llama.cpp reads general.alignment as a u32 power of two and refuses the file otherwise. */
function checkAlignment(type: number, value: GgufMetadataValue): number {
  if (type !== TYPE_UINT32 || typeof value !== "number" || value <= 0 || (value & (value - 1)) !== 0) {
    throw new GgufReadError("corrupt", `The GGUF alignment (general.alignment) must be a power of two stored as a u32, not ${show(String(value))}.`);
  }
  return value;
}

/** A key or name from the file, quoted and cut short, for a message. */
function show(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** Reads a file forward through a window; awaits only when the window runs out. */
class ForwardReader {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  private pos = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly fileSize: number,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get position(): number {
    return this.pos;
  }

  /**
   * Refuses a declared structure that needs at least `bytes` more than the file has, before any loop or allocation
   * sized by it: "corrupt" when no GGUF header could be that large, "truncated" when the file merely ends too soon.
   */
  claim(bytes: number, what: string): void {
    if (this.pos + bytes <= this.fileSize) return;
    if (this.pos + bytes > this.maxBytes) throw new GgufReadError("corrupt", `The GGUF file declares ${what}, more than the file (${this.fileSize} bytes) or any model could hold.`);
    throw new GgufReadError("truncated", `The file ends at byte ${this.fileSize}, before the ${what} it declares.`);
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  async u64(): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufReadError("corrupt", `A GGUF length (${value}) is impossibly large.`);
    return Number(value);
  }

  async string(max: number): Promise<string> {
    const length = await this.u64();
    if (length > max) throw new GgufReadError("corrupt", `A GGUF string declares ${length} bytes.`);
    return (await this.bytes(length)).toString("utf8");
  }

  /** The next string when it is wholly in the window (no await), else undefined and nothing is consumed. */
  tryString(max: number, specialOnly = false): string | undefined {
    const at = this.pos - this.bufStart;
    if (at + 8 > this.buf.length) return undefined;
    const length = this.buf.readBigUInt64LE(at);
    if (length > BigInt(max)) return undefined; // let string() report it
    const end = at + 8 + Number(length);
    if (end > this.buf.length) return undefined;
    this.pos += 8 + Number(length);
    if (specialOnly && !bytesLookSpecial(this.buf, at + 8, Number(length))) return "";
    return this.buf.toString("utf8", at + 8, end);
  }

  /** Skips the next string when it is wholly in the window; false (nothing consumed) otherwise. */
  trySkipString(): boolean {
    const at = this.pos - this.bufStart;
    if (at + 8 > this.buf.length) return false;
    const length = this.buf.readBigUInt64LE(at);
    if (BigInt(at) + 8n + length > BigInt(this.buf.length)) return false;
    this.pos += 8 + Number(length);
    return true;
  }

  /** The next n bytes (a view valid until the next call). */
  async bytes(n: number): Promise<Buffer> {
    const at = this.pos - this.bufStart;
    if (at + n <= this.buf.length) {
      this.pos += n;
      return this.buf.subarray(at, at + n);
    }
    await this.fill(n);
    const start = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  async skip(n: number): Promise<void> {
    const at = this.pos - this.bufStart;
    if (at + n <= this.buf.length) {
      this.pos += n;
      return;
    }
    this.check(n);
    this.pos += n;
    this.buf = Buffer.alloc(0);
    this.bufStart = this.pos;
  }

  private check(n: number): void {
    if (this.signal?.aborted) throw this.signal.reason instanceof Error ? this.signal.reason : new Error("aborted");
    if (this.pos + n > this.fileSize) throw new GgufReadError("truncated", `The file ends inside its GGUF header (at byte ${this.fileSize}).`);
    if (this.pos + n > this.maxBytes) throw new GgufReadError("too-large", `The GGUF metadata is larger than ${this.maxBytes} bytes.`);
  }

  private async fill(n: number): Promise<void> {
    this.check(n);
    const keep = this.buf.subarray(this.pos - this.bufStart);
    const want = Math.min(Math.max(n - keep.length, CHUNK), this.fileSize - this.pos - keep.length);
    const next = Buffer.allocUnsafe(keep.length + want);
    keep.copy(next, 0);
    const { bytesRead } = await this.handle.read(next, keep.length, want, this.pos + keep.length);
    this.buf = next.subarray(0, keep.length + bytesRead);
    this.bufStart = this.pos;
    if (this.buf.length < n) throw new GgufReadError("truncated", `The file ends inside its GGUF header (at byte ${this.pos + this.buf.length}).`);
  }
}
