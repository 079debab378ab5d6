import { LatencyHistogram } from './latency-histogram';

/** What a cache call turned out to be. */
export type CacheOutcome = 'hits' | 'misses' | 'stale' | 'loads' | 'coalesced' | 'errors';

/** One set of counters, as the stats API shows it. */
export interface CacheCounters {
  hits: number;
  misses: number;
  stale: number;
  loads: number;
  coalesced: number;
  errors: number;
  hitRatio: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Every counter set the engine keeps. */
export interface CacheMetricsSnapshot {
  totals: CacheCounters;
  namespaces: Record<string, CacheCounters>;
  orgs: Record<string, CacheCounters>;
}

/** Observer of each outcome and latency, e.g. a Prometheus exporter. */
export interface CacheMetricsListener {
  outcome?(namespace: string, org: string, outcome: CacheOutcome): void;
  latency?(namespace: string, operation: string, ms: number): void;
}

class CounterSet {
  hits = 0;
  misses = 0;
  stale = 0;
  loads = 0;
  coalesced = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();

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

const MAX_ORGS = 10_000;

/**
 * Hits, misses, stale serves, loader runs, coalesced waits and errors, in total, per
 * namespace and per organization, with latency percentiles. Per instance; cheap enough
 * for the L1 hot path (a few map lookups and increments).
 */
export class CacheMetrics {
  private totals = new CounterSet();
  private namespaces = new Map<string, CounterSet>();
  private orgs = new Map<string, CounterSet>();
  /** `org` → namespace → counters, so `snapshot(org)` can show one organization's namespaces. */
  private orgNamespaces = new Map<string, Map<string, CounterSet>>();
  private readonly listeners: CacheMetricsListener[] = [];

  /** Adds an observer of every outcome and latency. */
  subscribe(listener: CacheMetricsListener): void {
    this.listeners.push(listener);
  }

  count(namespace: string, org: string, outcome: CacheOutcome, n = 1): void {
    this.totals[outcome] += n;
    this.set(this.namespaces, namespace)[outcome] += n;
    const orgSet = this.orgSet(org);
    if (orgSet) {
      orgSet[outcome] += n;
      this.set(this.orgNamespaces.get(org)!, namespace)[outcome] += n;
    }
    for (const listener of this.listeners) listener.outcome?.(namespace, org, outcome);
  }

  /** Records how long one `getOrSet` (or another operation) took, in ms. */
  latency(namespace: string, org: string, ms: number, operation = 'getOrSet'): void {
    this.totals.latency.record(ms);
    this.set(this.namespaces, namespace).latency.record(ms);
    const orgSet = this.orgSet(org);
    if (orgSet) {
      orgSet.latency.record(ms);
      this.set(this.orgNamespaces.get(org)!, namespace).latency.record(ms);
    }
    for (const listener of this.listeners) listener.latency?.(namespace, operation, ms);
  }

  /**
   * Every counter set; with `org`, the totals and namespaces cover that organization only
   * (all zeros when it has not been seen, or when it came after the first 10 000 organizations).
   */
  snapshot(org?: string): CacheMetricsSnapshot {
    const orgs: Record<string, CacheCounters> = {};
    for (const [name, set] of this.orgs) if (org === undefined || name === org) orgs[name] = set.view();
    const namespaces: Record<string, CacheCounters> = {};
    const namespaceSets = org === undefined ? this.namespaces : (this.orgNamespaces.get(org) ?? new Map<string, CounterSet>());
    for (const [name, set] of namespaceSets) namespaces[name] = set.view();
    const totals = org === undefined ? this.totals : (this.orgs.get(org) ?? new CounterSet());
    return { totals: totals.view(), namespaces, orgs };
  }

  reset(): void {
    this.totals = new CounterSet();
    this.namespaces = new Map();
    this.orgs = new Map();
    this.orgNamespaces = new Map();
  }

  private set(map: Map<string, CounterSet>, name: string): CounterSet {
    let set = map.get(name);
    if (set === undefined) map.set(name, (set = new CounterSet()));
    return set;
  }

  private orgSet(org: string): CounterSet | undefined {
    const set = this.orgs.get(org);
    if (set !== undefined || this.orgs.size >= MAX_ORGS) return set;
    this.orgNamespaces.set(org, new Map());
    return this.set(this.orgs, org);
  }
}
