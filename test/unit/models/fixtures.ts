// Small GGUF files and a local HTTPS server for the models tests. The GGUFs are written by the project's own writer;
// they carry real-looking metadata (architecture shape, FIM tokens, chat template) and a few bytes of weights.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import type { DownloadTrust } from "../../../src/models/download-origins";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "../../fixtures/models/test-tls";
import { GgmlType, arr, str, u32, writeGgufFile } from "../../fixtures/models/gguf-writer";
import type { GgufValue } from "../../fixtures/models/gguf-writer";

export interface FakeModelOptions {
  name?: string;
  architecture?: string;
  /** Qwen2.5-Coder's FIM tokens in the vocabulary. */
  fim?: boolean;
  chatTemplate?: boolean;
  /** 0 writes a tokenizer-only (vocab) file. */
  tensorElements?: number;
  /** general.type = "adapter" (a LoRA). */
  adapter?: boolean;
}

const QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"];

/** Writes a small GGUF; the default is a Qwen2-shaped model with FIM tokens and a ChatML template. */
export async function writeFakeModel(path: string, options: FakeModelOptions = {}): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const arch = options.architecture ?? "qwen2";
  const tokens = ["a", "b", "c", ...(options.fim === false ? ["<|endoftext|>"] : QWEN_SPECIALS)];
  const metadata: [string, GgufValue][] = [
    ["general.architecture", str(arch)],
    ["general.name", str(options.name ?? "Fake Coder")],
    ["general.file_type", u32(7)],
    ...(options.adapter ? ([["general.type", str("adapter")], ["adapter.type", str("lora")]] as [string, GgufValue][]) : []),
    [`${arch}.block_count`, u32(2)],
    [`${arch}.context_length`, u32(4096)],
    [`${arch}.embedding_length`, u32(64)],
    [`${arch}.attention.head_count`, u32(4)],
    [`${arch}.attention.head_count_kv`, u32(2)],
    ["tokenizer.ggml.model", str("gpt2")],
    ["tokenizer.ggml.tokens", arr("string", tokens)],
    ["tokenizer.ggml.token_type", arr("i32", tokens.map((t) => (t.startsWith("<|") ? 3 : 1)))],
    ...(options.chatTemplate === false ? [] : ([["tokenizer.chat_template", str("{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}")]] as [string, GgufValue][])),
  ];
  const elements = options.tensorElements ?? 256;
  const tensors = elements > 0 ? [{ name: "token_embd.weight", dims: [elements], type: GgmlType.F32, data: { fill: 0.5 } }] : [];
  await writeGgufFile(path, { metadata, tensors });
  return path;
}

export interface ServedFile {
  body: Buffer;
  /** Override the status for this path (e.g. 404). */
  status?: number;
}

export interface ServerOptions {
  /** Close the connection after this many body bytes, on the first N requests that reach it. */
  dropAfterBytes?: number;
  dropTimes?: number;
  /** Send this Content-Length instead of the true one. */
  lieLength?: number;
  /** Ignore Range requests (always 200 with the whole file). */
  ignoreRange?: boolean;
  /** Send the body in chunks this big, waiting `chunkDelayMs` between them. */
  chunkBytes?: number;
  chunkDelayMs?: number;
  /** Redirect /redirect/<x> to /<x>, or to `<redirectTo>/<x>` when given (as Hugging Face redirects to its CDN). */
  redirects?: boolean;
  redirectTo?: string;
  /** Plain HTTP instead of HTTPS (for the tests that check it is refused). */
  plainHttp?: boolean;
  /**
   * A body without end: no Content-Length (chunked), the file's bytes, then zeros until the client goes, capped at
   * ENDLESS_CAP_BYTES so that a download that does not stop it cannot fill the disk.
   */
  endless?: boolean;
  /** No Content-Length and no chunked framing: the body ends when the connection closes (as an HTTP/1.0 server's). */
  closeDelimited?: boolean;
}

export const ENDLESS_CAP_BYTES = 64 * 1024 * 1024;

export interface ModelServer {
  url(path: string): string;
  /** `https://127.0.0.1:<port>` (or http:). */
  origin: string;
  /** What a download must be given to trust this server: its host and its self-signed certificate. */
  trust: DownloadTrust;
  /** Every request seen: method, path and the Range header. */
  requests: { path: string; range: string | undefined; ifRange: string | undefined }[];
  /** Body bytes written to clients so far. */
  sentBytes(): number;
  options: ServerOptions;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 (a self-signed certificate) with Range support (206, Content-Range, If-Range by ETag)
 * serving the given files.
 */
export async function startModelServer(files: Record<string, ServedFile>, options: ServerOptions = {}): Promise<ModelServer> {
  const requests: ModelServer["requests"] = [];
  let drops = 0;
  let sentBytes = 0;
  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? "/";
    const range = req.headers.range;
    const ifRange = typeof req.headers["if-range"] === "string" ? req.headers["if-range"] : undefined;
    requests.push({ path: url, range, ifRange });
    if (options.redirects && url.startsWith("/redirect/")) {
      res.writeHead(302, { location: `${options.redirectTo ?? ""}${url.slice("/redirect".length)}` });
      res.end();
      return;
    }
    const file = files[url];
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Entry not found");
      return;
    }
    if (file.status && file.status !== 200) {
      res.writeHead(file.status);
      res.end();
      return;
    }
    const etag = `"${createHash("sha256").update(file.body).digest("hex").slice(0, 16)}"`;
    let start = 0;
    let status = 200;
    const headers: Record<string, string> = { etag, "accept-ranges": "bytes", "content-type": "application/octet-stream" };
    const match = !options.ignoreRange && range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (match && (!ifRange || ifRange === etag)) {
      start = Number(match[1]);
      if (start >= file.body.length) {
        res.writeHead(416, { "content-range": `bytes */${file.body.length}` });
        res.end();
        return;
      }
      status = 206;
      headers["content-range"] = `bytes ${start}-${file.body.length - 1}/${file.body.length}`;
    }
    const body = file.body.subarray(start);
    if (options.closeDelimited) {
      headers.connection = "close";
      res.useChunkedEncodingByDefault = false;
    } else if (!options.endless) headers["content-length"] = String(options.lieLength !== undefined && status === 200 ? options.lieLength : body.length);
    res.writeHead(status, headers);
    if (options.endless) return sendEndless(res, body, (n) => (sentBytes += n));
    const drop = options.dropAfterBytes !== undefined && drops < (options.dropTimes ?? 1);
    const limit = drop ? Math.min(body.length, options.dropAfterBytes ?? 0) : body.length;
    if (drop) drops++;
    const chunk = options.chunkBytes ?? body.length;
    let sent = 0;
    const pump = () => {
      if (res.destroyed) return;
      if (sent >= limit) {
        if (drop) res.socket?.end(); // after what was written: the body stops short of its length
        else res.end();
        return;
      }
      const piece = body.subarray(sent, Math.min(limit, sent + chunk));
      sent += piece.length;
      res.write(piece);
      if (options.chunkDelayMs) setTimeout(pump, options.chunkDelayMs);
      else setImmediate(pump);
    };
    pump();
  };
  const server = options.plainHttp ? http.createServer(handler) : https.createServer({ cert: TEST_TLS_CERT, key: TEST_TLS_KEY }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${options.plainHttp ? "http" : "https"}://127.0.0.1:${port}`;
  return {
    url: (path) => `${origin}${path}`,
    origin,
    trust: { hosts: [`127.0.0.1:${port}`], ca: TEST_TLS_CERT },
    requests,
    sentBytes: () => sentBytes,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `body`, then zeros, until the client goes or ENDLESS_CAP_BYTES were written; waits for the socket to drain. */
function sendEndless(res: http.ServerResponse, body: Buffer, count: (bytes: number) => void): void {
  let rest = body;
  let sent = 0;
  const zeros = Buffer.alloc(64 * 1024);
  const pump = () => {
    while (!res.destroyed && sent < ENDLESS_CAP_BYTES) {
      const piece = rest.length ? rest.subarray(0, zeros.length) : zeros;
      rest = rest.subarray(piece.length);
      sent += piece.length;
      count(piece.length);
      if (!res.write(piece)) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

export function sha256(buffer: Buffer): string {
  return createHash("sha256").update(buffer).digest("hex");
}
