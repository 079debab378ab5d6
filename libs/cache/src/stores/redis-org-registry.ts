import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { RedisClient, RedisConnections } from './redis-connection.factory';
import { SCAN_COUNT, type RedisKeyspace } from './redis-keyspace';

/**
 * How often one instance re-adds an organization it writes for to the registry. Entries are
 * only written after the SADD, so the registry always names every organization holding one;
 * re-adding now and then restores it should Redis have evicted or lost the set.
 */
const ORG_REGISTRY_REFRESH_MS = 60_000;

/**
 * The set of organizations that ever loaded or wrote through this app: invalidations that span
 * organizations read it instead of SCANning the keyspace to find them.
 */
export class RedisOrgRegistry {
  /** Organization → when this instance last added it to the registry. */
  private readonly registered = new Map<string, number>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: CacheKeyBuilder,
    private readonly keyspace: RedisKeyspace,
  ) {}

  /** Adds `org` (once a minute per instance at most), before anything of it is written; on `client`, the caller's connection. */
  async register(org: string, client: RedisClient): Promise<void> {
    const now = Date.now();
    if (now - (this.registered.get(org) ?? -Infinity) < ORG_REGISTRY_REFRESH_MS) return;
    await client.sadd(this.keys.orgRegistry(), org);
    this.registered.set(org, now);
  }

  /** The members of the registry, read with SSCAN: one small set read whatever else the Redis holds. */
  async known(): Promise<string[]> {
    const orgs = new Set<string>();
    let cursor = '0';
    do {
      const [next, members] = await this.connections.bulk.sscan(this.keys.orgRegistry(), cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (const org of members) orgs.add(org);
    } while (cursor !== '0');
    return [...orgs];
  }

  /**
   * Fills the registry from the organizations' epoch keys (one SCAN), for data written before
   * the registry existed. Run once at start-up, never on a request's path; returns how many
   * organizations it added.
   */
  async backfill(): Promise<number> {
    const orgs = new Set<string>();
    await this.keyspace.forEachMatching(this.keys.internalGlob('ov'), (key) => orgs.add(this.keys.parse(key).org));
    if (orgs.size === 0) return 0;
    return Number(await this.connections.bulk.sadd(this.keys.orgRegistry(), ...orgs));
  }
}
