// Cache warming through the app as users start it: POST /cache/warm fills exactly the entries the
// routes read (the next read is a HIT), per organization or for all; CACHE_WARM_ON_START warms at
// start; and two instances sharing Redis never run the same job at once (the lease).
import { CacheLease, CacheWarmRegistry, CacheWarmScheduler } from '@app/cache/internals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, OPERATOR_TOKEN } from './api-harness';
import { ALWAYS_OPEN, type ApiClient, apiClient, createStaff } from './support/api-client';
import { redisUrl } from './support/env';
import { closeClient } from './support/redis-client';

const operator = bearer(OPERATOR_TOKEN);

/** Today and tomorrow as YYYY-MM-DD in UTC (the staff below work in UTC). */
function utcDays(): [string, string] {
  const now = Date.now();
  return [new Date(now).toISOString().slice(0, 10), new Date(now + 86_400_000).toISOString().slice(0, 10)];
}

/** A gate a test job waits at, and a signal that the job has reached it. */
function gate(): { entered: Promise<void>; enter: () => void; open: () => void; opened: Promise<void> } {
  let enter!: () => void;
  let open!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { entered, enter, open, opened };
}

describe('POST /cache/warm', () => {
  let harness: Harness;
  let first: NestExpressApplication;
  let second: NestExpressApplication;

  beforeAll(async () => {
    harness = await createHarness({ redis: true });
    first = await harness.start();
    second = await harness.start();
  });

  afterAll(async () => {
    await harness?.close();
  });

  const warm = (app: NestExpressApplication, body: object = {}) => request(app.getHttpServer()).post('/cache/warm').set(...operator).send(body);

  it("makes the next read of every organization's dashboard, staff member and slots a HIT", async () => {
    const shop = await createOrg(first, 'Warm shop');
    const api: ApiClient = apiClient(first, shop.apiKey);
    const staffId = await createStaff(api, { workingHours: ALWAYS_OPEN });
    const [today, tomorrow] = utcDays();

    const response = await warm(first).expect(200);

    expect(response.body.jobs).toEqual([
      { name: 'dashboard', outcome: 'ok', durationMs: expect.any(Number), keysWritten: expect.any(Number) },
      { name: 'staff-slots', outcome: 'ok', durationMs: expect.any(Number), keysWritten: expect.any(Number) },
    ]);
    const [dashboardJob, slotsJob] = response.body.jobs as { keysWritten: number }[];
    expect(dashboardJob.keysWritten).toBeGreaterThanOrEqual(2); // metrics and realtime of this org at least
    expect(slotsJob.keysWritten).toBeGreaterThanOrEqual(3); // the staff member, today's and tomorrow's slots

    const metrics = await api.get('/dashboard/metrics').expect(200);
    expect(metrics.headers['x-cache']).toBe('HIT');
    expect(metrics.body.users).toEqual({ total: 0, newLast7d: 0 });
    expect((await api.get('/dashboard/realtime').expect(200)).headers['x-cache']).toBe('HIT');
    expect((await api.get(`/staff/${staffId}`).expect(200)).headers['x-cache']).toBe('HIT');
    for (const date of [today, tomorrow]) {
      // Any order of the query parameters reads the warmed entry; the other instance reads it from Redis.
      const slots = await apiClient(second, shop.apiKey).get(`/availability/slots?duration=30&date=${date}&staffId=${staffId}`).expect(200);
      expect(slots.headers['x-cache']).toBe('HIT');
      expect(slots.body).toMatchObject({ staffId, date, duration: 30 });
      expect(slots.body.slots.length).toBeGreaterThan(0);
    }
  });

  it('warms only the organization asked for, and only the jobs named', async () => {
    const asked = await createOrg(first, 'Asked');
    const other = await createOrg(first, 'Not asked');

    const response = await warm(first, { org: asked.id, jobs: ['dashboard'] }).expect(200);

    expect(response.body.jobs).toEqual([{ name: 'dashboard', outcome: 'ok', durationMs: expect.any(Number), keysWritten: 2 }]);
    expect((await apiClient(first, asked.apiKey).get('/dashboard/metrics').expect(200)).headers['x-cache']).toBe('HIT');
    expect((await apiClient(first, other.apiKey).get('/dashboard/metrics').expect(200)).headers['x-cache']).toBe('MISS');
  });

  it('a write after the warm still shows at once: the warmed entry is evicted like any other', async () => {
    const org = await createOrg(first, 'Writes');
    const api = apiClient(first, org.apiKey);
    await warm(first, { org: org.id, jobs: ['dashboard'] }).expect(200);

    await api.post('/users', { email: `w${Date.now()}@example.com`, name: 'New' }).expect(201);

    const metrics = await api.get('/dashboard/metrics').expect(200);
    expect(metrics.headers['x-cache']).toBe('MISS');
    expect(metrics.body.users.total).toBe(1);
  });

  it.each([
    ['an unknown job', { jobs: ['nope'] }],
    ['a bad org', { org: 'not an org' }],
    ['jobs that is not a list', { jobs: 'dashboard' }],
    ['an unknown field', { everything: true }],
  ])('is 400 for %s', async (_name, body) => {
    const response = await warm(first, body).expect(400);
    expect(response.body.statusCode).toBe(400);
  });

  it('runs a job on one instance only when both are asked at once; the other reports skipped', async () => {
    const held = gate();
    let runs = 0;
    for (const app of [first, second]) {
      app.get(CacheWarmRegistry).register('lease-probe', async () => {
        runs++;
        held.enter();
        await held.opened;
        return 7;
      });
    }

    const onFirst = warm(first, { jobs: ['lease-probe'] }).then((response) => response);
    await held.entered; // the first instance holds the lease and is inside the job
    const onSecond = await warm(second, { jobs: ['lease-probe'] }).expect(200);
    held.open();
    const firstResponse = await onFirst;

    expect(firstResponse.status).toBe(200);
    expect(firstResponse.body.jobs).toEqual([{ name: 'lease-probe', outcome: 'ok', durationMs: expect.any(Number), keysWritten: 7 }]);
    expect(onSecond.body.jobs).toEqual([
      { name: 'lease-probe', outcome: 'skipped', durationMs: expect.any(Number), keysWritten: 0, reason: 'lease held by another instance' },
    ]);
    expect(runs).toBe(1);

    // Released when the job ended: the next run, on either instance, goes ahead.
    const again = await warm(second, { jobs: ['lease-probe'] }).expect(200);
    expect(again.body.jobs[0].outcome).toBe('ok');
    expect(runs).toBe(2);
  });
  it('the Redis lease: SET NX PX with a token, held across instances, extended and released only by its own holder', async () => {
    const [leaseA, leaseB] = [first.get(CacheLease), second.get(CacheLease)];
    const redis = new Redis(redisUrl());
    try {
      const held = await leaseA.acquire('probe', 60_000);
      expect(held).toMatchObject({ scope: 'redis' });
      expect(await leaseB.acquire('probe', 60_000)).toBeUndefined();
      const pttl = await redis.pttl(leaseA.key('probe'));
      expect(pttl).toBeGreaterThan(55_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
      await expect(held!.extend(120_000)).resolves.toBe(true);
      expect(await redis.pttl(leaseA.key('probe'))).toBeGreaterThan(60_000);
      await held!.release();
      expect(await redis.exists(leaseA.key('probe'))).toBe(0);

      // A holder whose lease lapsed and was taken by another frees nothing when it ends.
      const lapsed = await leaseA.acquire('short', 40);
      await new Promise((resolve) => setTimeout(resolve, 80));
      const successor = await leaseB.acquire('short', 60_000);
      expect(successor).toBeDefined();
      await expect(lapsed!.extend(60_000)).resolves.toBe(false);
      await lapsed!.release();
      expect(await leaseA.acquire('short', 60_000)).toBeUndefined();
      await successor!.release();
    } finally {
      await closeClient(redis);
    }
  });
});

describe('CACHE_WARM_ON_START=true', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ redis: true, env: { CACHE_WARM_ON_START: 'true' } });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("warms every organization's entries when an instance starts", async () => {
    const first = await harness.start();
    await first.get(CacheWarmScheduler).startupRun;
    const org = await createOrg(first, 'Started');

    const second = await harness.start();
    const reports = await second.get(CacheWarmScheduler).startupRun;

    expect(reports?.map((r) => [r.name, r.outcome])).toEqual([
      ['dashboard', 'ok'],
      ['staff-slots', 'ok'],
    ]);
    expect((await apiClient(second, org.apiKey).get('/dashboard/metrics').expect(200)).headers['x-cache']).toBe('HIT');
  });
});
