/** A small least-recently-used map, bounded by entry count and by a total size the caller measures. */
export class Lru<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxSize: number,
    private readonly sizeOf: (value: V) => number = () => 1,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    // Re-insert so the Map's insertion order is the recency order.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V) {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.size;
      this.map.delete(key);
    }
    const size = this.sizeOf(value);
    this.map.set(key, { value, size });
    this.total += size;
    while (this.map.size > 1 && (this.map.size > this.maxEntries || this.total > this.maxSize)) {
      const [oldestKey, oldest] = this.map.entries().next().value as [string, { size: number }];
      this.map.delete(oldestKey);
      this.total -= oldest.size;
    }
  }

  clear() {
    this.map.clear();
    this.total = 0;
  }

  get size() {
    return this.map.size;
  }
}
