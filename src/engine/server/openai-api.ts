import { AbortedError } from "../../common/abort";
import { readAtMost, readText, send, serverSentEvents, type HttpAnswer } from "./http";
import { ServerFailure } from "./server-failure";

/** How a streamed generation ended, as the server said it. */
export interface StreamEnd {
  finishReason: string | null;
  promptTokens: number | null;
  /** Prompt tokens the server evaluated (llama-server's timings.prompt_n; the rest came from its cache). */
  evaluatedPromptTokens: number | null;
  generatedTokens: number | null;
}

export interface ListedModel {
  id: string;
  ownedBy?: string;
}

export interface StreamOptions {
  signal?: AbortSignal | undefined;
  onText: (text: string) => void;
}

const DEFAULT_RETRY_DELAYS_MS = [500, 2000];
/** Characters a generation may hold per token of its max_tokens before Hearth ends it (see stream). */
const MAX_CHARS_PER_TOKEN = 64;
/** The longest Retry-After Hearth waits for in a request: a person is waiting. */
const MAX_RETRY_WAIT_MS = 5000;

/**
 * The OpenAI-compatible API of an inference server (llama-server, vLLM, Ollama's /v1), plus llama-server's own
 * /tokenize and /props where it has them. Each call maps failures to ServerFailure; transient ones (429, 503, a reset
 * connection) are tried again after a back-off, but only before any text was passed on.
 */
export class OpenAiApi {
  constructor(
    readonly base: URL,
    private readonly config: {
      apiKey?: string | undefined;
      timeoutMs: number;
      retryDelaysMs?: readonly number[] | undefined;
      /** The setting that holds `base`, named in failure messages (hearth.server.url unless told). */
      setting?: string | undefined;
    },
  ) {}

  private get setting(): string | undefined {
    return this.config.setting;
  }

  async models(signal?: AbortSignal): Promise<ListedModel[]> {
    const url = new URL("models", this.base);
    const body = await this.json(url, "GET", undefined, "", signal);
    const data = (body as { data?: unknown }).data;
    if (!Array.isArray(data)) throw ServerFailure.badResponse(url, "no model list at /v1/models", JSON.stringify(body), this.setting);
    return data.flatMap((entry: unknown) => {
      const model = entry as { id?: unknown; owned_by?: unknown };
      if (!isShowableName(model.id)) return [];
      return [{ id: model.id, ...(isShowableName(model.owned_by) ? { ownedBy: model.owned_by } : {}) }];
    });
  }

  /**
   * `/v1/completions`, streamed: the raw prompt goes as it is, token ids from a llama-server (whose tokenizer Hearth
   * asked, server-fim.ts), else Hearth's FIM prompt as text with its special tokens written out.
   */
  completion(body: Record<string, unknown>, options: StreamOptions): Promise<StreamEnd> {
    return this.stream(new URL("completions", this.base), { ...body, stream: true }, String(body.model ?? ""), options, (choice) => {
      const text = (choice as { text?: unknown }).text;
      return typeof text === "string" ? text : undefined;
    });
  }

  chat(body: Record<string, unknown>, options: StreamOptions): Promise<StreamEnd> {
    return this.stream(new URL("chat/completions", this.base), { ...body, stream: true }, String(body.model ?? ""), options, (choice) => {
      const delta = (choice as { delta?: { content?: unknown } }).delta;
      return typeof delta?.content === "string" ? delta.content : delta ? "" : undefined;
    });
  }

  async embeddings(model: string, input: string[], signal?: AbortSignal): Promise<number[][]> {
    const url = new URL("embeddings", this.base);
    const body = await this.json(url, "POST", { model, input, encoding_format: "float" }, model, signal);
    const data = (body as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length !== input.length) throw ServerFailure.badResponse(url, "no embedding per input", JSON.stringify(body).slice(0, 300), this.setting);
    const byIndex = inInputOrder(data as { index?: unknown; embedding?: unknown }[]);
    if (typeof byIndex === "string") throw ServerFailure.badResponse(url, byIndex, JSON.stringify(data.map((entry: { index?: unknown }) => entry?.index)).slice(0, 300), this.setting);
    const vectors = byIndex.map((entry) => {
      // Number.isFinite also refuses JSON's 1e400 (Infinity), which would make the unit vector NaN.
      if (!Array.isArray(entry.embedding) || entry.embedding.length === 0 || !entry.embedding.every((value) => Number.isFinite(value))) {
        throw ServerFailure.badResponse(url, "an embedding that is not a list of finite numbers", undefined, this.setting);
      }
      return entry.embedding as number[];
    });
    // The first vector's length becomes the store's width for every chunk of the workspace: a server's 100,000 numbers
    // per text (which fit one answer) would be tens of gigabytes on disk. No embedding model is near this wide.
    if (vectors[0]!.length > MAX_EMBEDDING_DIMENSIONS) throw ServerFailure.badResponse(url, `embeddings of ${vectors[0]!.length} dimensions, more than the ${MAX_EMBEDDING_DIMENSIONS} any embedding model has`, undefined, this.setting);
    // One index holds vectors of one length: a server mixing lengths would break the store, not a search.
    if (vectors.some((vector) => vector.length !== vectors[0]!.length)) throw ServerFailure.badResponse(url, "embeddings of different lengths in one answer", undefined, this.setting);
    return vectors;
  }

  /**
   * llama-server's `/tokenize` (at the server's root); null where the server has none. `content` may mix text and token
   * ids (as a /v1/completions prompt may). Text is tokenized as text unless `parseSpecial` asks otherwise: llama-server
   * parses special tokens here by default, so "<|im_start|>" written in a file would come back as that control token.
   */
  async tokenize(
    content: string | readonly (string | number)[],
    options: { withPieces?: boolean; parseSpecial?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ id: number; piece?: string }[] | null> {
    const url = new URL("../tokenize", this.base);
    // No tokenizer makes more tokens of a text than it has bytes (a byte-level BPE token or a byte-fallback piece is at
    // least one byte), so an answer past that bound is not a tokenization, and is not read or parsed whole: a server
    // answering a short line with millions of ids cost the extension host's thread half a second per line.
    const most = mostTokens(content);
    try {
      const request = { content, add_special: false, parse_special: options.parseSpecial ?? false, ...(options.withPieces ? { with_pieces: true } : {}) };
      const body = await this.json(url, "POST", request, "", options.signal, TOKENIZE_ANSWER_BYTES + most * BYTES_PER_TOKEN);
      const tokens = (body as { tokens?: unknown }).tokens;
      if (!Array.isArray(tokens) || tokens.length > most) return null;
      const read = tokens.map((token: unknown) => (typeof token === "number" ? { id: token } : { id: (token as { id?: unknown })?.id, piece: String((token as { piece?: unknown })?.piece) }));
      // Ids go back to the server in prompts (serverFimTokens): only a vocabulary's ids, whole numbers, are ids.
      if (!read.every((token) => typeof token.id === "number" && Number.isSafeInteger(token.id) && token.id >= 0)) return null;
      return read as { id: number; piece?: string }[];
    } catch (error) {
      if (error instanceof ServerFailure && (error.code === "server-bad-response" || error.code === "server-model-missing")) return null;
      throw error;
    }
  }

  /** llama-server's `/props`: its context size per slot; null where the server has none. */
  async contextSize(signal?: AbortSignal): Promise<number | null> {
    const url = new URL("../props", this.base);
    try {
      const body = (await this.json(url, "GET", undefined, "", signal)) as { default_generation_settings?: { n_ctx?: unknown } };
      // The context size becomes the chat's budget (its answer may take what the prompt leaves): 1e300 there made
      // max_tokens 1e300, which also lifted the bound on an answer's length. Unbelievable sizes count as unknown.
      return tokenCount(body.default_generation_settings?.n_ctx, 1);
    } catch (error) {
      if (error instanceof ServerFailure && error.code === "server-bad-response") return null;
      throw error;
    }
  }

  /**
   * The answer as JSON; one longer than `maxBytes` fails as a bad response, read no further. The whole answer must come
   * within twice the timeout: the timeout covers only silence, so a server sending a byte at a time held a model list
   * (and the role's "loading" status, which every request joins) for ever.
   */
  private async json(url: URL, method: "GET" | "POST", body: unknown, model: string, signal: AbortSignal | undefined, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
    const deadlineMs = 2 * this.config.timeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    let read: { text: string; cut: boolean };
    try {
      const both = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
      read = await readAtMost(await this.open(url, method, body, model, both), maxBytes);
    } catch (error) {
      if (deadline.signal.aborted && !signal?.aborted) throw ServerFailure.slow(url, deadlineMs, this.setting);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const { text, cut } = read;
    if (cut) throw ServerFailure.badResponse(url, `an answer from ${url.pathname} longer than ${maxBytes} bytes`, undefined, this.setting);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw ServerFailure.badResponse(url, `not JSON from ${url.pathname}`, text, this.setting);
    }
  }

  private async stream(url: URL, body: Record<string, unknown>, model: string, options: StreamOptions, textOf: (choice: unknown) => string | undefined): Promise<StreamEnd> {
    const answer = await this.open(url, "POST", body, model, options.signal);
    const type = String(answer.headers["content-type"] ?? "");
    if (!type.includes("text/event-stream")) {
      const text = await readText(answer);
      throw ServerFailure.badResponse(url, `a ${type || "typeless"} answer where a stream of server-sent events was asked for`, text, this.setting);
    }
    const end: StreamEnd = { finishReason: null, promptTokens: null, evaluatedPromptTokens: null, generatedTokens: null };
    // A server that ignores max_tokens streams for ever, and the timeout only covers silence: past this many characters
    // the answer ends as if at its token limit (a token is rarely longer than a few characters, never 64).
    const maxChars = typeof body.max_tokens === "number" && body.max_tokens > 0 ? body.max_tokens * MAX_CHARS_PER_TOKEN : Number.POSITIVE_INFINITY;
    let chars = 0;
    for await (const data of serverSentEvents(answer, url, this.setting)) {
      let event: { choices?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown }; timings?: { prompt_n?: unknown; predicted_n?: unknown }; error?: unknown };
      try {
        event = JSON.parse(data) as typeof event;
      } catch {
        answer.close();
        throw ServerFailure.badResponse(url, "a stream event that is not JSON", data, this.setting);
      }
      if (event.error !== undefined) {
        answer.close();
        throw ServerFailure.fromStatus(url, 500, JSON.stringify(event), model, undefined, this.setting);
      }
      const choice = Array.isArray(event.choices) ? (event.choices[0] as { finish_reason?: unknown } | undefined) : undefined;
      if (choice) {
        const text = textOf(choice);
        if (text === undefined) {
          answer.close();
          throw ServerFailure.badResponse(url, "a stream event without text", data, this.setting);
        }
        if (chars + text.length > maxChars) {
          answer.close();
          if (maxChars > chars) options.onText(text.slice(0, maxChars - chars));
          end.finishReason = "length";
          return end;
        }
        chars += text.length;
        if (text) options.onText(text);
        if (typeof choice.finish_reason === "string") end.finishReason = choice.finish_reason;
      }
      // Counts the server reports are shown and logged, never trusted: one that is not a count is not taken.
      end.promptTokens = tokenCount(event.usage?.prompt_tokens) ?? end.promptTokens;
      end.generatedTokens = tokenCount(event.usage?.completion_tokens) ?? end.generatedTokens;
      end.evaluatedPromptTokens = tokenCount(event.timings?.prompt_n) ?? end.evaluatedPromptTokens;
      end.generatedTokens = tokenCount(event.timings?.predicted_n) ?? end.generatedTokens;
    }
    if (options.signal?.aborted) throw new AbortedError();
    if (end.finishReason === null) throw ServerFailure.cut(url, new Error("the stream ended without a finish reason"));
    return end;
  }

  /** Sends the request and checks its status, trying transient failures again after a back-off. */
  private async open(url: URL, method: "GET" | "POST", body: unknown, model: string, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    const delays = this.config.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await send(url, { method, body, apiKey: this.config.apiKey, signal, timeoutMs: this.config.timeoutMs, setting: this.setting });
        if (answer.status >= 200 && answer.status < 300) return answer;
        const text = await readText(answer, 64 * 1024).catch(() => "");
        const retryAfter = answer.headers["retry-after"];
        throw ServerFailure.fromStatus(url, answer.status, text, model, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, this.setting);
      } catch (error) {
        if (!(error instanceof ServerFailure) || !error.transient || attempt >= delays.length || signal?.aborted) throw error;
        await delay(Math.min(MAX_RETRY_WAIT_MS, Math.max(delays[attempt], error.retryAfterMs ?? 0)), signal);
      }
    }
  }
}

/** The longest JSON answer read (a model list, vectors for a batch of texts): parsing it holds the extension host. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** The widest embedding taken (the widest models give 4,096 or 8,192 numbers). */
const MAX_EMBEDDING_DIMENSIONS = 16_384;
/** A /tokenize answer's bytes besides its tokens, and the most one token takes (`{"id": 151643, "piece": "…"}`, escaped). */
const TOKENIZE_ANSWER_BYTES = 4096;
const BYTES_PER_TOKEN = 48;

/**
 * The most tokens a tokenizer can make of `content`: one per byte of its text, one per id, and a few for a leading space
 * or a BOS a server adds of its own accord.
 */
function mostTokens(content: string | readonly (string | number)[]): number {
  const parts = typeof content === "string" ? [content] : content;
  return parts.reduce<number>((sum, part) => sum + (typeof part === "number" ? 1 : Buffer.byteLength(part)), 16);
}

/** Longest model name Hearth shows: names go into the picker, the status bar's tooltip and messages. */
const MAX_MODEL_NAME = 256;

/**
 * A server's name that may be shown: no control, line-break or bidirectional-override characters (which could fake
 * another line of a message, or reverse its text) and not of absurd length.
 */
function isShowableName(value: unknown): value is string {
  // eslint-disable-next-line no-control-regex
  return typeof value === "string" && value.length > 0 && value.length <= MAX_MODEL_NAME && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(value);
}

/**
 * The embeddings in the order of the inputs. Each entry's `index` names its input: they must be 0 to n-1, each once,
 * since a vector filed under another input's chunk makes search answer with the wrong code, silently. A server that
 * gives no index at all answers in order; one that gives some and not others, or a duplicate, or one out of range, is
 * refused (the reason, for the message).
 */
function inInputOrder<T extends { index?: unknown }>(data: readonly T[]): T[] | string {
  if (data.every((entry) => entry?.index === undefined)) return [...data];
  const ordered = new Array<T | undefined>(data.length);
  for (const entry of data) {
    const index = entry?.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= data.length) {
      return `an embedding whose index ${JSON.stringify(index ?? null)?.slice(0, 40)} is not one of the ${data.length} inputs`;
    }
    if (ordered[index] !== undefined) return `two embeddings for input ${index}`;
    ordered[index] = entry;
  }
  return ordered as T[];
}

/**
 * More tokens than any model's context holds (the longest are a few million): a server's count past this is not one.
 * Counts feed budgets (a chat's answer takes what its context leaves), so a believed 1e300 would travel on.
 */
export const MAX_TOKEN_COUNT = 1 << 24;

/** `value` when it is a whole number of tokens from `least` to MAX_TOKEN_COUNT; null for anything else (-5, 1.5, "7", 1e300). */
export function tokenCount(value: unknown, least = 0): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= least && value <= MAX_TOKEN_COUNT ? value : null;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
