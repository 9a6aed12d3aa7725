import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { resolvesWithin } from "../context/index/workspace-files";

/** Files larger than this are left out of codebase memory (generated data, bundles). */
export const MAX_FILE_BYTES = 1024 * 1024;
const BINARY_SNIFF_BYTES = 8000;
/** A file whose lines average more than this is minified or generated, not code a person asks about. */
const MAX_AVERAGE_LINE = 400;

export interface FileSource {
  text: string;
  hash: string;
}

/**
 * A file's text and content hash; null for a file that is not text worth indexing (binary, huge, minified, gone), or,
 * given `roots`, one whose real path is outside them.
 */
export async function readFileSource(path: string, roots?: readonly string[]): Promise<FileSource | null> {
  if (roots && roots.length > 0 && !(await resolvesWithin(path, roots))) return null;
  let handle;
  try {
    // Non-blocking: a named pipe with a source file's name would otherwise wait for a writer for ever (in one of
    // libuv's few threads); opened, it is not a regular file and is left out below.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return null;
    const buffer = await handle.readFile();
    return sourceOf(buffer);
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** The same checks for text already in memory (an editor's buffer). */
export function textSource(text: string): FileSource | null {
  return sourceOf(Buffer.from(text, "utf8"));
}

function sourceOf(buffer: Buffer): FileSource | null {
  if (buffer.length > MAX_FILE_BYTES || buffer.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return null;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(buffer);
  let lines = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  if (text.length / lines > MAX_AVERAGE_LINE) return null;
  return { text, hash: createHash("sha1").update(buffer).digest("hex") };
}
