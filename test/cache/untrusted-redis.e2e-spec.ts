// What Redis holds is not trusted: anything sharing the Redis may write under a real cache key.
// A deflate bomb, digit-leading garbage, a bare counter or JSON that is no entry, written straight
// into the rig's Redis under the key of a cached route, is read as a miss: the route loads from
// Postgres and answers normally (never a 500, never an empty 200), the read is counted as a cache
// error, and the log says so at most once per 10 s.
import { CacheService } from '@app/cache';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import { createDeflateRaw } from 'node:zlib';
import { createHarness, createOrg, type Harness, type TestOrg } from '../api-harness';
import { apiClient, createUser } from '../support/api-client';
import { closeClient } from '../support/redis-client';
import { redisUrl } from '../support/env';

const MIB = 1024 * 1024;
/** What the bomb inflates to: 256 MiB of spaces, about 256 KB on the wire. */
const BOMB_INFLATED_BYTES = 256 * MIB;

let harness: Harness;
let app: NestExpressApplication;
let org: TestOrg;
let redis: Redis;

/** Raw-deflates `total` bytes of spaces chunk by chunk, so the test itself never holds them. */
async function deflateBomb(total: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise<void>((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const chunk = Buffer.alloc(MIB, 0x20);
  for (let written = 0; written < total; written += chunk.length) {
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return Buffer.concat([Buffer.from('z'), ...parts]);
}

/** The full Redis key behind an `X-Cache-Key` (`org:namespace:id`). */
function fullKeyOf(publicKey: string): string {
  const [keyOrg, namespace, ...id] = publicKey.split(':');
  return app.get(CacheService).keys.entry(keyOrg, namespace, id.join(':'));
}

beforeAll(async () => {
  // No L1: every read of the route goes to Redis, where the test writes.
  harness = await createHarness({ redis: true, env: { CACHE_L1_ENABLED: 'false' } });
  app = await harness.start();
  org = await createOrg(app, 'Untrusting');
  await createUser(apiClient(app, org.apiKey));
  redis = new Redis(redisUrl(), { lazyConnect: true });
  await redis.connect();
});

afterAll(async () => {
  if (redis) await closeClient(redis);
  await harness?.close();
});

afterEach(() => jest.restoreAllMocks());

describe('values in Redis that are no entry', () => {
  it('are read as a miss: the route loads from the database and answers normally, counted as errors and logged once', async () => {
    const api = apiClient(app, org.apiKey);
    const first = await api.get('/users?limit=5').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const key = fullKeyOf(first.headers['x-cache-key']);
    expect(await redis.exists(key)).toBe(1); // premise: the route's answer is stored under that key

    const bomb = await deflateBomb(BOMB_INFLATED_BYTES);
    expect(bomb.length).toBeLessThan(MIB); // premise: small in Redis, 256 MiB once inflated
    const stored: [string, Buffer | string, string][] = [
      ['a deflate bomb', bomb, 'Deflated cache entry inflates past the 1048576-byte bound'],
      ['digit-leading garbage', '7{"json":"","etag":"W/0"}', 'Unknown cache entry encoding 0x37'],
      ['a bare counter', '12345', 'A counter where an entry was expected'],
      ['JSON that is no entry envelope', 'j{"v":{"json":"{}"}}', 'Cache entry is JSON but not an entry envelope'],
    ];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const errorsBefore = app.get(CacheService).stats(org.id).namespaces.users?.errors ?? 0;

    for (const [name, value] of stored) {
      await redis.set(key, value, 'PX', 60_000);
      const rssBefore = process.memoryUsage.rss();
      const answer = await api.get('/users?limit=5');
      const rssGrowth = process.memoryUsage.rss() - rssBefore;

      expect({ name, status: answer.status, xCache: answer.headers['x-cache'], body: answer.body }).toEqual({
        name,
        status: 200,
        xCache: 'MISS', // the loader ran: read from Postgres
        body: first.body,
      });
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      // Inflation stops at CACHE_MAX_ENTRY_BYTES (1 MiB): nowhere near the bomb's 256 MiB.
      expect(rssGrowth).toBeLessThan(64 * MIB);
      // The answer was stored again over the bad value, as a real entry.
      const rewritten = await redis.getBuffer(key);
      expect(rewritten !== null && ['j', 'z'].includes(String.fromCharCode(rewritten[0]))).toBe(true);
      await api.get('/users?limit=5').expect(200, first.body);
    }

    expect(app.get(CacheService).stats(org.id).namespaces.users.errors - errorsBefore).toBe(stored.length);
    const reports = warn.mock.calls.map(([message]) => String(message)).filter((message) => message.startsWith('Corrupt cache entry'));
    // Four corrupt reads within 10 s: one line, naming the key and the first reason.
    expect(reports).toEqual([`Corrupt cache entry at ${first.headers['x-cache-key']} read as a miss: ${stored[0][2]}`]);
  });
});
