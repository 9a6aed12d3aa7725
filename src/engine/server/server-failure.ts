import { errorMessage } from "../../common/errors";
import { EngineError, type EngineErrorCode } from "../protocol";
import { keyCommand } from "./server-settings";

/**
 * A failure of the inference server, with the message a user can act on (what happened, at which address, what to
 * change) and whether trying again soon may help. Network codes and HTTP statuses are turned into one of the
 * protocol's server-* codes here, and only here.
 */
/** The setting that holds the server's address, named in messages that ask to check it. */
export const URL_SETTING = "hearth.server.url";

export class ServerFailure extends EngineError {
  constructor(
    code: EngineErrorCode,
    message: string,
    detail: string | undefined,
    /** 429, 503, a connection reset before the answer began: worth another try after a back-off. */
    readonly transient: boolean,
    /** What the server asked for in Retry-After, if anything. */
    readonly retryAfterMs?: number,
  ) {
    super({ code, message, ...(detail !== undefined ? { detail } : {}) });
  }

  /** `setting`: where the address came from (hearth.server.embeddingUrl for the embedding server of its own). */
  static fromNetwork(url: URL, error: unknown, setting = URL_SETTING): ServerFailure {
    const code = (error as { code?: unknown }).code;
    const where = url.origin;
    const detail = errorMessage(error);
    switch (code) {
      case "ECONNREFUSED":
        return new ServerFailure("server-unreachable", `The inference server at ${where} refused the connection: is it running, and is ${setting} right?`, detail, false);
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return new ServerFailure("server-unreachable", `The server name in ${setting} (${url.hostname}) cannot be found: check the URL and the network.`, detail, false);
      case "EHOSTUNREACH":
      case "ENETUNREACH":
      case "ETIMEDOUT":
        return new ServerFailure("server-unreachable", `The inference server at ${where} cannot be reached from this machine (${String(code)}).`, detail, false);
      case "ECONNRESET":
      case "EPIPE":
        return new ServerFailure("server-unreachable", `The inference server at ${where} closed the connection before answering.`, detail, true);
      default:
        if (typeof code === "string" && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) {
          return new ServerFailure("server-unreachable", `The TLS certificate of ${where} is not trusted (${code}): add its CA to the system's certificate store.`, detail, false);
        }
        return new ServerFailure("server-unreachable", `The inference server at ${where} cannot be reached: ${detail}`, detail, false);
    }
  }

  static timeout(url: URL, timeoutMs: number): ServerFailure {
    return new ServerFailure(
      "server-timeout",
      `The inference server at ${url.origin} sent nothing for ${Math.round(timeoutMs / 1000)} s, so Hearth stopped waiting (setting hearth.server.timeoutSeconds).`,
      undefined,
      false,
    );
  }

  /** An answer that kept coming, too slowly to be whole within `deadlineMs` (a byte at a time). */
  static slow(url: URL, deadlineMs: number, setting = URL_SETTING): ServerFailure {
    return new ServerFailure(
      "server-timeout",
      `The inference server at ${url.origin} did not finish its answer from ${url.pathname} within ${Math.round(deadlineMs / 1000)} s, so Hearth stopped waiting: is ${setting} the server you meant, and is it overloaded? (setting hearth.server.timeoutSeconds)`,
      undefined,
      false,
    );
  }

  /** The answer stopped in the middle: the connection closed or the server stopped. */
  static cut(url: URL, error: unknown): ServerFailure {
    return new ServerFailure("server-bad-response", `The inference server at ${url.origin} stopped in the middle of its answer.`, errorMessage(error), false);
  }

  static badResponse(url: URL, what: string, sample?: string, setting = URL_SETTING): ServerFailure {
    return new ServerFailure(
      "server-bad-response",
      `The server at ${url.origin} does not answer as an OpenAI-compatible server (${what}): is ${setting} the address of llama-server, vLLM or Ollama?`,
      sample === undefined ? undefined : sample.slice(0, 300),
      false,
    );
  }

  /** A non-2xx answer; `body` is the server's own error text, shown when it says more than the status. */
  static fromStatus(url: URL, status: number, body: string, model: string, retryAfter?: string, setting = URL_SETTING): ServerFailure {
    const said = serverMessage(body);
    const where = url.origin;
    const tail = said ? ` The server said: ${said}` : "";
    if (status === 401 || status === 403) {
      return new ServerFailure("server-auth", `The inference server at ${where} refused Hearth's API key (${status}): set the right one with "${keyCommand(setting)}".${tail}`, body.slice(0, 300), false);
    }
    if (status === 404) {
      if (/model/i.test(said)) {
        return new ServerFailure("server-model-missing", `The inference server at ${where} does not serve the model "${model}" (404): choose one it lists with "Hearth: Select Model".${tail}`, body.slice(0, 300), false);
      }
      return new ServerFailure("server-bad-response", `The server at ${where} has no ${url.pathname} (404): is ${setting} the server's base address?${tail}`, body.slice(0, 300), false);
    }
    if (status === 429 || status === 503 || status === 502 || status === 504) {
      const retryAfterMs = parseRetryAfter(retryAfter);
      return new ServerFailure("server-busy", `The inference server at ${where} is overloaded (${status}); Hearth tried again and gave up for now.${tail}`, body.slice(0, 300), true, retryAfterMs);
    }
    if (status >= 300 && status < 400) {
      // Never followed: the API key and the code would go to whatever host the answer names.
      return new ServerFailure("server-bad-response", `The inference server at ${where} answered ${status}, a redirect, which Hearth does not follow (the API key and code would go where it points): set ${setting} to the address it redirects to if you trust it.`, body.slice(0, 300), false);
    }
    return new ServerFailure("server-bad-response", `The inference server at ${where} answered ${status}.${tail}`, body.slice(0, 300), false);
  }
}

/** Longest part of the server's own words in a message Hearth shows. */
const MAX_SAID_CHARS = 300;

/**
 * The server's error text as a message may show it: one line (control, line-break and bidi-override characters become
 * spaces, so a server cannot fake a line of Hearth's own), and not longer than MAX_SAID_CHARS.
 */
function serverMessage(body: string): string {
  // eslint-disable-next-line no-control-regex
  const said = rawServerMessage(body).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, " ").replace(/ {2,}/g, " ").trim();
  return said.length > MAX_SAID_CHARS ? `${said.slice(0, MAX_SAID_CHARS)}…` : said;
}

/** The `error.message` of an OpenAI-style error body, or the text itself when short. */
function rawServerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const error = parsed.error;
    if (typeof error === "string") return error;
    if (error && typeof error.message === "string") return error.message;
    if (typeof parsed.message === "string") return parsed.message;
    if (typeof parsed.detail === "string") return parsed.detail;
  } catch {
    /* not JSON: the text itself, if it is short and readable */
  }
  const text = body.trim();
  return text.length > 0 && text.length <= 200 && !/[<{]/.test(text) ? text : "";
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
