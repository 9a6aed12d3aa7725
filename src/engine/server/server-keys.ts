import { apiBase, shownServerUrl } from "./server-settings";

/**
 * A server's API key as SecretStorage keeps it: with the origin (scheme, host, port) of the server it was set for, so
 * that a key set for the team's server never goes to another one the URL setting names later (a test server, a typo,
 * http:// where it was https://).
 */
interface BoundKey {
  origin: string;
  key: string;
}

/** What to keep in SecretStorage for `key`, set for the server at `url`; or why it cannot be kept. */
export function bindKey(url: string, key: string, setting: string): { ok: true; stored: string } | { ok: false; message: string } {
  const base = apiBase(url, setting);
  if (!base.ok) return { ok: false, message: url.trim() ? base.message : `Set ${setting} first: a key is kept for one server and sent to it only.` };
  return { ok: true, stored: JSON.stringify({ origin: base.base.origin, key } satisfies BoundKey) };
}

export interface KeyForServer {
  /** The key to send; absent: send none. */
  key?: string;
  /** Why a stored key is not sent (for the log). */
  withheld?: string;
  /**
   * A key stored before keys were bound to their server (a bare string): it is sent to the server `url` names now,
   * and this is what to store instead, so that it stays bound to that server.
   */
  rebound?: string;
}

/** The key to send to the server at `url` (named by `setting`), from what SecretStorage holds. */
export function keyForServer(stored: string | undefined, url: string, setting: string, command: string): KeyForServer {
  if (!stored) return {};
  const bound = parseBoundKey(stored);
  if (!bound) {
    const rebound = bindKey(url, stored, setting);
    return rebound.ok ? { key: stored, rebound: rebound.stored } : {};
  }
  const base = apiBase(url, setting);
  if (base.ok && base.base.origin === bound.origin) return { key: bound.key };
  return {
    withheld: `The API key was set for ${shownServerUrl(bound.origin)}, and ${setting} now names ${shownServerUrl(url) || "no server"}: it is not sent there. Run ${command} to set a key for this server.`,
  };
}

function parseBoundKey(stored: string): BoundKey | null {
  if (!stored.startsWith("{")) return null;
  try {
    const value = JSON.parse(stored) as Partial<BoundKey>;
    return typeof value.origin === "string" && typeof value.key === "string" ? { origin: value.origin, key: value.key } : null;
  } catch {
    return null;
  }
}
