import { LatencyHistogram, type SparseHistogram } from './latency-histogram';

/** What a cache call turned out to be. */
export type CacheOutcome = 'hits' | 'misses' | 'stale' | 'loads' | 'coalesced' | 'errors';

/** One set of counters, as the stats API shows it. */
export interface CacheCounters extends Record<CacheOutcome, number> {
  hitRatio: number;
  p50: number;
  p95: number;
  p99: number;
}

/** One counter set as an instance publishes it for the fleet view: raw counts and histogram buckets. */
export interface CounterExport extends Record<CacheOutcome, number> {
  latency: SparseHistogram;
}

/** One set of counters (totals, a namespace, an organization): outcome counts and a latency histogram. */
export class CounterSet {
  hits = 0;
  misses = 0;
  stale = 0;
  loads = 0;
  coalesced = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();

  export(): CounterExport {
    const { hits, misses, stale, loads, coalesced, errors } = this;
    return { hits, misses, stale, loads, coalesced, errors, latency: this.latency.toSparse() };
  }

  /** Adds a published counter set (from Redis: anything not a non-negative integer counts 0). */
  add(published: Partial<CounterExport> | undefined): this {
    if (published === undefined || published === null || typeof published !== 'object') return this;
    for (const outcome of OUTCOMES) this[outcome] += count(published[outcome]);
    this.latency.mergeSparse(published.latency);
    return this;
  }

  get activity(): number {
    return this.hits + this.misses + this.stale + this.errors;
  }

  view(): CacheCounters {
    const served = this.hits + this.stale + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      stale: this.stale,
      loads: this.loads,
      coalesced: this.coalesced,
      errors: this.errors,
      hitRatio: served === 0 ? 0 : Math.round(((this.hits + this.stale) / served) * 10_000) / 10_000,
      p50: this.latency.percentile(0.5),
      p95: this.latency.percentile(0.95),
      p99: this.latency.percentile(0.99),
    };
  }
}

const OUTCOMES: readonly CacheOutcome[] = ['hits', 'misses', 'stale', 'loads', 'coalesced', 'errors'];

function count(value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : 0;
}

/** Sums published counter sets into the stats API's shape (percentiles from the merged histogram). */
export function sumCounters(sets: readonly (Partial<CounterExport> | undefined)[]): CacheCounters {
  const sum = new CounterSet();
  for (const set of sets) sum.add(set);
  return sum.view();
}
