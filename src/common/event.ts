/** A minimal typed event, shaped like VS Code's so the ide layer can adapt it without wrappers. */
export type Listener<T> = (value: T) => void;

export interface Subscription {
  dispose(): void;
}

export type Event<T> = (listener: Listener<T>) => Subscription;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
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
