import type { SymbolIndex } from "./symbol-index";
import type { DefinitionQuery, DefinitionQueryResult, IndexStats } from "../symbol-types";

/** How long a lookup started ahead of time may take in the worker before it is given up. */
const AHEAD_TIMEOUT_MS = 2000;

interface Answer {
  fromPath: string | null;
  promise: Promise<DefinitionQueryResult | null>;
  settled: boolean;
}

/**
 * The workspace index with its recent answers remembered. A completion asks the index once per keystroke that may
 * reach the model; the same names near the cursor come back keystroke after keystroke, and a lookup started while the
 * request still waits out its typing pause (`lookAhead`) is answered by the time the context is assembled. A change
 * to a file forgets the answers given to other files; the edited file's own answers stay, since what it finds in other
 * files has not changed (its own definitions in them may be a little behind, and a completion does not use those).
 */
export class MemoizedSymbolIndex implements SymbolIndex {
  /** Insertion-ordered: the oldest answer goes first when there are more than `capacity`. */
  private readonly answers = new Map<string, Answer>();

  constructor(
    private readonly inner: SymbolIndex,
    private readonly capacity = 32,
  ) {}

  async indexFolders(roots: readonly string[], signal?: AbortSignal): Promise<IndexStats | null> {
    this.forget();
    try {
      return await this.inner.indexFolders(roots, signal);
    } finally {
      this.forget();
    }
  }

  updateFile(path: string, text?: string, languageId?: string): void {
    this.forget(path);
    this.inner.updateFile(path, text, languageId);
  }

  removeFile(path: string): void {
    this.forget();
    this.inner.removeFile(path);
  }

  /** Starts the lookup now, so that a query for the same names a moment later finds it answered or under way. */
  lookAhead(query: DefinitionQuery): void {
    this.answer(query);
  }

  /** True when the answer to this query is here already (no wait for the worker). */
  hasAnswer(query: DefinitionQuery): boolean {
    return this.answers.get(keyOf(query))?.settled ?? false;
  }

  async query(query: DefinitionQuery, timeoutMs: number, signal?: AbortSignal): Promise<DefinitionQueryResult | null> {
    const answer = this.answer(query);
    if (answer.settled) return answer.promise;
    // The lookup is shared: the caller stops waiting on its own deadline or cancel, the lookup goes on for the next one.
    return new Promise((resolve) => {
      const done = (result: DefinitionQueryResult | null) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const onAbort = () => done(null);
      const timer = setTimeout(() => done(null), timeoutMs);
      if (signal?.aborted) return done(null);
      signal?.addEventListener("abort", onAbort, { once: true });
      void answer.promise.then(done);
    });
  }

  stats(): Promise<IndexStats | null> {
    return this.inner.stats();
  }

  dispose(): void {
    this.forget();
    this.inner.dispose();
  }

  private answer(query: DefinitionQuery): Answer {
    const key = keyOf(query);
    const known = this.answers.get(key);
    if (known) return known;
    const answer: Answer = { fromPath: query.fromPath, promise: Promise.resolve(null), settled: false };
    // A timed-out or failed lookup is not an answer: the next query asks again.
    const drop = () => {
      if (this.answers.get(key) === answer) this.answers.delete(key);
    };
    answer.promise = this.inner.query(query, AHEAD_TIMEOUT_MS).then(
      (result) => {
        answer.settled = true;
        if (result === null) drop();
        return result;
      },
      () => {
        answer.settled = true;
        drop();
        return null;
      },
    );
    this.answers.set(key, answer);
    if (this.answers.size > this.capacity) this.answers.delete(this.answers.keys().next().value!);
    return answer;
  }

  /** Forgets every answer, or, when a file changed, the answers given to the other files. */
  private forget(changedPath?: string): void {
    for (const [key, answer] of this.answers) if (changedPath === undefined || answer.fromPath !== changedPath) this.answers.delete(key);
  }
}

function keyOf(query: DefinitionQuery): string {
  const imports = query.imports.map((i) => `${i.specifier}:${i.names.join(",")}${i.namespace ? `*${i.namespace}` : ""}${i.defaultName ? `=${i.defaultName}` : ""}`).join(";");
  return `${query.fromPath ?? ""}\u0000${query.languageId}\u0000${query.maxPerName}\u0000${imports}\u0000${query.names.join(",")}`;
}
