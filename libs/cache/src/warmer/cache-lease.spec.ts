import { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { TieredCacheStore } from '../stores/tiered.store';
import { CacheLease } from './cache-lease';

describe(CacheLease.name, () => {
  afterEach(() => jest.useRealTimers());

  const memoryOnly = { remote: undefined, fallbackActive: false } as unknown as TieredCacheStore;

  it('is held by one holder at a time in-process without Redis, and free again once released', async () => {
    const sut = new CacheLease(memoryOnly, new CacheKeyBuilder('app'));

    const first = await sut.acquire('warm:a', 10_000);
    expect(first).toMatchObject({ name: 'warm:a', scope: 'local' });
    expect(await sut.acquire('warm:a', 10_000)).toBeUndefined();
    expect(await sut.acquire('warm:b', 10_000)).toBeDefined();

    await first!.release();
    await first!.release(); // once only: it must not free a later holder
    const second = await sut.acquire('warm:a', 10_000);
    expect(second).toBeDefined();
    await first!.release();
    expect(await sut.acquire('warm:a', 10_000)).toBeUndefined();
  });

  it('is extended only by its own holder', async () => {
    jest.useFakeTimers();
    const sut = new CacheLease(memoryOnly, new CacheKeyBuilder('app'));
    const held = await sut.acquire('warm:a', 1_000);
    jest.advanceTimersByTime(900);
    await expect(held!.extend(1_000)).resolves.toBe(true);
    jest.advanceTimersByTime(900);
    expect(await sut.acquire('warm:a', 1_000)).toBeUndefined(); // 1.8 s after it was taken, still held

    jest.advanceTimersByTime(200);
    const successor = await sut.acquire('warm:a', 1_000);
    expect(successor).toBeDefined();
    await expect(held!.extend(1_000)).resolves.toBe(false);
  });

  it('lapses after its TTL, so a holder that died blocks no one for ever', async () => {
    jest.useFakeTimers();
    const sut = new CacheLease(memoryOnly, new CacheKeyBuilder('app'));
    const first = await sut.acquire('warm:a', 1_000);
    jest.advanceTimersByTime(1_001);

    const second = await sut.acquire('warm:a', 1_000);
    expect(second).toBeDefined();
    await first!.release(); // the lapsed holder's release leaves the new holder's lease alone
    expect(await sut.acquire('warm:a', 1_000)).toBeUndefined();
  });

  it('uses Redis when it is up, and an in-process lock when the lease command fails', async () => {
    const calls: string[] = [];
    const remote = {
      acquireLease: async (key: string) => {
        calls.push(key);
        throw new Error('Connection is closed.');
      },
    };
    const sut = new CacheLease({ remote, fallbackActive: false } as unknown as TieredCacheStore, new CacheKeyBuilder('app'));
    sut['logger'].warn = () => undefined;

    expect(await sut.acquire('warm:a', 1_000)).toMatchObject({ scope: 'local' });
    expect(calls).toEqual(['app:{_global}:__lease:warm:a']);
  });

  it('resolves a release that Redis refuses, leaving the lease to lapse at its TTL', async () => {
    const remote = {
      acquireLease: async () => true,
      releaseLease: async () => {
        throw new Error('Connection is closed.');
      },
    };
    const sut = new CacheLease({ remote, fallbackActive: false } as unknown as TieredCacheStore, new CacheKeyBuilder('app'));
    const warnings: string[] = [];
    sut['logger'].warn = (message: string) => void warnings.push(message);

    const held = await sut.acquire('warm:a', 1_000);
    expect(held).toMatchObject({ scope: 'redis' });
    await expect(held!.release()).resolves.toBeUndefined();
    expect(warnings).toEqual(['Lease warm:a not released (Connection is closed.): it lapses in 1000 ms']);
  });
});
