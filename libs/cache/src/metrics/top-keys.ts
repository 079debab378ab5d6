/** One of the most read keys of a namespace: its (full) key and its estimated hits. */
export interface HotKey {
  key: string;
  hits: number;
}

/**
 * The most frequent keys of a stream in bounded space (Metwally et al.'s space-saving): at most
 * `capacity` counters; a key not counted yet takes over the smallest counter, plus one. Any key
 * seen more than n / capacity times is kept, and a kept key's count over-states its true count
 * by at most the count it took over. O(1) for a counted key, O(capacity) for a new one.
 */
export class TopKeys {
  private readonly counts = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  offer(key: string, n = 1): void {
    const count = this.counts.get(key);
    if (count !== undefined) {
      this.counts.set(key, count + n);
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(key, n);
      return;
    }
    let smallestKey = '';
    let smallest = Number.POSITIVE_INFINITY;
    for (const [candidate, candidateCount] of this.counts) {
      if (candidateCount < smallest) {
        smallest = candidateCount;
        smallestKey = candidate;
      }
    }
    this.counts.delete(smallestKey);
    this.counts.set(key, smallest + n);
  }

  /** The `n` largest counts, largest first (ties by key, so the order is stable). */
  top(n: number): [key: string, count: number][] {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  }

  get size(): number {
    return this.counts.size;
  }
}
