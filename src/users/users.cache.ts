import type { CacheTtlSetting } from '../common/cache/cache-ttl-setting';

/**
 * Caching of users: answers live in `users`; one user's under `user:<id>`, lists under `users`.
 * Ids are lower-cased so a tag built from a path names what a write evicts.
 */
export const UsersCache = {
  namespace: 'users',
  tags: {
    list: 'users',
    user: (id: string): string => `user:${id.toLowerCase()}`,
  },
  ttl: { user: 'users.user', list: 'users.list' },
} as const;

/** TTLs from the API contract, each overridable in seconds by its variable. */
export const USERS_CACHE_TTLS: readonly CacheTtlSetting[] = [
  { name: UsersCache.ttl.user, variable: 'CACHE_TTL_USER', defaultSeconds: 15 * 60 },
  { name: UsersCache.ttl.list, variable: 'CACHE_TTL_USER_LIST', defaultSeconds: 5 * 60 },
];
