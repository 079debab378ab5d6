import { hash } from 'node:crypto';

/** How the HTTP cache answered a GET, in the terms of its response headers. */
export type HttpCacheOutcome = 'hit' | 'stale' | 'stored' | 'miss' | 'bypass';

const X_CACHE: Record<HttpCacheOutcome, string> = { hit: 'HIT', stale: 'STALE', stored: 'MISS', miss: 'MISS', bypass: 'BYPASS' };

/** The `X-Cache` value of an outcome: HIT, STALE, MISS or BYPASS. */
export function xCacheValue(outcome: HttpCacheOutcome): string {
  return X_CACHE[outcome];
}

/**
 * A `Cache-Status` member as RFC 9211 writes it: `hit` with the remaining freshness in `ttl`
 * (negative for a stale answer served within grace: RFC 9211 §3 writes a stale hit so, and
 * `hit` and `fwd` never share a member), or `fwd=miss` (`stored` when the answer was
 * stored), or `fwd=bypass`.
 *
 * @example
 * cacheStatusValue('app', 'hit', expiresAt, Date.now()) // 'app; hit; ttl=120'
 */
export function cacheStatusValue(cacheName: string, outcome: HttpCacheOutcome, expiresAt: number, now: number): string {
  let name = fieldNames.get(cacheName);
  if (name === undefined) fieldNames.set(cacheName, (name = structuredFieldName(cacheName)));
  switch (outcome) {
    case 'hit':
    case 'stale':
      return `${name}; hit; ttl=${Math.floor((expiresAt - now) / 1000)}`;
    case 'stored':
      return `${name}; fwd=miss; stored`;
    case 'miss':
      return `${name}; fwd=miss`;
    case 'bypass':
      return `${name}; fwd=bypass`;
  }
}

/** Cache name → its Structured Fields form (an app has one or two names: computed once each). */
const fieldNames = new Map<string, string>();

/** `Age`: whole seconds since the answer was stored. */
export function ageSeconds(createdAt: number, now: number): number {
  return Math.max(0, Math.floor((now - createdAt) / 1000));
}

/**
 * A `Vary` value naming `names` besides what `existing` (a value set earlier, e.g. `Origin` by
 * CORS) names already, each once whatever its case; `*` stays alone.
 *
 * @example
 * varyValue('Origin', ['Authorization', 'origin']) // 'Origin, Authorization'
 */
export function varyValue(existing: string | number | readonly string[] | undefined, names: readonly string[]): string {
  const listed = (Array.isArray(existing) ? existing.join(',') : existing === undefined ? '' : String(existing))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (listed.includes('*')) return '*';
  const seen = new Set(listed.map((name) => name.toLowerCase()));
  for (const name of names) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    listed.push(name);
  }
  return listed.join(', ');
}

/** A strong ETag of a serialized body: the quoted base64url SHA-256 of its bytes. */
export function strongEtag(body: string): string {
  return `"${hash('sha256', body, 'base64url')}"`;
}

/** The cache's name as a Structured Fields token, or a quoted string when it cannot be one. */
function structuredFieldName(name: string): string {
  if (/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*$/.test(name)) return name;
  return `"${name.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}
