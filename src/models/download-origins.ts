// Where a model download may connect: Hugging Face's hub and the servers it hands downloads to, over HTTPS only. A
// request and every redirect hop are checked before any connection is opened, so a redirect to another site or to
// plain http: is never followed. The list is code, not a setting: nothing a workspace or a user setting holds can widen
// it. Only tests pass another DownloadTrust (a local HTTPS server and its self-signed certificate).
//
// Hugging Face answers /<repo>/resolve/<revision>/<file> with a redirect to its storage: the LFS CDN (cdn-lfs.hf.co and
// its regional cdn-lfs-us-1 / -eu-1 names, formerly under huggingface.co), the Xet bridge (cas-bridge.xethub.hf.co,
// transfer.xethub.hf.co) and, since 2025, region-scoped presigned CDN hosts such as us.aws.cdn.hf.co; renamed repos
// redirect within huggingface.co itself.

export interface DownloadTrust {
  /** Hosts a request or a redirect may reach: exact `host[:port]` strings, or patterns matched against the whole host. */
  hosts: readonly (string | RegExp)[];
  /** A certificate authority to trust besides the system's (tests only: their local server's self-signed certificate). */
  ca?: string | Buffer;
}

export const HUGGING_FACE_TRUST: DownloadTrust = Object.freeze({
  hosts: Object.freeze([
    "huggingface.co",
    "hf.co",
    "cdn-lfs.hf.co",
    "cdn-lfs.huggingface.co",
    /^cdn-lfs-[a-z]{2}-[0-9]{1,2}\.(?:hf\.co|huggingface\.co)$/,
    "cas-bridge.xethub.hf.co",
    "transfer.xethub.hf.co",
    /^[a-z0-9-]{1,32}\.[a-z0-9-]{1,32}\.cdn\.hf\.co$/,
  ]),
});

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** Whether a download may connect to `address` (absolute, or relative to `base` for a redirect's Location). */
export function checkDownloadUrl(address: string, trust: DownloadTrust, base?: URL): UrlVerdict {
  let url: URL;
  try {
    url = new URL(address, base);
  } catch {
    return { ok: false, reason: `${shorten(address)} is not a valid address` };
  }
  const where = `${url.protocol}//${url.host}`;
  if (url.protocol !== "https:") return { ok: false, reason: `${where} is not HTTPS` };
  if (url.username || url.password) return { ok: false, reason: `${where} carries a user name or password` };
  const allowed = trust.hosts.some((host) => (typeof host === "string" ? host === url.host : host.test(url.host)));
  return allowed ? { ok: true, url } : { ok: false, reason: `${where} is not Hugging Face or its download servers` };
}

function shorten(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
