// The chat view's highlighting worker, run in-process for tests and the reliability bench: a Worker whose messages
// reach the real HighlightService (bundled by loadWebviewModules), and whose answers arrive only when drain() says so,
// so a test decides exactly when the worker has done its work.
import type { FromHighlighter, ToHighlighter } from "../../../src/webview/app/highlight-protocol";

type ServiceModule = typeof import("../../../src/webview/app/highlight-service");

export class InProcessHighlightWorker {
  onmessage: ((event: MessageEvent<FromHighlighter>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  private readonly turns: (() => void)[] = [];
  private readonly outbox: FromHighlighter[] = [];
  private readonly service: InstanceType<ServiceModule["HighlightService"]>;

  constructor(Service: ServiceModule["HighlightService"]) {
    this.service = new Service(
      (message) => this.outbox.push(message),
      (run) => this.turns.push(run),
    );
  }

  postMessage(message: ToHighlighter): void {
    this.service.receive(structuredClone(message));
  }

  terminate(): void {}

  /** Runs the queued work (at most 10,000 turns) and delivers the answers; false when there was nothing to do. */
  drain(): boolean {
    if (this.turns.length === 0 && this.outbox.length === 0) return false;
    for (let i = 0; i < 10_000 && this.turns.length > 0; i++) this.turns.shift()!();
    for (const message of this.outbox.splice(0)) this.onmessage?.({ data: message } as MessageEvent<FromHighlighter>);
    return true;
  }
}
