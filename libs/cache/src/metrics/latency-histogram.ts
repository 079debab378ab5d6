const MIN_MS = 0.001;
const GROWTH = 1.1;
const BUCKETS = 200; // 1 µs · 1.1^200 ≈ 190 s
const LOG_GROWTH = Math.log(GROWTH);

/**
 * A histogram's non-empty buckets as a flat list `[index, count, index, count, ...]`: what
 * instances publish for the fleet view (a few dozen numbers instead of 200).
 */
export type SparseHistogram = number[];

/**
 * Latency percentiles in constant memory and O(1) per sample: log-spaced buckets 10 %
 * apart, so a reported percentile is within 10 % of the true one. Histograms of several
 * instances merge bucket by bucket (`merge`), so a fleet's percentiles come from the merged
 * counts, never from averaging each instance's percentiles.
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[index] += 1;
    this.total += 1;
  }

  get count(): number {
    return this.total;
  }

  /** Upper bound of the bucket holding the q-th quantile (0 < q ≤ 1), in ms; 0 without samples. */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return round(MIN_MS * GROWTH ** i);
    }
    return round(MIN_MS * GROWTH ** (BUCKETS - 1));
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    return this;
  }

  /** The non-empty buckets, for publishing. */
  toSparse(): SparseHistogram {
    const sparse: number[] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) sparse.push(i, this.counts[i]);
    return sparse;
  }

  /**
   * Adds published buckets (`toSparse` of another instance) to this one. Malformed pairs
   * (an index out of range, a negative or fractional count) are skipped: the data came
   * through Redis.
   */
  mergeSparse(sparse: unknown): this {
    if (!Array.isArray(sparse)) return this;
    for (let i = 0; i + 1 < sparse.length; i += 2) {
      const index = sparse[i] as unknown;
      const count = sparse[i + 1] as unknown;
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= BUCKETS) continue;
      if (!Number.isInteger(count) || (count as number) <= 0) continue;
      this.counts[index as number] += count as number;
      this.total += count as number;
    }
    return this;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
