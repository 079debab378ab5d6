import type { CacheService } from '@app/cache';
import { Logger } from '@nestjs/common';
import { RATE_LIMIT_NAMESPACE, RateLimitStorage } from './rate-limit.storage';

/** Counters in a map, as CacheService.incr keeps them (Redis or its in-process fallback). */
class FakeCounters {
  readonly calls: { key: string; namespace?: string; ttlMs?: number }[] = [];
  private readonly values = new Map<string, number>();
  failing = false;

  async incr(key: string, by: number, options: { namespace?: string; ttlMs?: number }): Promise<number> {
    if (this.failing) throw new Error('store exploded');
    this.calls.push({ key, ...options });
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
