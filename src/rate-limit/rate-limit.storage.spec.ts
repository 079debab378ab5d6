import type { CacheService } from '@app/cache';
import { Logger } from '@nestjs/common';
import { RATE_LIMIT_NAMESPACE, RateLimitStorage } from './rate-limit.storage';

/** Counters in a map, as CacheService.incr keeps them (Redis or its in-process fallback). */
class FakeCounters {
  readonly calls: { key: string; namespace?: string; ttlMs?: number }[] = [];
  /** How much each call added, in call order. */
  readonly added: number[] = [];
  readonly values = new Map<string, number>();
  failing = false;

  async incr(key: string, by: number, options: { namespace?: string; ttlMs?: number }): Promise<number> {
    if (this.failing) throw new Error('store exploded');
    this.calls.push({ key, ...options });
    this.added.push(by);
    const value = (this.values.get(key) ?? 0) + by;
    this.values.set(key, value);
    return value;
  }
}

describe(RateLimitStorage.name, () => {
  const TTL_MS = 60_000;
  let counters: FakeCounters;
  let sut: RateLimitStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T10:00:15.000Z') });
    counters = new FakeCounters();
    sut = new RateLimitStorage(counters as unknown as CacheService);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts per fixed window and blocks past the limit until the window ends', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await sut.increment('default:key:k1', TTL_MS, 3, 0, 'default'));
    expect(results.map((r) => [r.totalHits, r.isBlocked])).toEqual([[1, false], [2, false], [3, false], [4, true]]);
    // 45 s are left of the minute that started at 10:00:00.
    expect(results[3]).toMatchObject({ timeToExpire: 45, timeToBlockExpire: 45 });
    expect(counters.calls[0]).toEqual({ key: `default:key:k1:${Math.floor(Date.now() / TTL_MS)}`, namespace: RATE_LIMIT_NAMESPACE, ttlMs: TTL_MS + 1_000 });

    jest.setSystemTime(new Date('2026-01-01T10:01:00.000Z'));
    expect(await sut.increment('default:key:k1', TTL_MS, 3, 0, 'default')).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
  });

  it('keeps clients apart', async () => {
    await sut.increment('default:key:a', TTL_MS, 1, 0, 'default');
    expect(await sut.increment('default:ip:10.0.0.1', TTL_MS, 1, 0, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('lets the request through when the counter store throws', async () => {
    counters.failing = true;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await expect(sut.increment('default:key:a', TTL_MS, 1, 0, 'default')).resolves.toMatchObject({ isBlocked: false });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('store exploded'));
    warn.mockRestore();
  });
});

describe(`${RateLimitStorage.name} counting locally`, () => {
  const TTL_MS = 60_000;
  const KEY = 'default:key:k1';
  let counters: FakeCounters;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T10:00:15.000Z') });
    counters = new FakeCounters();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const sharedKey = () => `${KEY}:${Math.floor(Date.now() / TTL_MS)}`;

  it('adds a batch to the shared counter in one call, with exact totals for one instance', async () => {
    // 10 % of 100: a batch of 10.
    const sut = new RateLimitStorage(counters as unknown as CacheService, { localPercent: 10, syncIntervalMs: 50 });
    const results = [];
    for (let i = 0; i < 101; i++) results.push(await sut.increment(KEY, TTL_MS, 100, 0, 'default'));
    expect(results.map((r) => r.totalHits)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    // Never refused early: all 100 admitted, the 101st refused.
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(100);
    expect(results[100].isBlocked).toBe(true);
    expect(counters.added).toEqual(Array(10).fill(10));
    expect(counters.values.get(sharedKey())).toBe(100);
    await sut.onModuleDestroy();
    expect(counters.values.get(sharedKey())).toBe(101);
  });

  it('adds what is pending every sync interval, and forgets a window once it ended', async () => {
    const sut = new RateLimitStorage(counters as unknown as CacheService, { localPercent: 10, syncIntervalMs: 50 });
    const key = sharedKey();
    for (let i = 0; i < 3; i++) await sut.increment(KEY, TTL_MS, 100, 0, 'default');
    expect(counters.added).toEqual([]);
    await jest.advanceTimersByTimeAsync(50);
    expect(counters.added).toEqual([3]);
    expect(counters.values.get(key)).toBe(3);
    jest.setSystemTime(new Date('2026-01-01T10:01:00.000Z'));
    await jest.advanceTimersByTimeAsync(50);
    // The ended window's counter is gone: counting starts again in the new one.
    expect(await sut.increment(KEY, TTL_MS, 100, 0, 'default')).toMatchObject({ totalHits: 1 });
    await sut.onModuleDestroy();
  });

  it("learns other instances' requests at each reconciliation and refuses past the limit without another call", async () => {
    // Another instance already counted 995 of 1,000 this window; a batch here is 10 (1 %).
    counters.values.set(sharedKey(), 995);
    const sut = new RateLimitStorage(counters as unknown as CacheService, { localPercent: 1, syncIntervalMs: 50 });
    const results = [];
    for (let i = 0; i < 15; i++) results.push(await sut.increment(KEY, TTL_MS, 1_000, 0, 'default'));
    // The first nine are admitted on what this instance knew (the overshoot bound: one batch),
    // the tenth reconciles and learns 1,005, so it and every later one are refused.
    expect(results.slice(0, 9).every((r) => !r.isBlocked)).toBe(true);
    expect(results.slice(9).every((r) => r.isBlocked)).toBe(true);
    expect(results[9].totalHits).toBe(1_005);
    expect(counters.added).toEqual([10]);
    await sut.onModuleDestroy();
    expect(counters.values.get(sharedKey())).toBe(1_010);
  });

  it('goes on counting on its own while the shared counter throws', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sut = new RateLimitStorage(counters as unknown as CacheService, { localPercent: 10, syncIntervalMs: 50 });
    counters.failing = true;
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await sut.increment(KEY, TTL_MS, 20, 0, 'default'));
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(20);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('store exploded'));
    counters.failing = false;
    await sut.onModuleDestroy();
    warn.mockRestore();
  });

  it('counts limits whose batch is below 2 exactly, one call per request', async () => {
    const sut = new RateLimitStorage(counters as unknown as CacheService, { localPercent: 1, syncIntervalMs: 50 });
    for (let i = 0; i < 3; i++) await sut.increment(KEY, TTL_MS, 120, 0, 'default');
    expect(counters.added).toEqual([1, 1, 1]);
  });
});
