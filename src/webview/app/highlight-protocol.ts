// The messages between the chat view and its highlighting worker (highlight-worker.ts). Both ends are this bundle's own
// code, but what they carry is model output: the HTML that comes back is sanitised before it is inserted.

/** Code longer than this is never highlighted: inserting its highlighted HTML would keep the view busy for long. */
export const MAX_HIGHLIGHT_CHARS = 60_000;

export type ToHighlighter =
  /** A complete code block: answered by `slice` messages in order (the last one `done`), or by `plain`. */
  | { type: "block"; id: number; code: string; language: string }
  /** Lines of a block still streaming, starting at the language's top level: answered by `lines` or `plain`. */
  | { type: "lines"; id: number; code: string; language: string }
  /** Forget queued blocks: they left the view. (Queued `lines` are small and still answered.) */
  | { type: "drop"; ids: number[] | "all" };

export type FromHighlighter =
  /** The code up to `end` (from the start of the request) highlighted. */
  | { type: "slice"; id: number; end: number; html: string; done: boolean }
  | { type: "lines"; id: number; html: string; atTop: boolean }
  /** The language is unknown, or the code cannot be highlighted: leave it plain. */
  | { type: "plain"; id: number };
