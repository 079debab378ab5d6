import { ageSeconds, cacheStatusValue, strongEtag, varyValue, xCacheValue } from './http-cache-headers';

describe(cacheStatusValue.name, () => {
  const now = 1_000_000;

  it.each([
    ['hit', now + 120_000, 'app; hit; ttl=120'],
    ['stale', now - 5_000, 'app; hit; ttl=-5'],
    ['stored', now + 1, 'app; fwd=miss; stored'],
    ['miss', now + 1, 'app; fwd=miss'],
    ['bypass', 0, 'app; fwd=bypass'],
  ] as const)('writes %s as RFC 9211 does', (outcome, expiresAt, expected) => {
    expect(cacheStatusValue('app', outcome, expiresAt, now)).toBe(expected);
  });

  it('quotes a cache name that is not a token', () => {
    expect(cacheStatusValue('9lives', 'miss', 0, now)).toBe('"9lives"; fwd=miss');
  });
});

describe(xCacheValue.name, () => {
  it('maps outcomes to X-Cache', () => {
    expect((['hit', 'stale', 'stored', 'miss', 'bypass'] as const).map(xCacheValue)).toEqual(['HIT', 'STALE', 'MISS', 'MISS', 'BYPASS']);
  });
});

describe(ageSeconds.name, () => {
  it('counts whole seconds, never negative', () => {
    expect(ageSeconds(0, 2_999)).toBe(2);
    expect(ageSeconds(5_000, 4_000)).toBe(0);
  });
});

describe(strongEtag.name, () => {
  it('is a quoted, strong (no W/) hash that changes with the body', () => {
    const etag = strongEtag('{"a":1}');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(strongEtag('{"a":1}')).toBe(etag);
    expect(strongEtag('{"a":2}')).not.toBe(etag);
  });
});

describe(varyValue.name, () => {
  it.each<[string | string[] | undefined, string[], string]>([
    [undefined, ['Authorization', 'accept-language'], 'Authorization, accept-language'],
    ['Origin', ['Authorization'], 'Origin, Authorization'],
    ['origin, AUTHORIZATION', ['Authorization', 'Origin', 'x-tenant'], 'origin, AUTHORIZATION, x-tenant'],
    [['Origin', 'Accept-Encoding'], ['Authorization'], 'Origin, Accept-Encoding, Authorization'],
    ['*', ['Authorization'], '*'],
    ['', [], ''],
  ])('adds to %j the names %j once each', (existing, names, expected) => {
    expect(varyValue(existing, names)).toBe(expected);
  });
});
