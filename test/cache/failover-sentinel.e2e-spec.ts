// Failover through Redis Sentinel, on real processes: a primary, a replica and three sentinels
// of this file's own, two API instances on them, and traffic (writes through A, reads through A
// and B) while the primary is failed over by `SENTINEL FAILOVER`, then separately SIGKILLed. No
// request may fail or take longer than the bound, both instances must move to the new primary,
// and afterwards nothing either serves may differ from the database, also for writes made
// around the failover that Redis's asynchronous replication can lose.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHarness, type Harness } from '../api-harness';
import { DemoTraffic, readYourWrites, REQUEST_TIMEOUT_MS, staleReads, waitUntilFollowing } from '../support/failover-traffic';
import { command, startSentinelGroup, waitFor, type SentinelGroup } from '../support/redis-ha';

/** The longest a request may take while the primary fails over (see the README's reliability section). */
const LATENCY_BOUND_MS = 3_000;
/** How long the instances may take to use the new primary once the sentinels agree on it. */
const FOLLOW_BOUND_MS = 10_000;

const ITEM_IDS = Array.from({ length: 12 }, (_, i) => i + 1);

describe('failover through Redis Sentinel, under traffic from two instances', () => {
  let group: SentinelGroup;
  let harness: Harness | undefined;
  let a: NestExpressApplication;
  let b: NestExpressApplication;
  let traffic: DemoTraffic | undefined;

  beforeEach(async () => {
    group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
    harness = await createHarness({
      env: {
        REDIS_SENTINELS: group.sentinelAddresses.map((s) => `${s.host}:${s.port}`).join(','),
        REDIS_SENTINEL_NAME: group.name,
        // The traffic is anonymous and fast; the limiter's counters still go through Redis.
        RATE_LIMIT_ANONYMOUS_LIMIT: '1000000',
      },
    });
    a = await harness.start();
    b = await harness.start();
    traffic = new DemoTraffic(a, b, ITEM_IDS);
    await traffic.seed();
  });

  afterEach(async () => {
    await traffic?.stop();
    traffic = undefined;
    await harness?.close();
    harness = undefined;
    await Promise.all([...group.sentinels, ...group.servers].map((server) => server.kill()));
  });

  async function failOver(how: 'SENTINEL FAILOVER' | 'SIGKILL'): Promise<void> {
    const oldPort = group.servers[0].port;
    traffic!.start();
    await waitFor('traffic before the failover', async () => (traffic!.log.length >= 60 ? true : undefined));

    const startedAt = Date.now();
    if (how === 'SIGKILL') await group.server(oldPort).kill();
    else expect(await command(group.sentinels[0].port, 'SENTINEL', 'FAILOVER', group.name)).toBe('OK');
    const newPort = await group.waitForNewMaster(oldPort);
    const promotedAt = Date.now();
    traffic!.stopWrites();

    let probe = 10_000;
    const [followedA, followedB] = await Promise.all([
      waitUntilFollowing(a, newPort, () => (probe += 1)),
      waitUntilFollowing(b, newPort, () => (probe += 1) + 100_000),
    ]);
    // Keep the traffic going a little past the switch, then stop it.
    const followed = Math.max(followedA, followedB);
    await waitFor('traffic after the switch', async () => (traffic!.log.filter((r) => r.startedAt > followed).length >= 60 ? true : undefined));
    await traffic!.stop();
    const report = traffic!.report();
    const during = traffic!.report(startedAt, followed);
    // Nothing either instance serves differs from the database: also items whose invalidation
    // the failover may have lost.
    const stale = await staleReads(a, b, ITEM_IDS);
    // And a write through A is read through B, which held the old value.
    const missedWrites = await readYourWrites(a, b, ITEM_IDS, 'after');

    console.log(
      `${how}: sentinels agreed on the new primary after ${promotedAt - startedAt} ms; A followed after ${followedA - startedAt} ms, ` +
        `B after ${followedB - startedAt} ms; ${report.requests} requests, ${during.requests} during the failover, max ${report.maxMs} ms ` +
        `(p99 ${report.p99Ms} ms); fallback windows (ms from the failover) ${JSON.stringify(during.fallback)}; ` +
        `slowest ${JSON.stringify(report.slowest.slice(0, 3))}`,
    );
    expect(report.failures).toEqual([]);
    expect(report.maxMs).toBeLessThan(Math.min(LATENCY_BOUND_MS, REQUEST_TIMEOUT_MS));
    expect(stale).toEqual([]);
    expect(missedWrites).toEqual([]);
    expect(Math.max(followedA, followedB) - promotedAt).toBeLessThan(FOLLOW_BOUND_MS);
  }

  it('SENTINEL FAILOVER: no request fails, both instances follow, nothing stale', async () => {
    await failOver('SENTINEL FAILOVER');
  }, 90_000);

  it('SIGKILL of the primary: no request fails, both instances follow, nothing stale', async () => {
    await failOver('SIGKILL');
  }, 90_000);
});
