/** Tags of domain cache entries (API.md), always applied within the caller's organization. */
export const DomainTags = {
  users: 'users',
  user: (id: string): string => `user:${id}`,
  orders: 'orders',
  order: (id: string): string => `order:${id}`,
  dashboard: 'dashboard',
} as const;

/** Cache namespaces, named after the domain so `/cache/stats` reads naturally. */
export const DomainNamespaces = { users: 'users', orders: 'orders' } as const;
