// The fleet view of the operator stats: two app instances on the rig's Redis (one key prefix of
// this suite's own, so they are a fleet of two), each publishing every 100 ms; one that falls
// silent drops out after the (shortened) silence window; a fleet reset reaches both; without
// Redis the fleet is the instance that answers, and the answer says so.
import { CacheFleet, CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, OPERATOR_TOKEN } from './api-harness';

const PUBLISH_MS = 100;
const SILENCE_MS = 1_500;

let harness: Harness;
let one: NestExpressApplication;
let two: NestExpressApplication;

const operator = bearer(OPERATOR_TOKEN);
const stats = (app: NestExpressApplication, query = '') => request(app.getHttpServer()).get(`/cache/stats${query}`).set(...operator).expect(200);

/** Polls `check` until it holds (fleet figures arrive on the publish timer), or fails with its last answer. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`Not reached in ${timeoutMs} ms; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** Reads on one instance's cache: one miss then `hits` hits of a key of `org` (a key of that instance's own: Redis is shared). */
async function reads(app: NestExpressApplication, org: string, namespace: string, hits: number): Promise<void> {
  const cache = app.get(CacheService);
  const key = `${namespace}-${app.get(CacheFleet).instanceId.slice(0, 8)}`;
  for (let i = 0; i <= hits; i++) await cache.getOrSet(key, () => 'value', { org, namespace, ttlMs: 60_000 });
}

beforeAll(async () => {
  harness = await createHarness({
    redis: true,
    env: { CACHE_FLEET_PUBLISH_INTERVAL_MS: String(PUBLISH_MS), CACHE_FLEET_INSTANCE_TTL_MS: String(SILENCE_MS), CACHE_HOT_KEYS_SAMPLE_EVERY: '1' },
  });
  one = await harness.start();
  two = await harness.start();
});

afterAll(async () => {
  await harness?.close();
});

describe('GET /cache/stats?scope=fleet', () => {
  it('sums both instances, merges their histograms, lists them, and names the organizations', async () => {
    const org = await createOrg(one, 'Fleet Org');
    // The other instance applies a fleet reset at its next publish: reads it made before that
    // would be zeroed. So it counts something first, and the reads start once that is gone.
    await reads(two, org.id, 'fleet-before-reset', 0);
    await request(one.getHttpServer()).post('/cache/stats/reset?scope=fleet').set(...operator).expect(200, { reset: 'fleet' });
    await eventually(
      async () => (await stats(two)).body,
      (body) => body.namespaces['fleet-before-reset'] === undefined || body.namespaces['fleet-before-reset'].misses === 0,
    );
    await reads(one, org.id, 'fleet-a', 4); // 4 hits, 1 miss
    await reads(two, org.id, 'fleet-a', 9); // 9 hits, 1 miss
    await reads(two, org.id, 'fleet-b', 2);

    const local = (await stats(one)).body;
    expect(local.scope).toBe('instance');
    expect(local.namespaces['fleet-a']).toMatchObject({ hits: 4, misses: 1 });
    expect(local.orgs[org.id]).toMatchObject({ name: 'Fleet Org' });

    const fleet = await eventually(
      async () => (await stats(one, '?scope=fleet')).body,
      (body) => body.namespaces['fleet-a']?.hits === 13 && body.namespaces['fleet-b']?.hits === 2,
    );
    expect(fleet.scope).toBe('fleet');
    expect(fleet.source).toBe('redis');
    expect(fleet.note).toBeUndefined();
    expect(fleet.namespaces['fleet-a']).toMatchObject({ hits: 13, misses: 2, loads: 2, hitRatio: 0.8667 });
    expect(fleet.orgs[org.id]).toMatchObject({ name: 'Fleet Org', hits: 15, misses: 3 });
    // The totals are the sum of the instances' totals, p95 from the merged histogram (never below the lower of the two).
    const ids = fleet.instances.map((instance: { id: string }) => instance.id).sort();
    expect(ids).toEqual([one.get(CacheFleet).instanceId, two.get(CacheFleet).instanceId].sort());
    const sum = (field: string) => fleet.instances.reduce((total: number, instance: { totals: Record<string, number> }) => total + instance.totals[field], 0);
    for (const field of ['hits', 'misses', 'loads', 'errors']) expect([field, fleet.totals[field]]).toEqual([field, sum(field)]);
    for (const instance of fleet.instances) {
      expect(instance).toEqual({ id: expect.any(String), startedAt: expect.any(String), lastSeenAt: expect.any(String), totals: expect.any(Object), self: instance.id === one.get(CacheFleet).instanceId });
      expect(Date.parse(instance.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(instance.startedAt));
    }
    expect(fleet.totals.p95).toBeGreaterThanOrEqual(Math.min(...fleet.instances.map((instance: { totals: { p95: number } }) => instance.totals.p95)));
    // Hot keys of both instances, in public form, with the organization's name.
    const keyOf = (app: NestExpressApplication) => `${org.id}:fleet-a:fleet-a-${app.get(CacheFleet).instanceId.slice(0, 8)}`;
    expect(fleet.hotKeys['fleet-a']).toEqual([
      { key: keyOf(two), hits: 9, orgName: 'Fleet Org' },
      { key: keyOf(one), hits: 4, orgName: 'Fleet Org' },
    ]);

    // The other instance answers the same fleet; with ?org, that organization only.
    const fromTwo = await eventually(
      async () => (await stats(two, `?scope=fleet&org=${org.id}`)).body,
      (body) => body.totals.hits === 15,
    );
    expect(fromTwo.namespaces).toMatchObject({ 'fleet-a': { hits: 13 }, 'fleet-b': { hits: 2 } });
    expect(Object.keys(fromTwo.orgs)).toEqual([org.id]);

    const report = (await request(one.getHttpServer()).get('/cache/report?scope=fleet').set(...operator).expect(200)).body;
    expect(report).toMatchObject({ scope: 'fleet', source: 'redis', instances: 2 });
  });

  it('refuses an unknown scope with a 400 naming it', async () => {
    const refused = await request(one.getHttpServer()).get('/cache/stats?scope=everything').set(...operator).expect(400);
    expect(JSON.stringify(refused.body)).toContain('scope must be instance or fleet');
    await request(one.getHttpServer()).get('/cache/report?scope=all').set(...operator).expect(400);
    await request(one.getHttpServer()).post('/cache/stats/reset?scope=x').set(...operator).expect(400);
  });

  it('resets every instance with ?scope=fleet, the other one through the marker it reads at its next publish', async () => {
    await reads(one, 'reset-org', 'fleet-reset', 3);
    await reads(two, 'reset-org', 'fleet-reset', 3);
    await eventually(async () => (await stats(one, '?scope=fleet')).body, (body) => body.namespaces['fleet-reset']?.hits === 6);

    await request(one.getHttpServer()).post('/cache/stats/reset?scope=fleet').set(...operator).expect(200, { reset: 'fleet' });

    // At once on the fleet view (the other's counters from before the marker read as zeros)...
    const right = (await stats(one, '?scope=fleet')).body;
    expect(right.namespaces['fleet-reset']).toBeUndefined();
    expect(right.instances).toHaveLength(2);
    // ...and on the other instance itself, within a publish or two.
    await eventually(async () => (await stats(two)).body, (body) => body.namespaces['fleet-reset'] === undefined);
    // A plain reset stays this instance's own.
    await reads(two, 'reset-org', 'fleet-reset', 1);
    const before = (await stats(two)).body.namespaces['fleet-reset'];
    expect(before.hits).toBeGreaterThan(0);
    await request(one.getHttpServer()).post('/cache/stats/reset').set(...operator).expect(204);
    await new Promise((resolve) => setTimeout(resolve, 3 * PUBLISH_MS));
    expect((await stats(two)).body.namespaces['fleet-reset']).toEqual(before);
  });

  it('drops an instance that has been silent for the silence window', async () => {
    await eventually(async () => (await stats(one, '?scope=fleet')).body, (body) => body.instances.length === 2);
    const fleetOfTwo = two.get(CacheFleet);
    await fleetOfTwo.stop(); // as a crashed instance: no more publishes, nothing withdrawn

    const stillThere = (await stats(one, '?scope=fleet')).body;
    expect(stillThere.instances.map((instance: { id: string }) => instance.id)).toContain(fleetOfTwo.instanceId);
    const started = Date.now();
    const after = await eventually(async () => (await stats(one, '?scope=fleet')).body, (body) => body.instances.length === 1, SILENCE_MS + 3_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SILENCE_MS - 300);
    expect(after.instances[0].id).toBe(one.get(CacheFleet).instanceId);
  });

  it('withdraws an instance at once when it shuts down', async () => {
    const three = await harness.start();
    const id = three.get(CacheFleet).instanceId;
    await eventually(async () => (await stats(one, '?scope=fleet')).body, (body) => body.instances.some((instance: { id: string }) => instance.id === id));
    await three.get(CacheFleet).onModuleDestroy(); // what app.close() runs first (the harness closes the app itself)
    const after = (await stats(one, '?scope=fleet')).body;
    expect(after.instances.map((instance: { id: string }) => instance.id)).not.toContain(id);
  });
});

describe('GET /cache/stats?scope=fleet without Redis', () => {
  let alone: Harness;

  afterAll(async () => {
    await alone?.close();
  });

  it('answers for this instance and says so; a fleet reset resets this instance and says so', async () => {
    alone = await createHarness();
    const app = await alone.start();
    await reads(app, 'solo-org', 'solo', 2);

    const body = (await stats(app, '?scope=fleet')).body;
    expect(body).toMatchObject({ scope: 'fleet', source: 'this-instance', note: 'No Redis: the fleet is this instance' });
    expect(body.instances).toEqual([expect.objectContaining({ id: app.get(CacheFleet).instanceId, self: true })]);
    expect(body.namespaces.solo).toMatchObject({ hits: 2, misses: 1 });
    expect(body.orgs['solo-org']).toMatchObject({ name: null });

    const reset = await request(app.getHttpServer()).post('/cache/stats/reset?scope=fleet').set(...operator).expect(200);
    expect(reset.body).toEqual({ reset: 'this-instance', note: 'No Redis: the fleet is this instance' });
    expect((await stats(app)).body.namespaces.solo).toBeUndefined();
  });
});
