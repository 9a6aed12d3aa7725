import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { errorMessage } from "../common/errors";
import { readOwnFile } from "../common/own-file";

/** What a file opened for writing must do: Node's FileHandle fits. */
export interface WritableFile {
  writeFile(text: string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file operations the conversation store uses. The real ones in production; a test wraps them to make a write
 * fail the way a full disk does (there is no portable way to fill a disk from a unit test).
 */
export interface StoreFs {
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<string>;
  open(path: string, flags: "wx" | "r"): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rm(path: string): Promise<void>;
}

export const nodeStoreFs: StoreFs = {
  mkdir: async (path) => void (await mkdir(path, { recursive: true })),
  readdir: (path) => readdir(path),
  // Only a regular file within the limit, opened non-blocking: a pipe or a device in a conversation's place must not
  // hold the history's opening (common/own-file.ts).
  readFile: (path) => readOwnFile(path, MAX_CONVERSATION_FILE_BYTES),
  open: async (path, flags) => {
    const handle = await open(path, flags);
    return { writeFile: (text) => handle.writeFile(text, "utf8"), sync: () => handle.sync(), close: () => handle.close() };
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  rm: (path) => rm(path, { force: true }),
};

/**
 * The largest conversation or index file read: far past any conversation a person has (answers are bounded by the
 * model's tokens), and what its parse may cost the extension host's thread.
 */
export const MAX_CONVERSATION_FILE_BYTES = 16 * 1024 * 1024;

/** The suffix of the temporary files atomicWrite leaves only while it runs (or when the process dies mid-write). */
export const TEMP_SUFFIX = ".tmp";
const TEMP_NAME = /\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * A temporary file atomicWrite left behind in a process that is gone (it died mid-write): safe to remove. One of a
 * live process, this one included, may be a write in progress.
 */
export function isAbandonedTemp(name: string): boolean {
  const pid = Number(TEMP_NAME.exec(name)?.[1] ?? NaN);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Replaces `path` with `text` so that a reader (or a crash, or a full disk) sees either the old file or the new one,
 * never a mix: the text goes to a temporary file in the same folder, is flushed to the disk, and is renamed over the
 * old file; then the folder is flushed so the rename itself survives a power cut. On failure the temporary file is
 * removed and the old file is untouched.
 */
export async function atomicWrite(fs: StoreFs, path: string, text: string, leftovers?: Set<string>): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`;
  let file: WritableFile | undefined;
  try {
    file = await fs.open(temp, "wx");
    await file.writeFile(text);
    await file.sync();
    const closing = file;
    file = undefined;
    await closing.close();
    await fs.rename(temp, path);
  } catch (error) {
    await file?.close().catch(() => undefined);
    // Where even the removal fails (a folder that turned read-only), the caller removes it later.
    await fs.unlink(temp).catch((unlinkError: unknown) => {
      if ((unlinkError as NodeJS.ErrnoException).code !== "ENOENT") leftovers?.add(temp);
    });
    throw error;
  }
  await syncFolder(fs, dirname(path));
}

/** Flushes a folder's entries where the platform can (Linux, macOS); Windows cannot open a folder, which is fine there. */
async function syncFolder(fs: StoreFs, folder: string): Promise<void> {
  let handle: WritableFile | undefined;
  try {
    handle = await fs.open(folder, "r");
    await handle.sync();
  } catch {
    // Not supported here (EISDIR, EPERM, EINVAL on some platforms and file systems): the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Why a save failed, for the one message the user gets. */
export interface SaveProblem {
  /** The error code (ENOSPC, EACCES, EROFS, …) or "unknown". */
  code: string;
  /** One sentence for the user: what happened, where, and what Hearth does about it. */
  message: string;
}

export function describeSaveProblem(error: unknown, folder: string): SaveProblem {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "unknown";
  const reason = reasonFor(code) ?? errorMessage(error);
  return {
    code,
    message: `Hearth could not save the chat history in ${folder}: ${reason}. Your conversations stay open in this window, and Hearth saves them as soon as it can.`,
  };
}

function reasonFor(code: string): string | undefined {
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return "the disk is full";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the disk is read-only";
    case "ENOTDIR":
    case "EEXIST":
      return "a file is in the way of the folder";
    default:
      return undefined;
  }
}
