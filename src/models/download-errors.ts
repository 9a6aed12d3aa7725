// The ways a download fails, each with a message that says what happened and what to do.
import { basename } from "node:path";
import { errorMessage } from "../common/errors";

export type DownloadErrorCode =
  | "cancelled"
  | "not-found"
  | "http"
  | "network"
  | "size-mismatch"
  | "corrupt"
  | "checksum"
  | "no-space"
  | "no-permission"
  | "untrusted-source";

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code === "cancelled" ? "AbortError" : "DownloadError";
  }
}

export function fileError(error: unknown, folder: string): DownloadError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return new DownloadError("no-space", `The disk holding ${folder} is full. Free some space or choose another folder (hearth.models.downloadFolder); the download resumes where it stopped.`);
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new DownloadError("no-permission", `Hearth cannot write to ${folder} (${code}). Choose a folder you can write to in the setting hearth.models.downloadFolder.`);
  }
  return new DownloadError("no-permission", `Hearth cannot write to ${folder}: ${errorMessage(error)}`);
}

export function untrustedError(url: string, reason: string, destination: string): DownloadError {
  const address = url.length > 120 ? `${url.slice(0, 120)}…` : url;
  return new DownloadError(
    "untrusted-source",
    `Hearth downloads models only over HTTPS from Hugging Face and its download servers, and ${address} was refused: ${reason}. Nothing was downloaded to ${basename(destination)}.`,
  );
}

export function cancelledError(destination: string): DownloadError {
  return new DownloadError("cancelled", `The download of ${basename(destination)} was cancelled; it resumes from where it stopped next time.`);
}
