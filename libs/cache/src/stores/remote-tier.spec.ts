import type { Logger } from '@nestjs/common';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import type { RedisConnections } from './redis-connection.factory';
import type { RedisCacheStore, RedisTicket } from './redis.store';
import { RemoteTier } from './remote-tier';

describe(`${RemoteTier.name}: lock releases a failover may lose`, () => {
  const given: string[] = [];
  const store = {
    holdsLock: (ticket: RedisTicket) => ticket.token !== '',
    endLoad: async (ticket: RedisTicket) => {
      given.push(`${ticket.key}:${ticket.token}`);
    },
  } as unknown as RedisCacheStore;
  const options = {
    circuitBreaker: { failureThreshold: 3, probeIntervalMs: 60_000, confirmTimeoutMs: 1_000 },
    lock: { ttlMs: 10_000 },
  } as unknown as ResolvedCacheOptions;
  const ticket = (key: string, token: string): RedisTicket => ({ store, key, startedAt: Date.now(), tags: [], versions: [], token });
  let tier: RemoteTier;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-30T12:00:00Z') });
    given.length = 0;
    tier = new RemoteTier(store, {} as RedisConnections, options, { warn: () => undefined } as unknown as Logger, async () => undefined);
  });

  afterEach(() => {
    tier.stop();
    jest.useRealTimers();
  });

  it('gives back, after a primary change, the locks it gave back shortly before (token-checked by the store)', async () => {
    await tier.endLoad(ticket('k1', 't1')); // a load that did not store
    tier.released(ticket('k2', 't2')); // a load whose write gave the lock back
    tier.released(ticket('k3', '')); // a reader that never held the lock
    expect(given).toEqual(['k1:t1']);

    tier.primaryChanged(new Error('+switch-master'));
    expect(tier.usable).toBe(false);
    // A write sent to the old primary before the switch, acknowledged after it.
    tier.released(ticket('k4', 't4'));
    await tier.releaseOrphanedLocks();
    expect(given).toEqual(['k1:t1', 'k1:t1', 'k2:t2', 'k4:t4']);
  });

  it('forgets releases older than a few seconds, and gives each lock back once', async () => {
    tier.released(ticket('old', 't0'));
    jest.setSystemTime(Date.now() + 6_000);
    tier.released(ticket('new', 't1'));
    tier.primaryChanged(new Error('+switch-master'));
    await tier.releaseOrphanedLocks();
    await tier.releaseOrphanedLocks();
    expect(given).toEqual(['new:t1']);
  });

  it('tries a give-back that fails at recovery again a probe interval later (the old primary refused it)', async () => {
    const refusing = jest.fn(async (t: RedisTicket) => {
      if (refusing.mock.calls.length <= 2) throw new Error("READONLY You can't write against a read only replica.");
      given.push(`${t.key}:${t.token}`);
    });
    const flaky = { ...store, holdsLock: store.holdsLock, endLoad: refusing } as unknown as RedisCacheStore;
    const quick = { ...options, circuitBreaker: { ...options.circuitBreaker, probeIntervalMs: 500 } } as ResolvedCacheOptions;
    const other = new RemoteTier(flaky, {} as RedisConnections, quick, { warn: () => undefined } as unknown as Logger, async () => undefined);
    try {
      other.released({ ...ticket('k', 't'), store: flaky });
      other.primaryChanged(new Error('+switch-master'));
      await other.releaseOrphanedLocks(); // refused: kept, retried later
      other.close();
      await jest.advanceTimersByTimeAsync(500); // refused once more, then given back
      await jest.advanceTimersByTimeAsync(500);
      expect(given[0]).toBe('k:t');
      expect(refusing.mock.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      other.stop();
    }
  });

  it('after a failover, gives each lock back again every probe interval until it lapses (the old primary may have taken the first)', async () => {
    const quick = { ...options, circuitBreaker: { ...options.circuitBreaker, probeIntervalMs: 2_000 } } as ResolvedCacheOptions;
    const other = new RemoteTier(store, {} as RedisConnections, quick, { warn: () => undefined } as unknown as Logger, async () => undefined);
    try {
      other.released(ticket('k', 't')); // lapses 10 s after it was taken
      other.primaryChanged(new Error('+switch-master'));
      await other.releaseOrphanedLocks();
      other.close();
      await jest.advanceTimersByTimeAsync(30_000);
      // At recovery, then at 2, 4, 6 and 8 s; none at 10 s or later.
      expect(given).toEqual(Array(5).fill('k:t'));
    } finally {
      other.stop();
    }
  });

  it('calls locks suspect for a lock TTL after the circuit closed again', () => {
    expect(tier.locksSuspect).toBe(false);
    tier.open(new Error('down'));
    tier.close();
    expect(tier.locksSuspect).toBe(true);
    jest.setSystemTime(Date.now() + 10_001);
    expect(tier.locksSuspect).toBe(false);
  });

  it('keeps no memory of releases on a standalone server, whose primary never changes', async () => {
    const standalone = new RemoteTier(store, { mode: 'standalone' } as RedisConnections, options, { warn: () => undefined } as unknown as Logger, async () => undefined);
    try {
      standalone.released(ticket('k', 't'));
      standalone.primaryChanged(new Error('cannot happen here, but if it did'));
      await standalone.releaseOrphanedLocks();
      expect(given).toEqual([]);
    } finally {
      standalone.stop();
    }
  });
});

describe(`${RemoteTier.name}.call`, () => {
  const options = {
    circuitBreaker: { failureThreshold: 3, probeIntervalMs: 60_000, confirmTimeoutMs: 1_000 },
    lock: { ttlMs: 10_000 },
  } as unknown as ResolvedCacheOptions;
  let tier: RemoteTier;

  beforeEach(() => {
    tier = new RemoteTier({} as RedisCacheStore, {} as RedisConnections, options, { warn: () => undefined } as unknown as Logger, async () => undefined);
  });

  afterEach(() => tier.stop());

  it("resolves with the operation's value and rejects with its error", async () => {
    await expect(tier.call(async () => 42)).resolves.toBe(42);
    await expect(tier.call(async () => Promise.reject(new Error('READONLY')))).rejects.toThrow('READONLY');
  });

  it('turns an operation that throws before returning a promise into a rejection, not a throw', async () => {
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = tier.call(() => {
        throw new Error('Stream is not writeable');
      });
    }).not.toThrow();
    await expect(result).rejects.toThrow('Stream is not writeable');
  });
});
