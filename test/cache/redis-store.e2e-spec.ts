import { readFileSync } from 'node:fs';
import { CacheKeyBuilder } from '../../libs/cache/src/keys/cache-key.builder';
import { CacheSerializer } from '../../libs/cache/src/serialization/cache-serializer';
import { closeRedisClient, createRedisConnections, waitForReady } from '../../libs/cache/src/stores/redis-connection.factory';
import { RedisCacheStore } from '../../libs/cache/src/stores/redis.store';
import { describeStoreContract } from '../../libs/cache/src/testing/store-contract';
import type { CacheRedisOptions } from '../../libs/cache/src/cache-options.interface';
import { redisClusterNodes, redisTlsCaPath, redisTlsUrl, redisUrl } from '../support/env';

function redisFactory(redis: () => CacheRedisOptions) {
  return async (prefix: string) => {
    const keys = new CacheKeyBuilder(prefix);
    const connections = createRedisConnections({ commandTimeoutMs: 2_000, ...redis() });
    const store = new RedisCacheStore(keys, new CacheSerializer(256), connections);
    await Promise.all([connections.main, connections.bulk].map((c) => waitForReady(c, 5_000)));
    return {
      store,
      keys,
      close: async () => {
        await Promise.all([connections.main, connections.bulk, connections.subscriber].map(closeRedisClient));
      },
    };
  };
}

describeStoreContract(`${RedisCacheStore.name} (standalone)`, redisFactory(() => ({ url: redisUrl() })), { distributedLock: true });

describeStoreContract(
  `${RedisCacheStore.name} (TLS with password, self-signed CA)`,
  redisFactory(() => ({ url: redisTlsUrl(), tls: { ca: readFileSync(redisTlsCaPath()) } })),
  { distributedLock: true },
);

describeStoreContract(`${RedisCacheStore.name} (3-master Cluster)`, redisFactory(() => ({ cluster: { nodes: redisClusterNodes() } })), {
  distributedLock: true,
});

describe(`${RedisCacheStore.name} details`, () => {
  it('writes a lone command at once, and the commands issued while one is outstanding together in one socket write', async () => {
    const keys = new CacheKeyBuilder('batched');
    const connections = createRedisConnections({ commandTimeoutMs: 2_000, url: redisUrl() });
    const store = new RedisCacheStore(keys, new CacheSerializer(16_384), connections);
    await Promise.all([connections.main, connections.bulk].map((c) => waitForReady(c, 5_000)));
    try {
      const now = Date.now();
      const entry = { value: { n: 1 }, createdAt: now, expiresAt: now + 60_000, staleUntil: now + 60_000, tags: ['t'] };
      // Scripts loaded first (a NOSCRIPT answer is followed by an EVAL in a later tick).
      await store.set(keys.entry('o', 'n', 'warm'), entry, 60_000);
      await store.incr(keys.entry('o', 'n', 'warm-counter'), 1, 60_000);
      const socket = (connections.main as unknown as { stream: { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void } }).stream;
      let writes = 0;
      for (const method of ['_write', '_writev'] as const) {
        const original = socket[method].bind(socket);
        socket[method] = (...args: unknown[]) => {
          writes += 1;
          return original(...args);
        };
      }
      // Twenty reads, a write and a counter in one tick: the first read goes out at once (nothing
      // was outstanding); the other 21 find it outstanding and share one write at the end of the turn.
      const reads = Promise.all(Array.from({ length: 20 }, (_, i) => store.get(keys.entry('o', 'n', `k${i}`))));
      const written = store.set(keys.entry('o', 'n', 'k0'), entry, 60_000);
      const counted = store.incr(keys.entry('o', 'n', 'c'), 1, 60_000);
      expect(writes).toBe(1);
      await Promise.all([reads, written, counted]);
      expect(writes).toBe(2);
      // A lone command: written before the call returns, no tick hop.
      const lone = store.incr(keys.entry('o', 'n', 'c'), 1, 60_000);
      expect(writes).toBe(3);
      expect(await lone).toBe(2);
      expect((await store.get(keys.entry('o', 'n', 'k0')))?.value).toEqual({ n: 1 });
    } finally {
      await store.invalidate({ kind: 'all' });
      await Promise.all([connections.main, connections.bulk, connections.subscriber].map(closeRedisClient));
    }
  });

  it('compresses large values behind a self-describing header and reads them back', async () => {
    const { store, keys, close } = await redisFactory(() => ({ url: redisUrl() }))('compress');
    try {
      const key = keys.entry('o', 'n', 'big');
      const value = { text: 'abc'.repeat(2_000), when: new Date(0) };
      const now = Date.now();
      await store.set(key, { value, createdAt: now, expiresAt: now + 60_000, staleUntil: now + 60_000, tags: [] }, 60_000);
      const info = await store.inspect(key);
      expect(info?.encoding).toBe('json+deflate');
      expect(info!.sizeBytes).toBeLessThan(1_000);
      expect((await store.get(key))?.value).toEqual(value);
    } finally {
      await store.invalidate({ kind: 'all' });
      await close();
    }
  });
});
