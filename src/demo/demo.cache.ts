import type { CacheTtlSetting } from '../common/cache/cache-ttl-setting';

/**
 * Caching of the demo items: each item lives in `demo` under `item:<id>`, tagged `demo-item:<id>`
 * so a write evicts exactly the entries that show it. Demo rows belong to no organization: their
 * entries and evictions name the global one.
 */
export const DemoCache = {
  namespace: 'demo',
  tags: { item: (id: number): string => `demo-item:${id}` },
  ttl: { item: 'demo.item' },
} as const;

/** The demo's TTL, overridable in seconds by its variable. */
export const DEMO_CACHE_TTLS: readonly CacheTtlSetting[] = [
  { name: DemoCache.ttl.item, variable: 'CACHE_TTL_DEMO_ITEM', defaultSeconds: 60 },
];
