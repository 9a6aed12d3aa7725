// Downloads a model file, only when the user asked for it: the one place in Hearth that opens a connection, and only
// over HTTPS to Hugging Face and its download servers (download-origins.ts), checked for the address and for every
// redirect before connecting. The file grows as `<name>.partial` beside a `<name>.partial.json` note (URL, validator,
// length), so a cancel, a dropped connection or a restart resumes with an HTTP Range request; it never grows past the
// length the server announced or the exact size expected (a body without end is stopped). Finished, it is verified
// — length, then SHA-256 where known (before anything parses a byte of it), then GGUF header, tensors and their extent —
// and only then renamed to `<name>`: discovery never offers a partial file.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, statfs, truncate, writeFile, type FileHandle } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import * as https from "node:https";
import { basename, dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { errorMessage } from "../common/errors";
import { DownloadError, cancelledError, fileError, untrustedError } from "./download-errors";
import { HUGGING_FACE_TRUST, checkDownloadUrl, type DownloadTrust } from "./download-origins";
import { Meter, type DownloadProgress } from "./download-progress";
import { formatBytes } from "./memory-fit";
import { inspectModelFile, type GgufKind } from "./model-facts";

export interface DownloadRequest {
  url: string;
  /** Final path of the model file; the folder is created if needed. */
  destination: string;
  /** An exact size, when known (a catalog entry with sizeExact): a different length is refused up front. */
  expectedSizeBytes?: number;
  sha256?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Reconnect this many times in a row without progress before giving up; default 4. */
  retries?: number;
  /** Delay before a reconnect; default 1 s (tests use less). */
  retryDelayMs?: number;
  /** Abort a connection that sends nothing for this long; default 30 s. */
  stallTimeoutMs?: number;
  /** Free bytes on the destination's volume; statfs by default. */
  freeSpace?: (folder: string) => Promise<number | null>;
  /** How often progress is reported; default 250 ms. */
  progressIntervalMs?: number;
  /**
   * Where the download may connect; Hugging Face and its download servers over HTTPS when absent (always, in Hearth:
   * only tests pass their local server here, and no setting reaches it).
   */
  trust?: DownloadTrust;
}

export interface DownloadResult {
  path: string;
  sizeBytes: number;
  sha256: string | null;
  /** The download continued a partial file from an earlier attempt. */
  resumed: boolean;
}

interface PartialNote {
  url: string;
  etag?: string;
  lastModified?: string;
  totalBytes?: number;
}

const USER_AGENT = "Hearth (VS Code extension; model download)";

export function partialPathOf(destination: string): string {
  return `${destination}.partial`;
}

export async function downloadModel(request: DownloadRequest): Promise<DownloadResult> {
  const { destination, signal } = request;
  const source = checkDownloadUrl(request.url, request.trust ?? HUGGING_FACE_TRUST);
  if (!source.ok) throw untrustedError(request.url, source.reason, destination);
  const partial = partialPathOf(destination);
  const notePath = `${partial}.json`;
  const folder = dirname(destination);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw fileError(error, folder);
  }
  let note = await readNote(notePath);
  let offset = await fileSize(partial);
  if (offset > 0 && note?.url !== request.url) offset = 0; // a partial of some other download
  if (offset === 0) note = { url: request.url };
  const resumed = offset > 0;
  const meter = new Meter(request.onProgress, request.progressIntervalMs ?? 250, offset);
  let failuresWithoutProgress = 0;
  const retries = request.retries ?? 4;

  for (;;) {
    throwIfCancelled(signal, destination);
    const before = offset;
    try {
      const outcome = await fetchInto({ request, partial, notePath, note: note ?? { url: request.url }, offset, meter });
      note = outcome.note;
      offset = outcome.offset;
      if (outcome.complete) break;
    } catch (error) {
      if (error instanceof DownloadError) {
        if (error.code === "corrupt" || error.code === "size-mismatch") await discard(partial, notePath);
        throw error;
      }
      if (signal?.aborted) throw cancelledError(destination);
      offset = await fileSize(partial);
      failuresWithoutProgress = offset > before ? 1 : failuresWithoutProgress + 1;
      if (failuresWithoutProgress > retries) {
        throw new DownloadError("network", `The download of ${basename(destination)} keeps failing (${errorMessage(error)}). It will resume from ${formatBytes(offset)} when you try again.`);
      }
      await delay(request.retryDelayMs ?? 1000, signal).catch(() => undefined);
    }
  }

  meter.verifying();
  const size = await fileSize(partial);
  if (note?.totalBytes !== undefined && size !== note.totalBytes) {
    await discard(partial, notePath);
    throw new DownloadError("size-mismatch", `${basename(destination)} arrived with ${size} bytes instead of ${note.totalBytes}; it was deleted. Try again.`);
  }
  // The hash first: a file that is not the one published is deleted unread, whatever its header would say.
  let digest: string | null = null;
  if (request.sha256) {
    digest = await sha256Of(partial, signal);
    if (digest !== request.sha256.toLowerCase()) {
      await discard(partial, notePath);
      throw new DownloadError("checksum", `${basename(destination)} failed its SHA-256 check (expected ${request.sha256.slice(0, 12)}…, got ${digest.slice(0, 12)}…); it was deleted. The source may have changed: try again, or report it.`);
    }
  }
  const check = await inspectModelFile(partial, signal);
  const problem = !check.ok ? check.reason.replace(basename(partial), basename(destination)) : notAModel(check.facts.kind);
  if (problem) {
    await discard(partial, notePath);
    throw new DownloadError("corrupt", `The downloaded file is not a usable model: ${problem} It was deleted.`);
  }
  await rename(partial, destination);
  await rm(notePath, { force: true });
  return { path: destination, sizeBytes: size, sha256: digest, resumed };
}

interface FetchState {
  request: DownloadRequest;
  partial: string;
  notePath: string;
  note: PartialNote;
  offset: number;
  meter: Meter;
}

/** One connection: appends what the server sends to the partial file. Returns when the body has ended. */
async function fetchInto(state: FetchState): Promise<{ complete: boolean; offset: number; note: PartialNote }> {
  const { request, partial, notePath } = state;
  let { note, offset } = state;
  const headers: Record<string, string> = { "user-agent": USER_AGENT, "accept-encoding": "identity" };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    const validator = note.etag ?? note.lastModified;
    if (validator) headers["if-range"] = validator;
  }
  const response = await get(request, request.url, headers, request.stallTimeoutMs ?? 30_000);
  const status = response.statusCode ?? 0;
  const name = basename(request.destination);
  if (status === 416 && offset > 0) {
    response.resume();
    if (note.totalBytes === offset) return { complete: true, offset, note };
    await truncate(partial, 0);
    return { complete: false, offset: 0, note: { url: request.url } };
  }
  if (status === 404 || status === 410) {
    response.resume();
    throw new DownloadError("not-found", `The server has no file at ${request.url} (HTTP ${status}). The catalog entry may be out of date.`);
  }
  if (status === 401 || status === 403) {
    response.resume();
    throw new DownloadError("http", `The server refused the download of ${name} (HTTP ${status}); the model may need a sign-in on its website.`);
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new DownloadError("http", `The server answered HTTP ${status} for ${name}. Try again later.`);
  }
  let start = 0;
  let total: number | undefined;
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(response.headers["content-range"] ?? ""));
    start = range ? Number(range[1]) : -1;
    total = range && range[3] !== "*" ? Number(range[3]) : undefined;
    if (start !== offset) {
      // Not the range asked for: start over rather than splice the wrong bytes.
      response.resume();
      await truncate(partial, 0).catch(() => undefined);
      return { complete: false, offset: 0, note: { url: request.url } };
    }
  } else {
    const length = Number(response.headers["content-length"]);
    total = Number.isFinite(length) && response.headers["content-length"] !== undefined ? length : undefined;
  }
  if (request.expectedSizeBytes !== undefined && total !== undefined && total !== request.expectedSizeBytes) {
    response.resume();
    throw new DownloadError("size-mismatch", `The server offers ${name} with ${total} bytes, but ${request.expectedSizeBytes} were expected; nothing was kept. The catalog entry may be out of date.`);
  }
  if (status === 200 && offset > 0) offset = 0; // the server ignored the range, or the file changed: start over
  note = {
    url: request.url,
    ...(typeof response.headers.etag === "string" ? { etag: response.headers.etag } : {}),
    ...(typeof response.headers["last-modified"] === "string" ? { lastModified: response.headers["last-modified"] } : {}),
    ...(total !== undefined ? { totalBytes: total } : {}),
  };
  if (total !== undefined) {
    const free = await (request.freeSpace ?? freeSpaceOf)(dirname(request.destination));
    const needed = total - offset;
    if (free !== null && free < needed) {
      response.resume();
      throw new DownloadError("no-space", `${name} needs ${formatBytes(needed)} more, but only ${formatBytes(free)} is free in ${dirname(request.destination)}. Free some space or choose another folder (hearth.models.downloadFolder).`);
    }
  }
  try {
    await writeFile(notePath, JSON.stringify(note));
    if (offset === 0) await writeFile(partial, "");
    else await truncate(partial, offset);
  } catch (error) {
    response.resume();
    throw fileError(error, dirname(request.destination));
  }
  state.meter.begin(offset, total ?? null);
  // Each chunk is on disk before the next is read, so whatever arrived before a drop or a cancel is kept for the resume.
  let file: FileHandle;
  try {
    file = await open(partial, "a");
  } catch (error) {
    response.resume();
    throw fileError(error, dirname(request.destination));
  }
  // The file may not grow past what was announced or expected: a body without a length (chunked) or longer than its
  // Content-Range would otherwise be written until the disk is full, and only then checked. With neither, the body's
  // end is the server's word alone: the volume's free space, less a reserve for the rest of the system, bounds it.
  const sized = Math.min(request.expectedSizeBytes ?? Infinity, total ?? Infinity);
  const room = sized === Infinity ? await roomForUnsized(request) : null;
  const limit = room === null ? sized : offset + room;
  let written = offset;
  let overflow: DownloadError | undefined;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      written += chunk.length;
      if (written > limit) {
        response.destroy();
        if (room === null) throw new DownloadError("size-mismatch", `The server sent more than the ${limit} bytes of ${name}; the download was stopped and deleted. Try again later.`);
        // Deleted here, unlike a known size that does not fit (kept to resume once there is room): nothing says how
        // much more there is to come.
        overflow = new DownloadError(
          "no-space",
          `The server sent ${name} without saying its size, and it grew past the ${formatBytes(limit)} Hearth lets such a download take in ${dirname(request.destination)} (the free space, less ${formatBytes(FREE_SPACE_RESERVE_BYTES)} kept for the system); the download was stopped and deleted. Free some space, or download a model from Hearth's catalog, whose sizes are known.`,
        );
        break;
      }
      try {
        await file.write(chunk);
      } catch (error) {
        response.destroy();
        throw fileError(error, dirname(request.destination));
      }
      state.meter.add(chunk.length);
    }
  } finally {
    await file.close();
  }
  if (overflow) {
    await discard(partial, notePath);
    throw overflow;
  }
  const size = await fileSize(partial);
  // A body without a length ends when the connection closes, a dropped one as well: short of the expected size it is
  // resumed, not verified as if whole.
  const whole = total ?? request.expectedSizeBytes;
  if (whole !== undefined && size < whole) throw new Error(`the connection closed at ${size} of ${whole} bytes`);
  state.meter.flush();
  return { complete: true, offset: size, note };
}

/**
 * GET with redirects (Hugging Face sends files from a CDN), a stall timeout and cancellation. The address and every
 * redirect's target are checked against `trust` before a connection is opened.
 */
function get(request: DownloadRequest, url: string, headers: Record<string, string>, stallMs: number, redirects = 0): Promise<IncomingMessage> {
  const { signal } = request;
  const trust = request.trust ?? HUGGING_FACE_TRUST;
  return new Promise((resolve, reject) => {
    const checked = checkDownloadUrl(url, trust);
    if (!checked.ok) {
      reject(untrustedError(url, checked.reason, request.destination));
      return;
    }
    const target = checked.url;
    const req = https.get(target, { headers, ...(trust.ca ? { ca: trust.ca } : {}), ...(signal ? { signal } : {}) }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= 8) {
          reject(new DownloadError("http", `Too many redirects while downloading ${url}.`));
          return;
        }
        const next = checkDownloadUrl(location, trust, target);
        if (!next.ok) {
          reject(untrustedError(url, `it redirects to ${next.reason}`, request.destination));
          return;
        }
        get(request, next.url.toString(), headers, stallMs, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    req.setTimeout(stallMs, () => req.destroy(new Error(`no data for ${Math.round(stallMs / 1000)} s`)));
    req.on("error", reject);
  });
}

async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash, signal ? { signal } : {});
  return hash.digest("hex");
}

/** Left free on the volume by a download of unknown size: VS Code, the system and other programs still write there. */
const FREE_SPACE_RESERVE_BYTES = 256 * 1024 * 1024;
/** A download of unknown size where the free space cannot be read: more than any model's file. */
const MAX_UNSIZED_BYTES = 512 * 1024 * 1024 * 1024;

/** The bytes a download with no announced or expected size may still write. */
async function roomForUnsized(request: DownloadRequest): Promise<number> {
  const free = await (request.freeSpace ?? freeSpaceOf)(dirname(request.destination));
  return free === null ? MAX_UNSIZED_BYTES : Math.max(0, free - FREE_SPACE_RESERVE_BYTES);
}

async function freeSpaceOf(folder: string): Promise<number | null> {
  try {
    const info = await statfs(folder);
    return info.bavail * info.bsize;
  } catch {
    return null;
  }
}

async function readNote(path: string): Promise<PartialNote | null> {
  try {
    return parseNote(JSON.parse(await readFile(path, "utf8")));
  } catch {
    return null;
  }
}

/**
 * The note is a file anyone could have edited: only its known fields of the right type are kept, and a validator only
 * when it is a plain header value (it goes back to the server as If-Range). It never chooses where to connect: the
 * request's URL does, and a note for another URL is ignored.
 */
function parseNote(raw: unknown): PartialNote | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const { url, etag, lastModified, totalBytes } = raw as Record<string, unknown>;
  if (typeof url !== "string") return null;
  const headerValue = (value: unknown): value is string => typeof value === "string" && /^[\x20-\x7e]{1,256}$/.test(value);
  return {
    url,
    ...(headerValue(etag) ? { etag } : {}),
    ...(headerValue(lastModified) ? { lastModified } : {}),
    ...(typeof totalBytes === "number" && Number.isSafeInteger(totalBytes) && totalBytes >= 0 ? { totalBytes } : {}),
  };
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.size,
    () => 0,
  );
}

async function discard(partial: string, notePath: string): Promise<void> {
  await rm(partial, { force: true });
  await rm(notePath, { force: true });
}

/** Why a sound GGUF of this kind is still not a model to download; null for a model. */
function notAModel(kind: GgufKind): string | null {
  switch (kind) {
    case "model":
      return null;
    case "vocab-only":
      return "it has no tensors (it holds only a tokenizer), so it cannot generate text.";
    case "lora":
      return "it is a LoRA adapter, not a model.";
    case "projector":
      return "it is a vision projector (mmproj), not a language model.";
  }
}

function throwIfCancelled(signal: AbortSignal | undefined, destination: string): void {
  if (signal?.aborted) throw cancelledError(destination);
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new Error("aborted"));
      },
      { once: true },
    );
  });
}
