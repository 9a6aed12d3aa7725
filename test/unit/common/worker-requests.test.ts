import assert from "node:assert/strict";
import { AbortedError } from "../../../src/common/abort";
import type { WorkerCancel, WorkerReply } from "../../../src/common/worker-host";
import { servingRequests } from "../../../src/common/worker-requests";

type Request = { type: "double"; id: number; n: number } | { type: "wait"; id: number } | { type: "break"; id: number } | WorkerCancel;

describe("common/worker-requests (the worker thread's side)", () => {
  const serve = () => {
    const posted: WorkerReply<number>[] = [];
    let settle = (_m: WorkerReply<number>) => {};
    const next = () => new Promise<WorkerReply<number>>((resolve) => (settle = resolve));
    const handler = servingRequests<Request, number>(
      (m) => (posted.push(m), settle(m)),
      (req, signal) => {
        if (req.type === "double") return Promise.resolve(req.n * 2);
        if (req.type === "break") return Promise.reject(new Error("no such file"));
        return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new AbortedError()), { once: true }));
      },
    );
    return { handler, posted, next };
  };

  it("answers a request with its result under the request's id", async () => {
    const { handler, next } = serve();
    const answered = next();
    handler({ type: "double", id: 7, n: 21 });
    assert.deepEqual(await answered, { type: "reply", id: 7, result: 42 });
  });

  it("answers a failed request with its message, not as aborted", async () => {
    const { handler, next } = serve();
    const answered = next();
    handler({ type: "break", id: 3 });
    assert.deepEqual(await answered, { type: "failed", id: 3, message: "no such file", aborted: false });
  });

  it("aborts the signal of the request a cancel names, which then fails as aborted; the cancel itself gets no answer", async () => {
    const { handler, posted, next } = serve();
    const answered = next();
    handler({ type: "wait", id: 1 });
    handler({ type: "wait", id: 2 });
    handler({ type: "cancel", id: 9, target: 2 });
    assert.deepEqual(await answered, { type: "failed", id: 2, message: new AbortedError().message, aborted: true });
    assert.deepEqual(posted.map((m) => m.type === "log" ? -1 : m.id), [2]);
  });
});
