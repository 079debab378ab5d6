// Replicated Redis topologies of a test file's own, for failover suites: a Sentinel group (a
// primary, replicas, three sentinels) and a Cluster whose masters each have a replica. Every
// process is a redis-server started by redis-server.ts, so it is stopped after the file however
// the run ends, and a test can kill one by the PID it started.
import { startRedisCluster } from '../../scripts/lib/redis-cluster';
import { sendCommand, type RespReply } from '../../scripts/lib/resp';
import { getFreePort, startRedisServer, type RedisServerHandle } from './redis-server';

export interface RedisAddress {
  host: string;
  port: number;
}

/** Polls `probe` until it returns a value other than undefined; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** One command on a fresh connection to 127.0.0.1:port. */
export function command(port: number, ...args: (string | number)[]): Promise<RespReply> {
  return sendCommand({ port, timeoutMs: 2_000 }, ...args);
}

/** A field of an INFO section, e.g. `info(port, 'replication', 'role')`. */
export async function infoField(port: number, section: string, field: string): Promise<string | undefined> {
  const text = String(await command(port, 'INFO', section));
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** A Sentinel reply entry (a flat [field, value, ...] list) as an object. */
function fields(entry: RespReply): Record<string, string> {
  const list = entry as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

export interface SentinelGroup {
  /** The master name the sentinels monitor. */
  readonly name: string;
  /** The data servers: the first is the initial primary. */
  readonly servers: RedisServerHandle[];
  readonly sentinels: RedisServerHandle[];
  readonly sentinelAddresses: RedisAddress[];
  /** The data server listening on `port`. */
  server(port: number): RedisServerHandle;
  /** The master's port as each reachable sentinel reports it. */
  reportedMasters(): Promise<number[]>;
  /**
   * Waits until every sentinel names a master other than `oldPort`, that server says it is a
   * master, and (when `replicas` > 0) that many replicas are in sync with it; returns its port.
   */
  waitForNewMaster(oldPort: number, options?: { replicas?: number; timeoutMs?: number }): Promise<number>;
}

/**
 * A primary, `replicas` replicas and `sentinelCount` sentinels with quorum 2 and a 1 s
 * down-after, resolved once every sentinel knows every replica and every other sentinel (a
 * failover started before that finds no replica to promote).
 */
export async function startSentinelGroup(options: { replicas?: number; sentinels?: number; downAfterMs?: number; failoverTimeoutMs?: number } = {}): Promise<SentinelGroup> {
  const name = 'cache-ha';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 3;
  const primary = await startRedisServer();
  const replicas = await Promise.all(
    Array.from({ length: replicaCount }, () =>
      startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port), '--repl-ping-replica-period', '1'] }),
    ),
  );
  const sentinels = await Promise.all(
    Array.from({ length: sentinelCount }, () =>
      startRedisServer({
        args: ['--sentinel'],
        config: [
          'sentinel resolve-hostnames no',
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1_000}`,
          `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5_000}`,
          `sentinel parallel-syncs ${name} 1`,
        ],
      }),
    ),
  );
  const servers = [primary, ...replicas];
  const group: SentinelGroup = {
    name,
    servers,
    sentinels,
    sentinelAddresses: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    server(port) {
      const found = servers.find((s) => s.port === port);
      if (found === undefined) throw new Error(`no data server on port ${port}`);
      return found;
    },
    async reportedMasters() {
      const replies = await Promise.all(
        sentinels.map((s) => command(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name).catch(() => null)),
      );
      return replies.filter((r): r is string[] => Array.isArray(r)).map((r) => Number(r[1]));
    },
    async waitForNewMaster(oldPort, { replicas: wantReplicas = 0, timeoutMs = 30_000 } = {}) {
      return waitFor(
        `the sentinels to agree on a master other than ${oldPort}`,
        async () => {
          const reported = await group.reportedMasters();
          const port = reported[0];
          if (reported.length !== sentinels.length || port === oldPort || reported.some((p) => p !== port)) return undefined;
          if ((await infoField(port, 'replication', 'role')) !== 'master') return undefined;
          if (wantReplicas > 0) {
            const text = String(await command(port, 'INFO', 'replication'));
            const online = text.match(/^slave\d+:.*state=online.*$/gm) ?? [];
            if (online.length < wantReplicas) return undefined;
          }
          return port;
        },
        timeoutMs,
        100,
      );
    },
  };
  await waitFor(
    'the sentinels to discover the replicas and each other',
    async () => {
      for (const sentinel of sentinels) {
        const known = ((await command(sentinel.port, 'SENTINEL', 'REPLICAS', name)) as RespReply[]).map(fields);
        const synced = known.filter((r) => r.flags === 'slave' && r['master-link-status'] === 'ok');
        const peers = (await command(sentinel.port, 'SENTINEL', 'SENTINELS', name)) as RespReply[];
        if (synced.length < replicaCount || peers.length < sentinelCount - 1) return undefined;
      }
      return true;
    },
    30_000,
    100,
  );
  return group;
}

export interface SlotOwner {
  master: number;
  replicas: number[];
}

export interface ReplicatedCluster {
  readonly nodes: RedisServerHandle[];
  /** Seed addresses for a cluster client. */
  readonly seeds: RedisAddress[];
  node(port: number): RedisServerHandle;
  /** The slot of `key` (asked of a live node). */
  keySlot(key: string): Promise<number>;
  /** Who serves `slot`, as the live node at `askPort` sees it. */
  ownerOf(slot: number, askPort?: number): Promise<SlotOwner>;
  /**
   * Waits until every live node names a master for `slot` other than `oldMaster`, that master
   * says role:master, and the cluster state is ok everywhere; returns the new master's port.
   */
  waitForNewMaster(slot: number, oldMaster: number, timeoutMs?: number): Promise<number>;
}

/** `masters` masters with `replicasPerMaster` replicas each, cluster-node-timeout `nodeTimeoutMs`. */
export async function startReplicatedCluster(options: { masters?: number; replicasPerMaster?: number; nodeTimeoutMs?: number } = {}): Promise<ReplicatedCluster> {
  const { nodes } = await startRedisCluster({
    masters: options.masters ?? 3,
    replicasPerMaster: options.replicasPerMaster ?? 1,
    nodeTimeoutMs: options.nodeTimeoutMs ?? 1_000,
    getFreePort,
    startNode: (args) => startRedisServer({ args: [...args, '--repl-ping-replica-period', '1'] }),
  });
  const live = async (): Promise<RedisServerHandle[]> => {
    const answers = await Promise.all(nodes.map((n) => command(n.port, 'PING').then(() => n, () => undefined)));
    return answers.filter((n): n is RedisServerHandle => n !== undefined);
  };
  const cluster: ReplicatedCluster = {
    nodes,
    seeds: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    node(port) {
      const found = nodes.find((n) => n.port === port);
      if (found === undefined) throw new Error(`no cluster node on port ${port}`);
      return found;
    },
    async keySlot(key) {
      const [first] = await live();
      return Number(await command(first.port, 'CLUSTER', 'KEYSLOT', key));
    },
    async ownerOf(slot, askPort) {
      const port = askPort ?? (await live())[0].port;
      const ranges = (await command(port, 'CLUSTER', 'SLOTS')) as RespReply[][];
      const range = ranges.find((r) => Number(r[0]) <= slot && slot <= Number(r[1]));
      if (range === undefined) throw new Error(`node ${port} knows no owner of slot ${slot}`);
      const [master, ...replicas] = range.slice(2).map((n) => Number((n as RespReply[])[1]));
      return { master, replicas };
    },
    async waitForNewMaster(slot, oldMaster, timeoutMs = 30_000) {
      return waitFor(
        `a master other than ${oldMaster} for slot ${slot}, agreed by every live node`,
        async () => {
          const views = await Promise.all(
            (await live()).map(async (n) => ({
              owner: await cluster.ownerOf(slot, n.port),
              ok: /cluster_state:ok/.test(String(await command(n.port, 'CLUSTER', 'INFO'))),
            })),
          );
          const master = views[0]?.owner.master;
          if (master === undefined || master === oldMaster) return undefined;
          if (views.some((v) => !v.ok || v.owner.master !== master)) return undefined;
          if ((await infoField(master, 'replication', 'role')) !== 'master') return undefined;
          return master;
        },
        timeoutMs,
        100,
      );
    },
  };
  return cluster;
}
