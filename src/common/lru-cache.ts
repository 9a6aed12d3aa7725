/**
 * A small LRU map: Map keeps insertion order, so re-inserting on read makes the oldest entry the first one. A read
 * re-inserts the key that was stored, not the caller's equal one: a string key looked up with a slice of a document
 * would otherwise keep that whole document alive.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { key: K; value: V }>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(entry.key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { key, value });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
