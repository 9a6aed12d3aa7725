/**
 * Files that usually hold secrets: `.env` and its variants, private keys and certificates, npm and netrc credentials.
 * Their text never goes into a prompt unasked: a prompt goes to the model (to an inference server, where one is set),
 * and its answer comes back as ghost text that would write the live key into the source.
 */
const SECRET_FILE = /(^|[\\/])(\.env(\..*)?|.*\.(pem|key|p12|pfx)|id_(rsa|ed25519|ecdsa)(\.pub)?|\.npmrc|\.netrc)$/i;

/** Whether a path (or a file: URI) names a file that usually holds secrets, by its name alone. */
export function isSecretFile(path: string): boolean {
  return SECRET_FILE.test(path);
}
