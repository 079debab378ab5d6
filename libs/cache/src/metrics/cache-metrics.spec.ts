import { CacheMetrics, type CacheMetricsListener } from './cache-metrics';
import { sumCounters } from './counter-set';

const MAX_ORGS = 10_000;

describe(CacheMetrics.name, () => {
  let sut: CacheMetrics;

  beforeEach(() => {
    sut = new CacheMetrics();
  });

  it('counts each outcome in total, per namespace and per org', () => {
    sut.count('users', 'o1', 'hits');
    sut.count('users', 'o2', 'misses');
    sut.count('lists', 'o1', 'loads', 3);
    sut.count('lists', 'o1', 'errors');
    const snapshot = sut.snapshot();
    expect(snapshot.totals).toMatchObject({ hits: 1, misses: 1, loads: 3, errors: 1, stale: 0, coalesced: 0 });
    expect(snapshot.namespaces.users).toMatchObject({ hits: 1, misses: 1, loads: 0 });
    expect(snapshot.namespaces.lists).toMatchObject({ hits: 0, loads: 3, errors: 1 });
    expect(snapshot.orgs.o1).toMatchObject({ hits: 1, misses: 0, loads: 3, errors: 1 });
    expect(snapshot.orgs.o2).toMatchObject({ hits: 0, misses: 1 });
  });

  describe('hitRatio', () => {
    it('is (hits + stale) / (hits + stale + misses), to four decimals', () => {
      sut.count('n', 'o', 'hits', 1);
      sut.count('n', 'o', 'stale', 1);
      sut.count('n', 'o', 'misses', 1);
      sut.count('n', 'o', 'loads', 50); // loads, errors and coalesced waits are no serves
      sut.count('n', 'o', 'errors', 50);
      expect(sut.snapshot().totals.hitRatio).toBe(0.6667);
    });

    it('is 0 before anything was served', () => {
      expect(sut.snapshot().totals.hitRatio).toBe(0);
    });

    it('is computed per set', () => {
      sut.count('hot', 'o', 'hits', 3);
      sut.count('cold', 'o', 'misses', 1);
      const snapshot = sut.snapshot();
      expect([snapshot.namespaces.hot.hitRatio, snapshot.namespaces.cold.hitRatio, snapshot.totals.hitRatio]).toEqual([1, 0, 0.75]);
    });
  });

  it('keeps latency percentiles per namespace and per org', () => {
    for (let i = 0; i < 100; i++) sut.latency('fast', 'o1', 1);
    for (let i = 0; i < 100; i++) sut.latency('slow', 'o2', 100);
    const snapshot = sut.snapshot();
    expect(snapshot.namespaces.fast.p50).toBeCloseTo(1, 0);
    expect(snapshot.namespaces.slow.p99).toBeGreaterThanOrEqual(100);
    expect(snapshot.namespaces.slow.p99).toBeLessThanOrEqual(110);
    expect(snapshot.orgs.o1.p95).toBeLessThan(2);
    expect(snapshot.totals.p50).toBeLessThan(2);
    expect(snapshot.totals.p99).toBeGreaterThanOrEqual(100);
  });

  it(`tracks at most ${MAX_ORGS} orgs, still counting the rest in totals and namespaces`, () => {
    for (let i = 0; i < MAX_ORGS; i++) sut.count('n', `org${i}`, 'hits');
    sut.count('n', 'one-too-many', 'hits');
    sut.latency('n', 'one-too-many', 5);
    sut.count('n', 'org0', 'misses'); // an org already tracked keeps counting
    const snapshot = sut.snapshot();
    expect(Object.keys(snapshot.orgs)).toHaveLength(MAX_ORGS);
    expect(snapshot.orgs['one-too-many']).toBeUndefined();
    expect(snapshot.orgs.org0).toMatchObject({ hits: 1, misses: 1 });
    expect(snapshot.totals).toMatchObject({ hits: MAX_ORGS + 1, misses: 1 });
    expect(snapshot.namespaces.n.hits).toBe(MAX_ORGS + 1);
  });

  it('tells every listener of each outcome and latency', () => {
    const calls: unknown[][] = [];
    const listener: CacheMetricsListener = {
      outcome: (...args) => calls.push(['outcome', ...args]),
      latency: (...args) => calls.push(['latency', ...args]),
    };
    const second = { outcome: jest.fn() };
    sut.subscribe(listener);
    sut.subscribe(second);
    sut.count('users', 'o1', 'hits');
    sut.latency('users', 'o1', 12);
    sut.latency('users', 'o1', 3, 'invalidate');
    expect(calls).toEqual([
      ['outcome', 'users', 'o1', 'hits'],
      ['latency', 'users', 'getOrSet', 12],
      ['latency', 'users', 'invalidate', 3],
    ]);
    expect(second.outcome).toHaveBeenCalledWith('users', 'o1', 'hits');
  });

  it("filters the snapshot's orgs to the one asked for", () => {
    sut.count('users', 'o1', 'hits');
    sut.count('users', 'o2', 'misses');
    expect(Object.keys(sut.snapshot('o1').orgs)).toEqual(['o1']);
    expect(sut.snapshot('o1').orgs.o1.hits).toBe(1);
    expect(sut.snapshot('unknown').orgs).toEqual({});
  });

  it("with an org, totals and namespaces cover only that org's calls", () => {
    sut.count('users', 'o1', 'hits', 3);
    sut.count('users', 'o2', 'misses', 5);
    sut.count('orders', 'o2', 'hits');
    sut.latency('users', 'o1', 2);
    sut.latency('users', 'o2', 400);

    const o1 = sut.snapshot('o1');

    expect(o1.totals).toMatchObject({ hits: 3, misses: 0, hitRatio: 1 });
    expect(o1.totals.p99).toBeLessThan(3);
    expect(Object.keys(o1.namespaces)).toEqual(['users']);
    expect(o1.namespaces.users).toMatchObject({ hits: 3, misses: 0 });
    expect(sut.snapshot('o2').namespaces).toEqual({ users: expect.objectContaining({ misses: 5 }), orders: expect.objectContaining({ hits: 1 }) });
    expect(sut.snapshot('unknown')).toEqual({ totals: expect.objectContaining({ hits: 0 }), namespaces: {}, orgs: {} });
    expect(sut.snapshot().totals).toMatchObject({ hits: 4, misses: 5 });
  });

  it('starts over on reset, keeping its listeners', () => {
    const listener = { outcome: jest.fn() };
    sut.subscribe(listener);
    sut.count('users', 'o1', 'hits');
    sut.latency('users', 'o1', 5);
    sut.reset();
    expect(sut.snapshot()).toEqual({ totals: expect.objectContaining({ hits: 0, p50: 0 }), namespaces: {}, orgs: {} });
    sut.count('users', 'o1', 'misses');
    expect(listener.outcome).toHaveBeenCalledTimes(2);
    expect(sut.snapshot().orgs.o1.misses).toBe(1);
    // The counter sets a (namespace, org) pair feeds are found again after a reset, not the old ones.
    sut.latency('users', 'o1', 7);
    expect(sut.snapshot().namespaces.users).toMatchObject({ misses: 1, p50: expect.any(Number) });
    expect(sut.snapshot('o1').namespaces.users.misses).toBe(1);
    expect(sut.snapshot().namespaces.users.p50).toBeGreaterThan(0);
  });

  describe('hot keys and export', () => {
    it('counts sampled hits into each namespace\'s top keys, estimating hits as samples × sampleEvery', () => {
      const every = new CacheMetrics({ sampleEvery: 1 });
      for (let i = 0; i < 5; i++) every.hit('users', 'o1', 'app:{o1}:users:1');
      every.hit('users', 'o1', 'app:{o1}:users:2');
      every.hit('orders', 'o2', 'app:{o2}:orders:9');
      expect(every.topKeys()).toEqual({
        users: [
          { key: 'app:{o1}:users:1', hits: 5 },
          { key: 'app:{o1}:users:2', hits: 1 },
        ],
        orders: [{ key: 'app:{o2}:orders:9', hits: 1 }],
      });
      expect(every.snapshot().totals.hits).toBe(7);
      every.reset();
      expect(every.topKeys()).toEqual({});
    });

    it('samples about one hit in sampleEvery, and the hottest key still comes first', () => {
      const sampled = new CacheMetrics({ sampleEvery: 16 });
      for (let i = 0; i < 16_000; i++) sampled.hit('users', 'o', i % 4 === 0 ? 'hot' : `cold-${i % 50}`);
      const [top] = sampled.topKeys(1).users;
      expect(top.key).toBe('hot');
      expect(top.hits).toBeGreaterThan(4_000 * 0.7);
      expect(top.hits).toBeLessThan(4_000 * 1.3);
    });

    it('exports raw counts and histogram buckets, the busiest organizations only, that sum back to the same view', () => {
      for (const [org, reads] of [['quiet', 1], ['busy', 30], ['middling', 10]] as const) {
        for (let i = 0; i < reads; i++) {
          sut.count('users', org, 'misses');
          sut.latency('users', org, 2 + i);
        }
      }
      const exported = sut.export(2);
      expect(Object.keys(exported.orgs).sort()).toEqual(['busy', 'middling']);
      expect(exported.orgs.busy.namespaces.users).toMatchObject({ misses: 30 });
      expect(exported.totals.misses).toBe(41);
      expect(sumCounters([exported.totals])).toEqual(sut.snapshot().totals);
      expect(sumCounters([exported.orgs.busy.totals, exported.orgs.busy.totals]).misses).toBe(60);
      expect(sumCounters([{ hits: -5, misses: 'x' as unknown as number, latency: [1, 1.5] }, undefined])).toMatchObject({ hits: 0, misses: 0, p50: 0 });
    });
  });
});
