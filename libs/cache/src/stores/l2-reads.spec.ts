import { resolveCacheOptions } from '../cache-options.resolver';
import type { InvalidationBus } from '../invalidation/invalidation-bus';
import { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { CacheEntry } from '../serialization/cache-entry';
import type { DecodedEntry } from '../serialization/cache-serializer';
import type { BeginLoadResult } from './cache-store.interface';
import { L2Reads } from './l2-reads';
import { MemoryCacheStore } from './memory.store';
import type { RedisTicket } from './redis.store';
import type { RemoteTier } from './remote-tier';
import type { TieredTicket } from './tiered-store.types';

type ReadOrBegun = { found: DecodedEntry | undefined } | BeginLoadResult<RedisTicket>;

/** The read-or-begin path of the tiered store against a scripted Redis tier (pure logic: the Redis side has its e2e tests). */
describe(L2Reads.name, () => {
  const keys = new CacheKeyBuilder('l2reads');
  const key = keys.entry('o1', 'users', '7');
  const now = Date.now();
  const entry = (createdAt: number): CacheEntry => ({ value: { n: 7 }, createdAt, expiresAt: now + 60_000, staleUntil: now + 120_000, tags: ['user:7'] });

  function setUp(epoch = 0): { sut: L2Reads; local: MemoryCacheStore; answer(reply: Promise<ReadOrBegun>): RemoteTier } {
    const local = new MemoryCacheStore(keys, { maxEntries: 100, maxBytes: 1_000_000 });
    const bus = { epoch } as unknown as InvalidationBus;
    const ticket = (k: string, remote: RedisTicket, l: TieredTicket['local']): TieredTicket => ({ store: {}, key: k, startedAt: Date.now(), remote, local: l });
    const sut = new L2Reads(resolveCacheOptions({}), local, bus, (k) => local.peek(k), ticket);
    const answer = (reply: Promise<ReadOrBegun>): RemoteTier => ({ readOrBeginLoad: () => reply }) as unknown as RemoteTier;
    return { sut, local, answer };
  }

  it('copies an entry found to L1 and begins no load', async () => {
    const { sut, local, answer } = setUp();
    const found = entry(now);
    const result = await sut.readOrBeginLoad(answer(Promise.resolve({ found: { entry: found, plainBytes: 20 } })), key, ['user:7'], 5_000, {});
    expect(result).toEqual({ entry: found });
    expect(local.peek(key)?.value).toEqual({ n: 7 });
  });

  it('treats an entry older than the fleet epoch as a miss: not served, not copied, and no load begun (the caller begins one)', async () => {
    const { sut, local, answer } = setUp(now);
    const result = await sut.readOrBeginLoad(answer(Promise.resolve({ found: { entry: entry(now - 1), plainBytes: 20 } })), key, ['user:7'], 5_000, {});
    expect(result).toEqual({ entry: undefined });
    expect(local.peek(key)).toBeUndefined();
  });

  it('keeps an entry found out of L1 when its tag is invalidated while the read is in flight', async () => {
    const { sut, local, answer } = setUp();
    let reply!: (value: ReadOrBegun) => void;
    const pending = sut.readOrBeginLoad(answer(new Promise((resolve) => (reply = resolve))), key, ['user:7'], 5_000, {});
    local.invalidateSync({ kind: 'tags', org: 'o1', tags: ['user:7'] });
    reply({ found: { entry: entry(now), plainBytes: 20 } });
    expect((await pending).entry?.value).toEqual({ n: 7 }); // this read answers with it
    expect(local.peek(key)).toBeUndefined(); // but no later read finds it in L1
  });

  it('hands a miss back as a begun load whose L1 guard already saw invalidations during the read', async () => {
    const { sut, local, answer } = setUp();
    const remote: RedisTicket = { store: {}, key, startedAt: now, tags: ['user:7'], versions: ['', '0', ''], token: 'tok' };
    let reply!: (value: ReadOrBegun) => void;
    const pending = sut.readOrBeginLoad(answer(new Promise((resolve) => (reply = resolve))), key, ['user:7'], 5_000, {});
    local.invalidateSync({ kind: 'keys', keys: [key] });
    reply({ entry: undefined, locked: true, ticket: remote });
    const { entry: none, begun } = await pending;
    expect(none).toBeUndefined();
    expect(begun).toMatchObject({ entry: undefined, locked: true, ticket: { key, remote } });
    // The load's value may not be kept in L1: the invalidation came after the load began.
    expect(local.setSized(key, entry(Date.now()), 60_000, 20, begun!.ticket.local)).toBe(false);
  });

  it('answers from the in-process copy when Redis fails', async () => {
    const { sut, local, answer } = setUp();
    await local.set(key, entry(now), 60_000);
    const result = await sut.readOrBeginLoad(answer(Promise.reject(new Error('Command timed out'))), key, ['user:7'], 5_000, {});
    expect(result.entry?.value).toEqual({ n: 7 });
    expect(result).not.toHaveProperty('begun');
  });
});
