import { isAbortError } from "./abort";
import { errorMessage } from "./errors";
import type { WorkerCancel, WorkerReply } from "./worker-host";

/**
 * The worker thread's side of `WorkerHost`: the returned function takes each request message, runs `handle` with a
 * signal of its own and posts its result as a `reply`, or a `failed` (saying whether it was aborted); a `cancel` aborts
 * the signal of the request it names.
 */
export function servingRequests<Req extends { type: string; id: number }, R>(
  post: (message: WorkerReply<R>) => void,
  handle: (request: Exclude<Req, WorkerCancel>, signal: AbortSignal) => Promise<R>,
): (request: Req) => void {
  const running = new Map<number, AbortController>();
  return (request) => {
    if (isCancel(request)) {
      running.get(request.target)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    handle(request as Exclude<Req, WorkerCancel>, controller.signal)
      .then(
        (result) => post({ type: "reply", id: request.id, result }),
        (e: unknown) => post({ type: "failed", id: request.id, message: errorMessage(e), aborted: isAbortError(e) }),
      )
      .finally(() => running.delete(request.id));
  };
}

function isCancel(request: { type: string }): request is WorkerCancel {
  return request.type === "cancel";
}
