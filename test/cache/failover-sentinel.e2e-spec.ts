// Failover through Redis Sentinel, on real processes: a primary, a replica and three sentinels
// of this file's own, two API instances on them, and traffic (writes through A, reads through A
// and B) while the primary is failed over by `SENTINEL FAILOVER`, then separately SIGKILLed. No
// request may fail or take longer than the bound, both instances must move to the new primary,
// and afterwards nothing either serves may differ from the database, also for writes made
// around the failover that Redis's asynchronous replication can lose.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHarness, type Harness } from '../api-harness';
import { DemoTraffic, failOverUnderTraffic } from '../support/failover-traffic';
import { command, startSentinelGroup, type SentinelGroup } from '../support/redis-ha';

/** The longest a request may take while the primary fails over (see the README's reliability section). */
const LATENCY_BOUND_MS = 3_000;
/** How long the instances may take to use the new primary once the sentinels agree on it. */
const FOLLOW_BOUND_MS = 15_000;

const COMMAND_TIMEOUT_MS = 250;
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
        // Closer to production (50 ms) than the harness' 1 s: a request's Redis calls to a dead
        // server wait this long each before the request falls back.
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
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
    const outcome = await failOverUnderTraffic({
      label: how,
      traffic: traffic!,
      trigger: async () => {
        if (how === 'SIGKILL') await group.server(oldPort).kill();
        else expect(await command(group.sentinels[0].port, 'SENTINEL', 'FAILOVER', group.name)).toBe('OK');
      },
      elected: () => group.waitForNewMaster(oldPort),
    });
    expect(outcome.report.failures).toEqual([]);
    expect(outcome.report.maxMs).toBeLessThan(LATENCY_BOUND_MS);
    expect(outcome.stale).toEqual([]);
    expect(outcome.missedWrites).toEqual([]);
    expect(outcome.followAfterElectionMs).toBeLessThan(FOLLOW_BOUND_MS);
  }

  it('SENTINEL FAILOVER: no request fails, both instances follow, nothing stale', async () => {
    await failOver('SENTINEL FAILOVER');
  }, 90_000);

  it('SIGKILL of the primary: no request fails, both instances follow, nothing stale', async () => {
    await failOver('SIGKILL');
  }, 90_000);
});
