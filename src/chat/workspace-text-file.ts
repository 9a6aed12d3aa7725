// Reading a text file that a workspace supplies (a rules file, a prompt file) as untrusted input: it must stay inside
// the workspace once symlinks are resolved, be a regular file, be text, and cost a bounded read however large it is.
import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";

export type WorkspaceTextFile =
  | { ok: true; text: string; bytes: number; truncated: boolean }
  | { ok: false; missing: boolean; reason: string };

/** Whether `target` is `root` or below it (both paths already resolved). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * The text of `file`, at most `maxBytes` of it (`truncated` says whether more was there). Refused, with the reason in
 * words: a path that leaves `root` once its symlinks are resolved, anything but a regular file, and binary content (a NUL
 * byte, or bytes that are not UTF-8). `missing` is true when there is simply no such file.
 */
export async function readWorkspaceTextFile(root: string, file: string, maxBytes: number): Promise<WorkspaceTextFile> {
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(file);
  } catch {
    return { ok: false, missing: true, reason: "not found" };
  }
  if (!isInside(realRoot, real)) return { ok: false, missing: false, reason: "it is a link to a file outside the workspace" };
  const info = await stat(real).catch(() => undefined);
  if (!info) return { ok: false, missing: true, reason: "not found" };
  if (!info.isFile()) return { ok: false, missing: false, reason: "it is not a regular file" };
  const handle = await open(real, "r").catch(() => undefined);
  if (!handle) return { ok: false, missing: false, reason: "it cannot be read" };
  try {
    // One byte more than the limit tells whether the file is longer, without reading a huge file whole.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const truncated = bytesRead > maxBytes;
    let bytes = buffer.subarray(0, Math.min(bytesRead, maxBytes));
    if (bytes.includes(0)) return { ok: false, missing: false, reason: "it is a binary file" };
    // A cut may split a multi-byte character: drop the incomplete tail before checking the encoding.
    if (truncated) bytes = bytes.subarray(0, completeUtf8Length(bytes));
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return { ok: false, missing: false, reason: "it is not UTF-8 text" };
    }
    return { ok: true, text: text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"), bytes: info.size, truncated };
  } finally {
    await handle.close();
  }
}

/** Length of `bytes` without a multi-byte UTF-8 character cut at its end. */
function completeUtf8Length(bytes: Uint8Array): number {
  let i = bytes.length;
  // Back over continuation bytes (10xxxxxx), at most three, to the lead byte of the last character.
  let back = 0;
  while (i > 0 && back < 3 && (bytes[i - 1]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i === 0) return bytes.length;
  const lead = bytes[i - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need === back + 1 ? bytes.length : i - 1;
}
