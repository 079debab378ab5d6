import { entryState, type CacheEntry } from './cache-entry';

describe(entryState.name, () => {
  const sut = entryState;
  const entry: CacheEntry = { value: 'v', createdAt: 0, expiresAt: 1_000, staleUntil: 1_500, tags: [] };

  it.each([
    [0, 'fresh'],
    [999, 'fresh'],
    [1_000, 'stale'],
    [1_499, 'stale'],
    [1_500, 'expired'],
    [10_000, 'expired'],
  ])('at %p ms is %p', (now, state) => {
    expect(sut(entry, now)).toBe(state);
  });

  it('goes straight from fresh to expired without grace', () => {
    const noGrace = { ...entry, staleUntil: entry.expiresAt };
    expect([sut(noGrace, 999), sut(noGrace, 1_000)]).toEqual(['fresh', 'expired']);
  });
});
