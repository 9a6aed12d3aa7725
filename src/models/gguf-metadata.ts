// A small GGUF reader for the extension host: the header, the metadata key/values and the tensor infos — never the
// tensor data. It reads the file forward in chunks with async I/O, so classifying a model of any size costs only its
// metadata (a few MB for a 150k-token vocabulary) and never blocks the thread. Large arrays are skipped except the
// token list, which FIM detection needs. Format: llama.cpp docs/gguf.md (versions 2 and 3, little-endian).
//
// Why not node-llama-cpp's readGgufFileInfo: it may only run in the engine process, and discovery must not fork the
// engine (or load llama.cpp's native code) just to list the files on disk. The engine still reads the file with
// node-llama-cpp before loading and checks memory with its own GgufInsights; this reader only feeds the picker.
import { open, type FileHandle } from "node:fs/promises";

/** Nested like node-llama-cpp's metadata: `general.architecture` is `metadata.general.architecture`. */
export type GgufMetadataTree = { [key: string]: GgufMetadataValue };
export type GgufMetadataValue = string | number | bigint | boolean | GgufMetadataValue[] | GgufSkippedArray | GgufMetadataTree;

/** An array left unread (too long and not needed); its length is kept. */
export interface GgufSkippedArray {
  skipped: true;
  itemType: number;
  length: number;
}

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

/** gguf_type codes → byte sizes of the fixed-size scalars. */
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const TYPE_STRING = 8;
const TYPE_ARRAY = 9;

const defaultKeepArray = (key: string) => key === "tokenizer.ggml.tokens";

/** Reads a GGUF file's header, metadata and tensor infos. Throws GgufReadError for a file that is not a sound GGUF. */
export async function readGgufSummary(path: string, options: ReadGgufOptions = {}): Promise<GgufFileSummary> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    return await parse(new ForwardReader(handle, size, options.maxHeaderBytes ?? 256 * 2 ** 20, options.signal), options);
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
  // Every key/value takes at least 12 bytes and every tensor info at least 24: counts beyond the file are corrupt.
  if (kvCount * 12 + tensorCount * 24 > r.fileSize) throw new GgufReadError("corrupt", "The GGUF header declares more entries than the file can hold.");
  const metadata: GgufMetadataTree = {};
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < kvCount; i++) {
    const key = await r.string(MAX_KEY_BYTES);
    const type = await r.u32();
    let value: GgufMetadataValue;
    if (type === TYPE_ARRAY) {
      const itemType = await r.u32();
      const length = await r.u64();
      if (length <= maxArrayLength || keepArray(key)) value = await readArray(r, itemType, length, key === "tokenizer.ggml.tokens" && options.tokenTexts !== "all");
      else {
        await skipArray(r, itemType, length);
        value = { skipped: true, itemType, length };
      }
    } else {
      value = await readScalar(r, type);
    }
    if (key === "general.alignment" && typeof value === "number" && value > 0 && value % 8 === 0) alignment = value;
    setPath(metadata, key, value);
  }
  const tensors: GgufTensorSummary[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await r.string(MAX_KEY_BYTES);
    const nDims = await r.u32();
    if (nDims > MAX_DIMS) throw new GgufReadError("corrupt", `Tensor ${name} declares ${nDims} dimensions.`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await r.u64());
    const type = await r.u32();
    const offset = await r.u64();
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

async function readArray(r: ForwardReader, itemType: number, length: number, specialOnly = false): Promise<GgufMetadataValue[]> {
  if (itemType === TYPE_ARRAY) throw new GgufReadError("corrupt", "Nested GGUF arrays are not supported.");
  const values: GgufMetadataValue[] = new Array<GgufMetadataValue>(length);
  if (itemType === TYPE_STRING) {
    // A vocabulary has ~150k strings: take them synchronously from the window, awaiting only to refill it.
    for (let i = 0; i < length; ) {
      const value = r.tryString(MAX_STRING_BYTES, specialOnly);
      if (value === undefined) {
        const text = await r.string(MAX_STRING_BYTES);
        values[i++] = specialOnly && !looksSpecial(text) ? "" : text;
      } else values[i++] = value;
    }
    return values;
  }
  for (let i = 0; i < length; i++) values[i] = await readScalar(r, itemType);
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

function setPath(tree: GgufMetadataTree, key: string, value: GgufMetadataValue): void {
  const parts = key.split(".");
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === "object" && next !== null && !Array.isArray(next) && !isSkipped(next)) node = next as GgufMetadataTree;
    else {
      const created: GgufMetadataTree = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] ?? key] = value;
}

function isSkipped(value: unknown): value is GgufSkippedArray {
  return typeof value === "object" && value !== null && (value as { skipped?: unknown }).skipped === true;
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

/** A metadata value by dotted key, or undefined. */
export function metadataValue(metadata: GgufMetadataTree, key: string): GgufMetadataValue | undefined {
  let node: GgufMetadataValue | undefined = metadata;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || isSkipped(node)) return undefined;
    node = (node as GgufMetadataTree)[part];
  }
  return node;
}
