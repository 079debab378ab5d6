import { type CacheCounters, type CacheOutcome, type CounterExport, CounterSet } from './counter-set';
import { type HotKey, TopKeys } from './top-keys';

/** Every counter set the engine keeps. */
export interface CacheMetricsSnapshot {
  totals: CacheCounters;
  namespaces: Record<string, CacheCounters>;
  orgs: Record<string, CacheCounters>;
}

/** Everything an instance publishes: summable counts, never percentiles. */
export interface CacheMetricsExport {
  totals: CounterExport;
  namespaces: Record<string, CounterExport>;
  /** The busiest organizations only (`maxOrgs`), each with its own namespaces. */
  orgs: Record<string, { totals: CounterExport; namespaces: Record<string, CounterExport> }>;
  /** Per namespace, the most read keys (full keys) with their estimated hits. */
  hotKeys: Record<string, HotKey[]>;
}

/** How the most read keys are found: 1 hit in `sampleEvery` (on average) goes into a bounded top-k per namespace. */
export interface HotKeyOptions {
  /** Default 16; 1 counts every hit. */
  sampleEvery?: number;
  /** Counters per namespace (default 64). */
  capacity?: number;
  /** Namespaces tracked at most (default 100). */
  maxNamespaces?: number;
}

/** Observer of each outcome and latency, e.g. a Prometheus exporter. */
export interface CacheMetricsListener {
  outcome?(namespace: string, org: string, outcome: CacheOutcome): void;
  latency?(namespace: string, operation: string, ms: number): void;
}

const MAX_ORGS = 10_000;

/** The counter sets one (namespace, org) pair feeds besides the totals, found once. */
interface CounterScope {
  namespace: CounterSet;
  /** Undefined for an organization past the first MAX_ORGS. */
  org: CounterSet | undefined;
  orgNamespace: CounterSet | undefined;
}

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
  /** namespace → org → its counter sets: one call (an L1 hit above all) looks up two maps, not four. */
  private scopes = new Map<string, Map<string, CounterScope>>();
  private readonly listeners: CacheMetricsListener[] = [];
  private hotKeys = new Map<string, TopKeys>();
  private readonly sampleEvery: number;
  private readonly hotKeyCapacity: number;
  private readonly maxHotNamespaces: number;
  private untilSample: number;

  constructor(hotKeys: HotKeyOptions = {}) {
    this.sampleEvery = Math.max(1, Math.floor(hotKeys.sampleEvery ?? 16));
    this.hotKeyCapacity = Math.max(1, hotKeys.capacity ?? 64);
    this.maxHotNamespaces = Math.max(1, hotKeys.maxNamespaces ?? 100);
    this.untilSample = this.nextSampleGap();
  }

  /** Adds an observer of every outcome and latency. */
  subscribe(listener: CacheMetricsListener): void {
    this.listeners.push(listener);
  }

  count(namespace: string, org: string, outcome: CacheOutcome, n = 1): void {
    this.totals[outcome] += n;
    const scope = this.scopeOf(namespace, org);
    scope.namespace[outcome] += n;
    if (scope.org !== undefined) {
      scope.org[outcome] += n;
      scope.orgNamespace![outcome] += n;
    }
    for (const listener of this.listeners) listener.outcome?.(namespace, org, outcome);
  }

  private scopeOf(namespace: string, org: string): CounterScope {
    let byOrg = this.scopes.get(namespace);
    if (byOrg === undefined) this.scopes.set(namespace, (byOrg = new Map()));
    let scope = byOrg.get(org);
    if (scope === undefined) {
      const orgSet = this.orgSet(org);
      scope = { namespace: this.set(this.namespaces, namespace), org: orgSet, orgNamespace: orgSet && this.set(this.orgNamespaces.get(org)!, namespace) };
      // An organization past the limit is not remembered either: the map stays bounded.
      if (orgSet !== undefined) byOrg.set(org, scope);
    }
    return scope;
  }

  /**
   * A hit on `key` (a full key): counted like `count(…, 'hits')`, and about one in
   * `sampleEvery` goes into the namespace's top keys, so the hot path pays a decrement.
   */
  hit(namespace: string, org: string, key: string): void {
    this.count(namespace, org, 'hits');
    if (--this.untilSample > 0) return;
    this.untilSample = this.nextSampleGap();
    let top = this.hotKeys.get(namespace);
    if (top === undefined) {
      if (this.hotKeys.size >= this.maxHotNamespaces) return;
      this.hotKeys.set(namespace, (top = new TopKeys(this.hotKeyCapacity)));
    }
    top.offer(key);
  }

  /** Per namespace, the `n` most read keys (full keys) with their estimated hits (sampled count × sampleEvery). */
  topKeys(n = 10): Record<string, HotKey[]> {
    const result: Record<string, HotKey[]> = {};
    for (const [namespace, top] of this.hotKeys) result[namespace] = top.top(n).map(([key, sampled]) => ({ key, hits: sampled * this.sampleEvery }));
    return result;
  }

  /**
   * The raw counts for publishing: totals, namespaces, the `maxOrgs` busiest organizations
   * (with their namespaces) and the top keys. Run on a timer, never per request.
   */
  export(maxOrgs: number, hotKeysPerNamespace = 10): CacheMetricsExport {
    const namespaces: Record<string, CounterExport> = {};
    for (const [name, set] of this.namespaces) namespaces[name] = set.export();
    const busiest = [...this.orgs].sort((a, b) => b[1].activity - a[1].activity).slice(0, Math.max(0, maxOrgs));
    const orgs: CacheMetricsExport['orgs'] = {};
    for (const [org, set] of busiest) {
      const orgNamespaces: Record<string, CounterExport> = {};
      for (const [name, nsSet] of this.orgNamespaces.get(org) ?? []) orgNamespaces[name] = nsSet.export();
      orgs[org] = { totals: set.export(), namespaces: orgNamespaces };
    }
    return { totals: this.totals.export(), namespaces, orgs, hotKeys: this.topKeys(hotKeysPerNamespace) };
  }

  /** Records how long one `getOrSet` (or another operation) took, in ms. */
  latency(namespace: string, org: string, ms: number, operation = 'getOrSet'): void {
    this.totals.latency.record(ms);
    const scope = this.scopeOf(namespace, org);
    scope.namespace.latency.record(ms);
    if (scope.org !== undefined) {
      scope.org.latency.record(ms);
      scope.orgNamespace!.latency.record(ms);
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
    this.scopes = new Map();
    this.hotKeys = new Map();
  }

  /** Hits until the next sample: uniform in [1, 2·sampleEvery − 1], so one in `sampleEvery` on average and never in step with a periodic access pattern. */
  private nextSampleGap(): number {
    return this.sampleEvery === 1 ? 1 : 1 + Math.floor(Math.random() * (2 * this.sampleEvery - 1));
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
