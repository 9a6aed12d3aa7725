// The view's side of syntax highlighting: code is shown plain at once and highlighted by a Web Worker (highlight-worker.ts),
// so no grammar compile or highlight pass ever runs on the view's main thread. A complete block comes back a slice at a
// time; lines of a block still streaming come back as one piece. The answers are put into the DOM in the view's
// animation frame (applyReady; a streaming block's lines by the promise callback that follows it in the same frame),
// after the frame has read the scroll position: inserted between frames they would leave the layout dirty, and that
// read would then lay out the whole answer from script. Where no worker can be started (a
// host whose webviews forbid blob: workers), code stays plain and the extension is told why.
import { MAX_HIGHLIGHT_CHARS, type FromHighlighter, type ToHighlighter } from "./highlight-protocol";
import { toSafeFragment } from "./sanitize";

/** The worker bundle's source, put in by the build (scripts/build.mjs). */
declare const HEARTH_HIGHLIGHT_WORKER: string | undefined;

export interface HighlightedLines {
  html: string;
  /** highlight.js is back at the language's top level at the end: the next lines can be highlighted on their own. */
  atTop: boolean;
}

interface BlockJob {
  code: HTMLElement;
  /** The text sent to the worker: the block's code after what was already highlighted. */
  text: string;
  /** The code not highlighted yet, always the code element's last child. */
  plain: Text;
}

interface WorkerLike {
  postMessage(message: ToHighlighter): void;
  onmessage: ((event: MessageEvent<FromHighlighter>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export class Highlighter {
  private worker: WorkerLike | undefined;
  private failed = false;
  private nextId = 1;
  private readonly blocks = new Map<number, BlockJob>();
  private readonly lines = new Map<number, (result: HighlightedLines | undefined) => void>();
  /** The worker's answers not applied yet, oldest first. */
  private readonly results: FromHighlighter[] = [];
  private requestFrame: () => void = () => undefined;

  constructor(
    private readonly reportProblem: (text: string) => void,
    private readonly startWorker: () => WorkerLike = startBlobWorker,
  ) {}

  /** Starts the worker ahead of the first code block, so its script is loaded by then. */
  start(): void {
    this.ensureWorker();
  }

  /** `request` asks for an animation frame in which the view calls applyReady. */
  onResults(request: () => void): void {
    this.requestFrame = request;
  }

  /** Applies the worker's answers that have arrived, for up to `budgetMs`; true when some are left for the next frame. */
  applyReady(budgetMs: number): boolean {
    const started = performance.now();
    while (this.results.length > 0 && performance.now() - started < budgetMs) this.apply(this.results.shift()!);
    return this.results.length > 0;
  }

  /**
   * Highlights a complete block soon. `code` holds the block's text, plain; or, where the block was highlighted while it
   * streamed, its highlighted nodes and then one text node with the rest (`rest`, the code after them).
   */
  highlightBlock(code: HTMLElement, language: string, rest?: string): void {
    let plain: Text;
    if (rest === undefined || !(code.lastChild instanceof Text)) {
      plain = document.createTextNode(code.textContent ?? "");
      code.replaceChildren(plain);
    } else {
      plain = code.lastChild;
      plain.data = rest;
    }
    if (!language || plain.data.length > MAX_HIGHLIGHT_CHARS || !plain.data) {
      if (!plain.data) plain.remove();
      return;
    }
    const worker = this.ensureWorker();
    if (!worker) return;
    const id = this.nextId++;
    this.blocks.set(id, { code, text: plain.data, plain });
    worker.postMessage({ type: "block", id, code: plain.data, language });
  }

  /** Lines of a streaming block that start at the language's top level, highlighted; undefined where they cannot be. */
  highlightLines(code: string, language: string): Promise<HighlightedLines | undefined> {
    const worker = language && code.length <= MAX_HIGHLIGHT_CHARS ? this.ensureWorker() : undefined;
    if (!worker) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.lines.set(id, resolve);
      worker.postMessage({ type: "lines", id, code, language });
    });
  }

  /** The view was cleared: queued blocks are no longer shown. */
  dropAll(): void {
    if (this.blocks.size === 0) return;
    this.blocks.clear();
    this.worker?.postMessage({ type: "drop", ids: "all" });
  }

  /** Blocks waiting to be (fully) highlighted. */
  get pending(): number {
    return this.blocks.size;
  }

  private ensureWorker(): WorkerLike | undefined {
    if (this.worker || this.failed) return this.worker;
    try {
      const worker = this.startWorker();
      worker.onmessage = (event) => this.receive(event.data);
      worker.onerror = (event) => this.fail(event.message || "the worker stopped");
      this.worker = worker;
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
    return this.worker;
  }

  private fail(why: string): void {
    if (this.failed) return;
    this.failed = true;
    this.worker?.terminate();
    this.worker = undefined;
    // Everything waiting stays as it is shown: plain.
    this.blocks.clear();
    this.results.length = 0;
    for (const resolve of this.lines.values()) resolve(undefined);
    this.lines.clear();
    this.reportProblem(`Code in the chat is shown without syntax highlighting: its worker could not run (${why.slice(0, 300)}).`);
  }

  private receive(message: FromHighlighter): void {
    this.results.push(message);
    if (this.results.length === 1) this.requestFrame();
  }

  private apply(message: FromHighlighter): void {
    if (message.type === "lines" || (message.type === "plain" && this.lines.has(message.id))) {
      const resolve = this.lines.get(message.id);
      this.lines.delete(message.id);
      resolve?.(message.type === "lines" ? { html: message.html, atTop: message.atTop } : undefined);
      return;
    }
    const job = this.blocks.get(message.id);
    if (!job) return;
    if (message.type === "plain") {
      this.blocks.delete(message.id);
      return;
    }
    if (!job.code.isConnected) {
      // The block left the view (another conversation, or its answer was rendered again): stop its work.
      this.blocks.delete(message.id);
      this.worker?.postMessage({ type: "drop", ids: [message.id] });
      return;
    }
    job.plain.before(toSafeFragment(message.html));
    job.plain.data = job.text.slice(message.end);
    if (message.done) {
      if (!job.plain.data) job.plain.remove();
      this.blocks.delete(message.id);
    }
  }
}

/** The worker from the bundle's inlined source; blob: workers are what a webview's CSP can allow (`worker-src blob:`). */
function startBlobWorker(): WorkerLike {
  if (typeof HEARTH_HIGHLIGHT_WORKER !== "string") throw new Error("this build has no highlighting worker");
  const url = URL.createObjectURL(new Blob([HEARTH_HIGHLIGHT_WORKER], { type: "text/javascript" }));
  return new Worker(url, { name: "hearth-highlight" }) as unknown as WorkerLike;
}
