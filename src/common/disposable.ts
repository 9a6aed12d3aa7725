/**
 * Something that holds a resource (a listener, a timer, a process) until it is disposed. Shaped like VS Code's
 * Disposable, so the core's and the editor's fit wherever the other is expected.
 */
export interface Disposable {
  dispose(): void;
}

/** A Disposable that runs `release` on its first dispose() and does nothing on later ones. */
export function toDisposable(release: () => unknown): Disposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      release();
    },
  };
}

/**
 * Disposables released together, in the order they were added. Every one is released even when one of them throws
 * (the first error is thrown after the rest are released). Once the store is disposed, whatever is added to it is
 * released at once, so a subscription made late does not outlive its owner.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  add(...items: Disposable[]): void {
    if (this.disposed) releaseAll(items);
    else this.items.push(...items);
  }

  /** Releases what was added so far; the store takes new items afterwards (for a view that is shown again). */
  clear(): void {
    releaseAll(this.items.splice(0));
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }
}

function releaseAll(items: readonly Disposable[]): void {
  let failure: { error: unknown } | undefined;
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
