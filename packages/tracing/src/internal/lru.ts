/** Counters of a {@link LruCache}, as `trace://stats/cache` shows them. */
export interface CacheStats {
  size: number;
  capacity: number;
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * A least-recently-used cache on a `Map` (its insertion order is the recency order: a hit moves
 * the entry to the end). Unlike the seed's "TimeBasedLRU", which evicted by insertion time, a
 * read counts as use.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictions++;
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Removes every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): CacheStats {
    return {
      size: this.entries.size,
      capacity: this.capacity,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }
}
