import { isPublicKeyOf } from '../keys/key-layout';
import type { CacheMetricsSnapshot } from './cache-metrics';
import { type CacheCounters, type CounterExport, sumCounters } from './counter-set';
import type { HotKey } from './top-keys';

/** One live instance of the fleet, as `GET /cache/stats?scope=fleet` lists it. */
export interface FleetInstance {
  id: string;
  startedAt: string;
  /** When it last published (this instance: now). */
  lastSeenAt: string;
  totals: CacheCounters;
  /** The instance that answered. */
  self: boolean;
}

/** Stats summed over every live instance (or this one alone, `source` says which). */
export interface FleetStatsSnapshot extends CacheMetricsSnapshot {
  /** `redis`: every instance that published within the silence window; `this-instance`: Redis is absent or unreachable. */
  source: 'redis' | 'this-instance';
  /** Why the fleet is this instance alone (absent when `source` is `redis`). */
  note?: string;
  instances: FleetInstance[];
  /** Per namespace, the most read keys in public form (`org:namespace:id`), estimated hits summed over the instances. */
  hotKeys: Record<string, HotKey[]>;
}

/** What one instance publishes in its hash (`meta` and `stats`; `o:<org>` holds that org's namespaces). */
export interface PublishedMeta {
  id: string;
  startedAt: number;
  publishedAt: number;
  /** The fleet reset this instance's counters date from (null before it first read one). */
  reset: string | null;
}

export interface PublishedStats {
  totals: CounterExport;
  namespaces: Record<string, CounterExport>;
  orgs: Record<string, CounterExport>;
  hotKeys: Record<string, HotKey[]>;
}

/** What the other instances published, as read from Redis. */
export interface PublishedInstance {
  meta: PublishedMeta;
  stats: PublishedStats;
  orgNamespaces: Record<string, CounterExport> | undefined;
}

/** This instance's own stats, as it would publish them. */
export interface OwnStats {
  id: string;
  startedAt: number;
  stats: PublishedStats;
  orgNamespaces: Record<string, CounterExport> | undefined;
}

/**
 * Stats summed over this instance and the others that published (with `org`, its totals and
 * namespaces only): counters summed, histograms merged bucket by bucket, hot keys added up. An
 * instance that published before the current reset `marker` reached it counts as zeros.
 */
export function mergeFleetStats(
  self: OwnStats,
  published: readonly PublishedInstance[],
  marker: string | null,
  org: string | undefined,
  hotKeysShown: number,
): FleetStatsSnapshot {
  const now = Date.now();
  const instances: FleetInstance[] = [];
  const totals: (CounterExport | undefined)[] = [];
  const namespaces = new Map<string, (CounterExport | undefined)[]>();
  const orgs = new Map<string, (CounterExport | undefined)[]>();
  const hot = new Map<string, Map<string, number>>();
  const add = (entry: { id: string; startedAt: number; seenAt: number; self: boolean; stats: PublishedStats; orgNamespaces: Record<string, CounterExport> | undefined }) => {
    const counted = org === undefined ? entry.stats.totals : entry.stats.orgs?.[org];
    instances.push({ id: entry.id, startedAt: iso(entry.startedAt), lastSeenAt: iso(entry.seenAt), totals: sumCounters([counted]), self: entry.self });
    totals.push(counted);
    const nsSource = org === undefined ? entry.stats.namespaces : entry.orgNamespaces;
    for (const [name, set] of Object.entries(nsSource ?? {})) push(namespaces, name, set);
    for (const [name, set] of Object.entries(entry.stats.orgs ?? {})) if (org === undefined || name === org) push(orgs, name, set);
    for (const [namespace, list] of Object.entries(entry.stats.hotKeys ?? {})) {
      if (!Array.isArray(list)) continue;
      let keys = hot.get(namespace);
      if (keys === undefined) hot.set(namespace, (keys = new Map()));
      for (const item of list) {
        if (typeof item?.key !== 'string' || !Number.isFinite(item.hits)) continue;
        if (org !== undefined && !isPublicKeyOf(item.key, org)) continue;
        keys.set(item.key, (keys.get(item.key) ?? 0) + item.hits);
      }
    }
  };
  add({ ...self, seenAt: now, self: true });
  for (const entry of published) {
    // Published before the current fleet reset reached it: its counters are from before the reset.
    const current = marker === null || entry.meta.reset === marker;
    add({
      id: entry.meta.id,
      startedAt: entry.meta.startedAt,
      seenAt: entry.meta.publishedAt,
      self: false,
      stats: current ? entry.stats : { totals: emptyExport(), namespaces: {}, orgs: {}, hotKeys: {} },
      orgNamespaces: current ? entry.orgNamespaces : undefined,
    });
  }
  instances.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1));
  const hotKeys: Record<string, HotKey[]> = {};
  for (const [namespace, keys] of hot) {
    const top = [...keys].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, hotKeysShown);
    if (top.length > 0) hotKeys[namespace] = top.map(([key, hits]) => ({ key, hits }));
  }
  return {
    source: 'redis',
    totals: sumCounters(totals),
    namespaces: mapValues(namespaces, sumCounters),
    orgs: mapValues(orgs, sumCounters),
    instances,
    hotKeys,
  };
}

/** The time a reset marker (`<ms>-<uuid>`) was written; 0 when malformed. */
export function markerTime(marker: string): number {
  const ms = Number(marker.split('-')[0]);
  return Number.isFinite(ms) ? ms : 0;
}

function push<T>(map: Map<string, T[]>, name: string, value: T): void {
  const list = map.get(name);
  if (list === undefined) map.set(name, [value]);
  else list.push(value);
}

function mapValues<T, U>(map: Map<string, T>, fn: (value: T) => U): Record<string, U> {
  const result: Record<string, U> = {};
  for (const [name, value] of map) result[name] = fn(value);
  return result;
}

function emptyExport(): CounterExport {
  return { hits: 0, misses: 0, stale: 0, loads: 0, coalesced: 0, errors: 0, latency: [] };
}

export function parse<T>(text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}
