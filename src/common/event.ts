import { toDisposable, type Disposable } from "./disposable";

/** A minimal typed event, shaped like VS Code's so the ide layer can adapt it without wrappers. */
export type Listener<T> = (value: T) => void;

/** What subscribing to an event returns: dispose() stops the calls. */
export type Subscription = Disposable;

export type Event<T> = (listener: Listener<T>) => Subscription;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A failing listener must not stop the others or the code that fired the event.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
