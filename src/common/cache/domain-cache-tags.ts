/**
 * Tags of domain cache entries (API.md), always applied within the caller's organization.
 * Ids are lower-cased: a route's tags are computed from the raw path, before the UUID pipe
 * normalizes it, and must match the tags a write evicts.
 */
export const DomainTags = {
  users: 'users',
  user: (id: string): string => `user:${id.toLowerCase()}`,
  orders: 'orders',
  order: (id: string): string => `order:${id.toLowerCase()}`,
  dashboard: 'dashboard',
} as const;

/** Cache namespaces, named after the domain so `/cache/stats` reads naturally. */
export const DomainNamespaces = { users: 'users', orders: 'orders' } as const;
