import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";

/** What one extraction wrote, and what it refused (with why). */
export interface UntarReport {
  files: number;
  bytes: number;
  /** `path (reason)` for each entry not written: links, devices, paths that leave the destination. */
  skipped: string[];
}

export interface UntarLimits {
  maxEntries: number;
  maxBytes: number;
}

const DEFAULT_LIMITS: UntarLimits = { maxEntries: 20_000, maxBytes: 256 * 1024 * 1024 };
const BLOCK = 512;

/**
 * Extracts a gzipped tar (an npm tarball) under `dest`, dropping each entry's first path component (`package/`).
 * Only regular files and folders are written: a link, a device, an absolute path, a `..` or a name with a backslash or
 * a NUL is skipped and reported, so nothing lands outside `dest` and nothing there points outside it. A header with a
 * bad checksum, a size that runs past the archive, or more than the limits stops the extraction with an error.
 */
export function extractTarGz(archive: Buffer, dest: string, limits: UntarLimits = DEFAULT_LIMITS): UntarReport {
  const tar = gunzipSync(archive, { maxOutputLength: limits.maxBytes + 64 * 1024 * 1024 });
  const root = resolve(dest);
  mkdirSync(root, { recursive: true });
  const report: UntarReport = { files: 0, bytes: 0, skipped: [] };
  let offset = 0;
  let entries = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (++entries > limits.maxEntries) throw new Error(`tar: more than ${limits.maxEntries} entries`);
    if (!checksumMatches(header)) throw new Error(`tar: bad header checksum at byte ${offset}`);
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + BLOCK;
    if (size < 0 || dataStart + size > tar.length) throw new Error(`tar: entry at byte ${offset} runs past the archive`);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      paxPath = paxField(data, "path");
      continue;
    }
    if (type === "g") continue;
    const ustar = header.toString("latin1", 257, 262) === "ustar";
    const prefix = ustar ? cString(header, 345, 155) : "";
    const name = paxPath ?? longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    paxPath = longName = null;
    if (type !== "0" && type !== "5" && type !== "7") {
      report.skipped.push(`${name} (entry type ${JSON.stringify(type)}: only files and folders are extracted)`);
      continue;
    }
    const relative = safeRelativePath(name);
    if (typeof relative !== "string") {
      report.skipped.push(`${name} (${relative.refused})`);
      continue;
    }
    if (relative === "") continue;
    const target = resolve(root, relative);
    if (!target.startsWith(root + sep)) {
      report.skipped.push(`${name} (leaves the destination)`);
      continue;
    }
    if (type === "5") {
      mkdirSync(target, { recursive: true });
      continue;
    }
    report.bytes += size;
    if (report.bytes > limits.maxBytes) throw new Error(`tar: more than ${limits.maxBytes} bytes`);
    mkdirSync(resolve(target, ".."), { recursive: true });
    writeFileSync(target, data, { mode: 0o644 });
    report.files++;
  }
  return report;
}

/** The entry's path below its first component, or why it is refused. */
export function safeRelativePath(name: string): string | { refused: string } {
  if (name.includes("\0")) return { refused: "NUL in the name" };
  if (name.includes("\\")) return { refused: "backslash in the name" };
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return { refused: "absolute path" };
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) return { refused: "`..` in the path" };
  const below = parts.slice(1);
  return below.length ? join(...below) : "";
}

function checksumMatches(header: Buffer): boolean {
  const stored = readOctal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return stored === sum;
}

/** An octal number field; -1 when it is not one (base-256 sizes are refused: no npm tarball needs them). */
function readOctal(buf: Buffer, start: number, length: number): number {
  const text = cString(buf, start, length).trim();
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : -1;
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end < 0 ? field.length : end);
}

/** One field of a pax extended header (`<length in bytes> key=value\n` records). */
function paxField(data: Buffer, key: string): string | null {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.toString("latin1", at, space));
    if (!Number.isInteger(length) || length <= space - at || at + length > data.length) break;
    const record = data.toString("utf8", space + 1, at + length - 1);
    const eq = record.indexOf("=");
    if (eq > 0 && record.slice(0, eq) === key) return record.slice(eq + 1);
    at += length;
  }
  return null;
}
