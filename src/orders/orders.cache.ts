import type { CacheTtlSetting } from '../common/cache/cache-ttl-setting';

/**
 * Caching of orders: answers live in `orders`; one order's under `order:<id>`, lists under
 * `orders`. Ids are lower-cased so a tag built from a path names what a write evicts.
 */
export const OrdersCache = {
  namespace: 'orders',
  tags: {
    list: 'orders',
    order: (id: string): string => `order:${id.toLowerCase()}`,
  },
  ttl: { order: 'orders.order', list: 'orders.list' },
} as const;

/** TTLs from the API contract, each overridable in seconds by its variable. */
export const ORDERS_CACHE_TTLS: readonly CacheTtlSetting[] = [
  { name: OrdersCache.ttl.order, variable: 'CACHE_TTL_ORDER', defaultSeconds: 5 * 60 },
  { name: OrdersCache.ttl.list, variable: 'CACHE_TTL_ORDER_LIST', defaultSeconds: 2 * 60 },
];
