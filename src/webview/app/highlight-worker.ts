// The chat view's highlighting worker: a separate bundle, inlined into chat.js as text and started from a blob: URL
// (a webview cannot start a worker from its own resource URLs, which are on another origin).
import type { ToHighlighter } from "./highlight-protocol";
import { HighlightService } from "./highlight-service";

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<ToHighlighter>) => void) | null;
}

const scope = self as unknown as WorkerScope;
// A MessageChannel turn instead of setTimeout: nested timers are clamped to 4 ms, which would pace the queue.
const channel = new MessageChannel();
const runs: (() => void)[] = [];
channel.port1.onmessage = () => runs.shift()?.();
const service = new HighlightService(
  (message) => scope.postMessage(message),
  (run) => {
    runs.push(run);
    channel.port2.postMessage(null);
  },
);
scope.onmessage = (event) => service.receive(event.data);
