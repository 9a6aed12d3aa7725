import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import * as tls from "node:tls";
import { AbortedError } from "../../common/abort";
import { ServerFailure } from "./server-failure";

export interface HttpOptions {
  method: "GET" | "POST";
  body?: unknown;
  apiKey?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The longest silence: before the answer begins, and between two parts of it. */
  timeoutMs: number;
  /** The setting that holds the address, for messages (hearth.server.url unless told). */
  setting?: string | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  /** The body, part by part; ends early (with a ServerFailure or an AbortedError) when the request is cut. */
  body: AsyncIterable<Buffer>;
  /** Closes the request: the server stops generating for it. */
  close(): void;
}

let systemCa: string[] | undefined;

/**
 * The system's certificate store beside Node's own, so a team server behind a company CA works as it does in the
 * browser (Node 22.15+/Electron; older runtimes fall back to Node's store plus NODE_EXTRA_CA_CERTS, and VS Code adds
 * the system store to node:https itself when http.systemCertificates is on).
 */
function certificateAuthorities(): string[] | undefined {
  if (systemCa) return systemCa;
  const read = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (!read) return undefined;
  try {
    systemCa = [...new Set([...read("default"), ...read("system")])];
  } catch {
    return undefined;
  }
  return systemCa;
}

/**
 * One HTTP request to the inference server. Resolves once the status and headers are in; the caller reads the body.
 * An abort closes the connection at any point (llama-server and vLLM stop generating on it); a silence longer than
 * `timeoutMs` fails it as "server-timeout".
 */
export function send(url: URL, options: HttpOptions): Promise<HttpAnswer> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new AbortedError());
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: "application/json, text/event-stream" };
  if (payload) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(payload.length);
  }
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const ca = url.protocol === "https:" ? certificateAuthorities() : undefined;
  const make = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = make(url, { method: options.method, headers, ...(ca ? { ca } : {}) });
    let response: IncomingMessage | undefined;
    // A complete answer has nothing left to close: its socket may be back in the agent's pool, where an error has no
    // listener (an uncaught exception). The reader still stops, as the caller checks its signal.
    const onAbort = () => {
      if (!response?.complete) req.destroy(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    req.setTimeout(options.timeoutMs, () => req.destroy(ServerFailure.timeout(url, options.timeoutMs)));
    // Not `once`: a request closed after its answer began errs again, and that must not be an uncaught error (the
    // body's reader sees it instead).
    req.on("error", (error) => {
      done();
      reject(error instanceof ServerFailure || error instanceof AbortedError ? error : ServerFailure.fromNetwork(url, error, options.setting));
    });
    req.once("response", (answer) => {
      response = answer;
      answer.once("close", done);
      answer.on("error", () => {});
      resolve({
        status: answer.statusCode ?? 0,
        headers: answer.headers,
        body: readBody(answer, req, url),
        // A complete answer has nothing left to close (its socket may already serve another request).
        close: () => {
          if (!answer.complete && !req.destroyed) req.destroy(new AbortedError());
        },
      });
    });
    req.end(payload);
  });
}

async function* readBody(response: IncomingMessage, req: { destroyed: boolean; errored?: Error | null }, url: URL): AsyncIterable<Buffer> {
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (error) {
    const cause = req.errored ?? error;
    if (cause instanceof ServerFailure || cause instanceof AbortedError) throw cause;
    throw ServerFailure.cut(url, cause);
  }
  // A body cut by a failure of the connection ends without an error on some Node versions: the request knows.
  if (req.errored instanceof ServerFailure || req.errored instanceof AbortedError) throw req.errored;
  if (!response.complete) throw ServerFailure.cut(url, new Error("the connection closed before the answer was complete"));
}

/** The whole body as text (capped: an error page is not read forever; past `maxBytes`, what came before it). */
export async function readText(answer: HttpAnswer, maxBytes = 4 * 1024 * 1024): Promise<string> {
  return (await readAtMost(answer, maxBytes)).text;
}

/** The body as text up to `maxBytes`; `cut` when it was longer, and the request closed there. */
export async function readAtMost(answer: HttpAnswer, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body) {
    size += chunk.length;
    if (size > maxBytes) {
      answer.close();
      return { text: Buffer.concat(parts).toString("utf8"), cut: true };
    }
    parts.push(chunk);
  }
  return { text: Buffer.concat(parts).toString("utf8"), cut: false };
}

/**
 * The longest line of a stream: one event of a token stream is a few KB at most (llama-server's last, with its
 * timings), so a line beyond this is a server that does not stream events, and is not read on until memory runs out.
 */
export const MAX_EVENT_LINE_CHARS = 1024 * 1024;

/**
 * Server-sent events: each `data:` payload, in order, until `[DONE]` or the end of the body. Comments and other fields
 * are skipped. A line longer than MAX_EVENT_LINE_CHARS closes the request and fails as a bad response.
 */
export async function* serverSentEvents(answer: HttpAnswer, url: URL, setting?: string): AsyncIterable<string> {
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of answer.body) {
    // Only the new text can hold the next line's end: searching the whole buffer again on each part made one endless
    // line cost quadratic time, which froze the extension host.
    const from = buffer.length;
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n", from); end >= 0; end = buffer.indexOf("\n")) {
      const line = buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trimStart();
      if (data === "[DONE]") return;
      yield data;
    }
    if (buffer.length > MAX_EVENT_LINE_CHARS) {
      answer.close();
      throw ServerFailure.badResponse(url, `a stream line longer than ${MAX_EVENT_LINE_CHARS} characters`, buffer.slice(0, 300), setting);
    }
  }
  const rest = buffer.trim();
  if (rest.startsWith("data:") && rest.slice(5).trim() !== "[DONE]") yield rest.slice(5).trimStart();
}
