// Types for redis-cluster.js, which test/support/redis-ha.ts and test/rig.e2e-spec.ts import.
export interface RedisClusterOptions<N extends { port: number }> {
  masters: number;
  /** Replicas of each master (default 0). */
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent node takes to be failed over (default 5000). */
  nodeTimeoutMs?: number;
  startNode(args: string[]): Promise<N>;
  getFreePort(): Promise<number>;
  timeoutMs?: number;
}

export function startRedisCluster<N extends { port: number }>(
  options: RedisClusterOptions<N>,
): Promise<{ nodes: N[]; addresses: string[] }>;

/** One cluster node on a free bus port, started again on another when its ports were taken meanwhile. */
export function startClusterNode<N extends { port: number }>(
  startNode: (args: string[]) => Promise<N>,
  getFreePort: () => Promise<number>,
  nodeTimeoutMs: number,
): Promise<N>;
