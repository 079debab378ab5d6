// Failover in a Redis Cluster, on real processes: three masters with a replica each (this file's
// own, cluster-node-timeout 1 s), two API instances on it, and traffic (writes through A, reads
// through A and B) while the master holding the demo entries is replaced: `CLUSTER FAILOVER` on
// its replica, then separately a SIGKILL of the master. No request may fail or take longer than
// the bound, both instances must store on the new master, and afterwards nothing either serves
// may differ from the database.
import { demoEntryOn, failOverUnderTraffic, ITEM_IDS, startFailoverPair, stopFailoverPair, type FailoverPair } from '../support/failover-traffic';
import { command, startReplicatedCluster, type ReplicatedCluster } from '../support/redis-ha';

/** The longest a request may take while a master fails over (see the README's reliability section). */
const LATENCY_BOUND_MS = 3_000;
/** How long the instances may take to use the new master once the cluster agrees on it. */
const FOLLOW_BOUND_MS = 15_000;


describe('failover in a Redis Cluster with replicas, under traffic from two instances', () => {
  let cluster: ReplicatedCluster;
  let pair: FailoverPair | undefined;

  beforeEach(async () => {
    cluster = await startReplicatedCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
    pair = await startFailoverPair({ REDIS_CLUSTER_NODES: cluster.seeds.map((s) => `${s.host}:${s.port}`).join(',') });
  });

  afterEach(async () => {
    await stopFailoverPair(pair);
    pair = undefined;
    await Promise.all(cluster.nodes.map((node) => node.kill()));
  });

  /** The slot of the demo entries (one organization: one slot) and the master and replica serving it. */
  async function demoShard(): Promise<{ slot: number; master: number; replica: number }> {
    for (const node of cluster.nodes) {
      const key = await demoEntryOn(node.port, ITEM_IDS[0]);
      if (key === undefined) continue;
      const slot = await cluster.keySlot(key);
      const owner = await cluster.ownerOf(slot);
      if (owner.replicas.length === 0) throw new Error(`slot ${slot} has no replica`);
      return { slot, master: owner.master, replica: owner.replicas[0] };
    }
    throw new Error('no node holds the demo entries');
  }

  async function failOver(how: 'CLUSTER FAILOVER' | 'SIGKILL'): Promise<void> {
    const shard = await demoShard();
    const outcome = await failOverUnderTraffic({
      label: how,
      traffic: pair!.traffic,
      trigger: async () => {
        if (how === 'SIGKILL') await cluster.node(shard.master).kill();
        else expect(await command(shard.replica, 'CLUSTER', 'FAILOVER')).toBe('OK');
      },
      elected: () => cluster.waitForNewMaster(shard.slot, shard.master),
    });
    expect(outcome.report.failures).toEqual([]);
    expect(outcome.report.maxMs).toBeLessThan(LATENCY_BOUND_MS);
    expect(outcome.stale).toEqual([]);
    expect(outcome.missedWrites).toEqual([]);
    expect(outcome.followAfterElectionMs).toBeLessThan(FOLLOW_BOUND_MS);
  }

  it('CLUSTER FAILOVER on the replica: no request fails, both instances follow, nothing stale', async () => {
    await failOver('CLUSTER FAILOVER');
  }, 90_000);

  it('SIGKILL of the master: no request fails, both instances follow, nothing stale', async () => {
    await failOver('SIGKILL');
  }, 90_000);
});
