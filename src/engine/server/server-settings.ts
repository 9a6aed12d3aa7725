import type { ModelRole } from "../protocol";

/** The roles a server answers for: next-edit suggestions run on the local engine only. */
export type ServedRole = Exclude<ModelRole, "nextEdit">;

/**
 * What the server engine is configured with. The ide layer builds it from machine/user settings only
 * (ide/server-config.ts): a workspace's settings never choose where code is sent.
 */
export interface ServerSettings {
  /** The server's base URL as the user wrote it (http://host:8080 or http://host:8080/v1). */
  url: string;
  /**
   * Where embeddings are asked for, when not at `url`: a llama-server started with --embeddings serves vectors and no
   * completions, so a team runs one beside its code model. Absent: `url`.
   */
  embeddingUrl?: string;
  /** The model each role asks for; "" takes the first model the server lists (a llama-server serves one). */
  models: Record<ServedRole, string>;
  /**
   * Sent to `url` as `Authorization: Bearer …` (and with embeddings when they go there too); from VS Code's
   * SecretStorage, never from a settings file.
   */
  apiKey?: string;
  /** Sent to `embeddingUrl`, and only there; absent: that server is sent no key (it is not `apiKey`'s server). */
  embeddingApiKey?: string;
  /** How long Hearth waits for an answer to begin, and for the next part of a streamed one. */
  timeoutMs: number;
  /** The FIM prompt format of the completion model: "auto" asks a llama-server's tokenizer, else a family id. */
  fimFormat: string;
  /** Transient failures (429, 503, a reset connection) are tried again after these delays. */
  retryDelaysMs?: readonly number[];
}

/** The command that sets the key of the server a setting names: each server has its own key. */
export function keyCommand(setting: string): string {
  return setting === "hearth.server.embeddingUrl" ? "Hearth: Set Embedding Server API Key" : "Hearth: Set Server API Key";
}

/** The API's root (…/v1) from the URL the user wrote, or a message saying what is wrong with it. */
export function apiBase(url: string, setting = "hearth.server.url"): { ok: true; base: URL } | { ok: false; message: string } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, message: `The server URL "${shownServerUrl(url)}" (setting ${setting}) is not a URL; write it as http://host:port.` };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { ok: false, message: `The server URL "${shownServerUrl(url)}" (setting ${setting}) must start with http:// or https://.` };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, message: `The server URL (setting ${setting}) must not hold a user name or password; set the API key with ${keyCommand(setting)}.` };
  }
  const path = parsed.pathname.replace(/\/+$/, "");
  parsed.pathname = path.endsWith("/v1") ? `${path}/` : `${path}/v1/`;
  parsed.search = "";
  parsed.hash = "";
  return { ok: true, base: parsed };
}

/**
 * The server's address as the log, the status bar and messages show it: scheme and host only. A user name, password or
 * `?api_key=` written into hearth.server.url is a credential, and must not reach a log a user pastes into an issue.
 */
export function shownServerUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    // Not a URL: what is before an "@" of its authority, and any query or fragment, are left out all the same.
    return url.trim().replace(/^([^/]*\/\/)?[^/]*@/, "$1").replace(/[?#].*$/, "").slice(0, 200);
  }
}

/** The server's origin without the API path: where llama-server's own endpoints (/tokenize, /props) live. */
export function serverRoot(base: URL): URL {
  return new URL("../", base);
}
