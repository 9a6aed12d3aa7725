import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";

/** A file path for file: URIs and plain absolute paths; null for untitled buffers and other schemes. */
export function uriToPath(uri: string): string | null {
  if (uri.startsWith("file://")) {
    try {
      return fileURLToPath(uri);
    } catch {
      return null;
    }
  }
  return isAbsolute(uri) ? uri : null;
}
