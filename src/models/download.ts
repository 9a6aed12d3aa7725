// Downloads a model file, only when the user asked for it: the one place in Hearth that opens a connection. The file
// grows as `<name>.partial` beside a `<name>.partial.json` note (URL, validator, length), so a cancel, a dropped
// connection or a restart resumes with an HTTP Range request. Finished, it is verified — length, GGUF header and
// tensor extent, SHA-256 where known — and only then renamed to `<name>`: discovery never offers a partial file.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, statfs, truncate, writeFile, type FileHandle } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import { basename, dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { inspectModelFile } from "./model-facts";
import { formatBytes } from "./memory-fit";

export type DownloadErrorCode =
  | "cancelled"
  | "not-found"
  | "http"
  | "network"
  | "size-mismatch"
  | "corrupt"
  | "checksum"
  | "no-space"
  | "no-permission";

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code === "cancelled" ? "AbortError" : "DownloadError";
  }
}

export interface DownloadProgress {
  receivedBytes: number;
  /** Null until the server has said how long the file is. */
  totalBytes: number | null;
  /** Over the last few seconds; 0 at the start. */
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Bytes that were already on disk when this attempt began (a resume). */
  resumedFromBytes: number;
  phase: "downloading" | "verifying";
}

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
        throw new DownloadError("network", `The download of ${basename(destination)} keeps failing (${describe(error)}). It will resume from ${formatBytes(offset)} when you try again.`);
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
  const check = await inspectModelFile(partial, signal);
  if (!check.ok) {
    await discard(partial, notePath);
    throw new DownloadError("corrupt", `The downloaded file is not a usable model: ${check.reason.replace(basename(partial), basename(destination))} It was deleted.`);
  }
  let digest: string | null = null;
  if (request.sha256) {
    digest = await sha256Of(partial, signal);
    if (digest !== request.sha256.toLowerCase()) {
      await discard(partial, notePath);
      throw new DownloadError("checksum", `${basename(destination)} failed its SHA-256 check (expected ${request.sha256.slice(0, 12)}…, got ${digest.slice(0, 12)}…); it was deleted. The source may have changed: try again, or report it.`);
    }
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
  const response = await get(request.url, headers, request.signal, request.stallTimeoutMs ?? 30_000);
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
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
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
  const size = await fileSize(partial);
  if (total !== undefined && size < total) throw new Error(`the connection closed at ${size} of ${total} bytes`);
  state.meter.flush();
  return { complete: true, offset: size, note };
}

/** GET with redirects (Hugging Face sends files from a CDN), a stall timeout and cancellation. */
function get(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, stallMs: number, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new DownloadError("http", `Not a valid download address: ${url}`));
      return;
    }
    const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : null;
    if (!client) {
      reject(new DownloadError("http", `Only http and https downloads are supported: ${url}`));
      return;
    }
    const req = client.get(target, { headers, ...(signal ? { signal } : {}) }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= 8) {
          reject(new DownloadError("http", `Too many redirects while downloading ${url}.`));
          return;
        }
        get(new URL(location, target).toString(), headers, signal, stallMs, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    req.setTimeout(stallMs, () => req.destroy(new Error(`no data for ${Math.round(stallMs / 1000)} s`)));
    req.on("error", reject);
  });
}

/** Progress with a speed over a sliding window of recent samples. */
class Meter {
  private received = 0;
  private total: number | null = null;
  private base = 0;
  private samples: { at: number; bytes: number }[] = [];
  private lastReport = 0;

  constructor(
    private readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
    resumedFrom: number,
  ) {
    this.received = resumedFrom;
    this.base = resumedFrom;
  }

  begin(offset: number, total: number | null): void {
    this.received = offset;
    this.total = total;
    this.samples = [{ at: Date.now(), bytes: offset }];
    this.report(true);
  }

  add(bytes: number): void {
    this.received += bytes;
    this.report(false);
  }

  flush(): void {
    this.report(true);
  }

  verifying(): void {
    this.onProgress?.({ ...this.snapshot(), phase: "verifying" });
  }

  private report(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    this.samples.push({ at: now, bytes: this.received });
    while (this.samples.length > 2 && now - (this.samples[0]?.at ?? now) > 5000) this.samples.shift();
    this.onProgress?.(this.snapshot());
  }

  private snapshot(): DownloadProgress {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = first && last ? (last.at - first.at) / 1000 : 0;
    const speed = first && last && seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
    const left = this.total !== null ? Math.max(0, this.total - this.received) : null;
    return {
      receivedBytes: this.received,
      totalBytes: this.total,
      bytesPerSecond: speed,
      etaSeconds: left !== null && speed > 0 ? left / speed : null,
      resumedFromBytes: this.base,
      phase: "downloading",
    };
  }
}

/** "120 MB of 1.6 GB · 12 MB/s · 2 min left" */
export function describeProgress(p: DownloadProgress): string {
  if (p.phase === "verifying") return "verifying…";
  const parts = [p.totalBytes ? `${formatBytes(p.receivedBytes)} of ${formatBytes(p.totalBytes)}` : formatBytes(p.receivedBytes)];
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== null) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(" · ");
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash, signal ? { signal } : {});
  return hash.digest("hex");
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
    const note = JSON.parse(await readFile(path, "utf8")) as PartialNote;
    return typeof note.url === "string" ? note : null;
  } catch {
    return null;
  }
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

function fileError(error: unknown, folder: string): DownloadError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return new DownloadError("no-space", `The disk holding ${folder} is full. Free some space or choose another folder (hearth.models.downloadFolder); the download resumes where it stopped.`);
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new DownloadError("no-permission", `Hearth cannot write to ${folder} (${code}). Choose a folder you can write to in the setting hearth.models.downloadFolder.`);
  }
  return new DownloadError("no-permission", `Hearth cannot write to ${folder}: ${describe(error)}`);
}

function cancelledError(destination: string): DownloadError {
  return new DownloadError("cancelled", `The download of ${basename(destination)} was cancelled; it resumes from where it stopped next time.`);
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
