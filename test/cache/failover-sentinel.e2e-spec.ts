// Failover through Redis Sentinel, on real processes: a primary, a replica and three sentinels
// of this file's own, two API instances on them, and traffic (writes through A, reads through A
// and B) while the primary is failed over by `SENTINEL FAILOVER`, then separately SIGKILLed. No
// request may fail or take longer than the bound, both instances must move to the new primary,
// and afterwards nothing either serves may differ from the database, also for writes made
// around the failover that Redis's asynchronous replication can lose.
import { failOverUnderTraffic, startFailoverPair, stopFailoverPair, type FailoverPair } from '../support/failover-traffic';
import { command, startSentinelGroup, type SentinelGroup } from '../support/redis-ha';

/** The longest a request may take while the primary fails over (see the README's reliability section). */
const LATENCY_BOUND_MS = 3_000;
/** How long the instances may take to use the new primary once the sentinels agree on it. */
const FOLLOW_BOUND_MS = 15_000;


describe('failover through Redis Sentinel, under traffic from two instances', () => {
  let group: SentinelGroup;
  let pair: FailoverPair | undefined;

  beforeEach(async () => {
    group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
    pair = await startFailoverPair({
      REDIS_SENTINELS: group.sentinelAddresses.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_SENTINEL_NAME: group.name,
    });
  });

  afterEach(async () => {
    await stopFailoverPair(pair);
    pair = undefined;
    await Promise.all([...group.sentinels, ...group.servers].map((server) => server.kill()));
  });

  async function failOver(how: 'SENTINEL FAILOVER' | 'SIGKILL'): Promise<void> {
    const oldPort = group.servers[0].port;
    const outcome = await failOverUnderTraffic({
      label: how,
      traffic: pair!.traffic,
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
