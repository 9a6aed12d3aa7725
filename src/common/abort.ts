/** Thrown (or rejected with) when the caller aborted; the edges swallow it, nothing else should. */
export class AbortedError extends Error {
  constructor(message = "The request was cancelled") {
    super(message);
    this.name = "AbortError";
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error instanceof AbortedError);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}
