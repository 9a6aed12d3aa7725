// Files Hearth itself wrote (a store's marker, a lock, the chat history) are still read as untrusted: another program,
// a sync tool or a crash may have put anything in their place. Reading one whole waited for ever on a named pipe (the
// open blocks until a writer comes) and read a link to /dev/zero until memory ran out, so these read only a regular
// file, opened non-blocking, up to a size the caller expects.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

/** O_NONBLOCK where the platform has it: opening a named pipe then returns at once instead of waiting for a writer. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Thrown for a file that is not read: not a regular file, or larger than the caller allows. */
export class OwnFileRefused extends Error {
  override readonly name = "OwnFileRefused";
  readonly code = "EHEARTHOWNFILE";
}

function refusal(path: string, isFile: boolean, size: number, maxBytes: number): OwnFileRefused | null {
  if (!isFile) return new OwnFileRefused(`${path} is not read: it is not a regular file`);
  if (size > maxBytes) return new OwnFileRefused(`${path} is not read: it is larger than ${maxBytes} bytes`);
  return null;
}

/** The text of a regular file of at most `maxBytes`; throws OwnFileRefused for anything else, or the open's error. */
export async function readOwnFile(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, READ_FLAGS);
  try {
    const info = await handle.stat();
    const refused = refusal(path, info.isFile(), info.size, maxBytes);
    if (refused) throw refused;
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** readOwnFile for the few places that must stay synchronous (a lock taken before anything else runs). */
export function readOwnFileSync(path: string, maxBytes: number): string {
  const fd = openSync(path, READ_FLAGS);
  try {
    const info = fstatSync(fd);
    const refused = refusal(path, info.isFile(), info.size, maxBytes);
    if (refused) throw refused;
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < buffer.length) {
      const bytesRead = readSync(fd, buffer, read, buffer.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
