// Library microbenchmark, run by apps/bench/run.js in a process of its own (no HTTP, no server):
// getOrSet on one hot key, @app/cache against bentocache and cache-manager on the same Redis.
// Each contender is measured sequentially (one awaited call after another) and with 100
// concurrent calls for the same key (Promise.all of 100, repeated), in interleaved rounds; the
// median round is kept. Then the L2 floor, paired: our L2 getOrSet and the bare ioredis GET +
// JSON.parse in alternating sequential runs, each of ours against the bare runs just before and
// after it (the median of those ratios is the floor target's figure). Settings come as JSON in
// argv[2]; one JSON line of results on stdout: { contenders, l2Floor }.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { NestFactory } = require('@nestjs/core');
const { CacheModule, CacheService } = require(path.join(ROOT, 'dist', 'libs', 'cache', 'src', 'index.js'));

const settings = JSON.parse(process.argv[2]);
const { redisUrl, rounds, measureMs } = settings;
const TTL_MS = 10 * 60_000;
const CONCURRENCY = 100;
// The value cached: the shape and size (~2 KB) of what the HTTP bench serves.
const VALUE = { id: 'c0a80121-7ac0-4e1c-9d1b-3f6a2b8e5d40', email: 'u0000001@' + 'x'.repeat(1200), name: 'y'.repeat(800), role: 'member', createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString() };
const load = async () => VALUE;

async function ours(l1) {
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({ keyPrefix: `micro${l1 ? 'l1' : 'l2'}`, redis: { url: redisUrl }, l1: { enabled: l1 } }),
    { logger: ['error', 'warn'] },
  );
  const cache = app.get(CacheService);
  return { getOrSet: (key) => cache.getOrSet(key, load, { ttlMs: TTL_MS }), close: () => app.close() };
}

function bento(l1) {
  const connection = new Redis(redisUrl);
  const store = l1 ? bentostore().useL1Layer(memoryDriver({ maxSize: '64mb' })).useL2Layer(redisDriver({ connection })) : bentostore().useL2Layer(redisDriver({ connection }));
  const cache = new BentoCache({ default: 'c', prefix: `micro-bento-${l1 ? 'l1' : 'l2'}`, stores: { c: store } });
  return {
    getOrSet: (key) => cache.getOrSet({ key, factory: load, ttl: TTL_MS }),
    close: async () => {
      await cache.disconnectAll();
      connection.disconnect();
    },
  };
}

function cacheManager(l1) {
  const redis = new Keyv({ store: new KeyvRedis(redisUrl), namespace: `micro-cm-${l1 ? 'l1' : 'l2'}` });
  const cache = createCache({ stores: l1 ? [new Keyv(), redis] : [redis] });
  return { getOrSet: (key) => cache.wrap(key, load, TTL_MS), close: () => cache.disconnect() };
}

async function sequential(getOrSet, ms) {
  let ops = 0;
  const started = performance.now();
  const deadline = started + ms;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) await getOrSet('hot');
    ops += 100;
  }
  return ops / ((performance.now() - started) / 1000);
}

async function concurrent(getOrSet, ms) {
  let ops = 0;
  const started = performance.now();
  const deadline = started + ms;
  const batch = new Array(CONCURRENCY);
  while (performance.now() < deadline) {
    for (let i = 0; i < CONCURRENCY; i++) batch[i] = getOrSet('hot');
    await Promise.all(batch);
    ops += CONCURRENCY;
  }
  return ops / ((performance.now() - started) / 1000);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Not a cache: one GET of the same ~2 KB string per call, the floor under any L2 hit. */
function rawGet() {
  const connection = new Redis(redisUrl);
  const payload = JSON.stringify(VALUE);
  return {
    getOrSet: async (key) => JSON.parse(await connection.get(key)),
    prepare: () => connection.set('hot', payload),
    close: async () => connection.disconnect(),
  };
}

const FLOOR_NAME = 'ioredis GET + JSON.parse (no cache)';
const contenders = [
  { name: '@app/cache', tier: 'L1', make: () => ours(true) },
  { name: 'bentocache', tier: 'L1', make: () => bento(true) },
  { name: 'cache-manager', tier: 'L1', make: () => cacheManager(true) },
  { name: '@app/cache', tier: 'L2', make: () => ours(false) },
  { name: 'bentocache', tier: 'L2', make: () => bento(false) },
  { name: 'cache-manager', tier: 'L2', make: () => cacheManager(false) },
  { name: FLOOR_NAME, tier: 'L2', make: () => rawGet() },
];

const ready = [];
for (const contender of contenders) {
  const instance = await contender.make();
  if (instance.prepare) await instance.prepare();
  await instance.getOrSet('hot'); // the key is hot from here on
  await sequential(instance.getOrSet, Math.min(500, measureMs)); // warm-up (JIT, connections)
  await concurrent(instance.getOrSet, Math.min(500, measureMs));
  ready.push({ ...contender, instance, sequential: [], concurrent: [] });
}
for (let round = 0; round < rounds; round++) {
  for (const contender of ready) {
    contender.sequential.push(await sequential(contender.instance.getOrSet, measureMs));
    contender.concurrent.push(await concurrent(contender.instance.getOrSet, measureMs));
  }
}
// The floor pairs: the rounds above run ours and the bare GET seconds apart, and this machine's
// speed moves within seconds; a pair's two runs are adjacent.
const oursL2 = ready.find((c) => c.name === '@app/cache' && c.tier === 'L2');
const bareGet = ready.find((c) => c.name === FLOOR_NAME);
const pairMs = Math.max(100, measureMs / 2);
const floorRatios = [];
let bareBefore = await sequential(bareGet.instance.getOrSet, pairMs);
for (let pair = 0; pair < rounds * 3; pair++) {
  const ourRun = await sequential(oursL2.instance.getOrSet, pairMs);
  const bareAfter = await sequential(bareGet.instance.getOrSet, pairMs);
  floorRatios.push(ourRun / ((bareBefore + bareAfter) / 2));
  bareBefore = bareAfter;
}
for (const contender of ready) await contender.instance.close();

process.stdout.write(
  JSON.stringify({
    contenders: ready.map((c) => ({
      library: c.name,
      tier: c.tier,
      sequentialOpsPerSecond: Math.round(median(c.sequential)),
      concurrentOpsPerSecond: Math.round(median(c.concurrent)),
      rounds: { sequential: c.sequential.map(Math.round), concurrent: c.concurrent.map(Math.round) },
    })),
    l2Floor: { pairMs, ratios: floorRatios.map((r) => +r.toFixed(3)), median: +median(floorRatios).toFixed(3) },
  }) + '\n',
);
process.exit(0);
