import type { ResolvedCacheOptions } from '../cache-options.interface';
import { fleetKeys, type FleetKeys } from '../keys/key-layout';
import type { RedisClient } from '../stores/redis-connection.factory';
import type { CounterExport } from './counter-set';
import { parse, type PublishedInstance, type PublishedMeta, type PublishedStats } from './fleet-stats';

/** How long a fleet reset marker is kept, so an instance that missed it (Redis was away) still resets later. */
const RESET_MARKER_TTL_MS = 7 * 24 * 3_600_000;

/**
 * Where the fleet's stats live in Redis: one hash per instance, replaced at each publish and
 * expiring `instanceTtlMs` after it, a sorted set of instance ids bounded to `maxInstances` and
 * pruned of silent ones, and the reset marker.
 */
export class FleetRedis {
  private readonly keys: FleetKeys;

  constructor(
    prefix: string,
    private readonly options: ResolvedCacheOptions['fleet'],
  ) {
    this.keys = fleetKeys(prefix);
  }

  readMarker(client: RedisClient): Promise<string | null> {
    return client.get(this.keys.reset);
  }

  async writeMarker(client: RedisClient, marker: string): Promise<void> {
    await client.set(this.keys.reset, marker, 'PX', RESET_MARKER_TTL_MS);
  }

  /** Replaces instance `id`'s hash with `fields` in one transaction; throws when it did not apply. */
  async write(client: RedisClient, id: string, fields: Record<string, string>, now: number): Promise<void> {
    const key = this.keys.instance(id);
    const { instanceTtlMs, maxInstances } = this.options;
    const results = await client
      .multi()
      .del(key)
      .hset(key, fields)
      .pexpire(key, instanceTtlMs)
      .zadd(this.keys.instances, now, id)
      .zremrangebyscore(this.keys.instances, '-inf', now - instanceTtlMs)
      .zremrangebyrank(this.keys.instances, 0, -(maxInstances + 1))
      .pexpire(this.keys.instances, instanceTtlMs)
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('transaction aborted');
  }

  /** Removes instance `id`'s stats (it leaves the fleet at once). */
  async remove(client: RedisClient, id: string): Promise<void> {
    await client.multi().del(this.keys.instance(id)).zrem(this.keys.instances, id).exec();
  }

  /** The live instances' published stats other than `selfId`'s (those whose hash has not expired), and the current reset marker. */
  async readOthers(client: RedisClient, selfId: string, org: string | undefined): Promise<[PublishedInstance[], string | null]> {
    const [ids, marker] = await Promise.all([client.zrange(this.keys.instances, -this.options.maxInstances, '-1'), this.readMarker(client)]);
    const others = ids.filter((id) => id !== selfId);
    if (others.length === 0) return [[], marker];
    const fields = org === undefined ? ['meta', 'stats'] : ['meta', 'stats', `o:${org}`];
    const pipeline = client.pipeline();
    for (const id of others) pipeline.hmget(this.keys.instance(id), ...fields);
    const replies = (await pipeline.exec()) ?? [];
    const published: PublishedInstance[] = [];
    for (const [error, values] of replies) {
      if (error !== null || !Array.isArray(values)) continue;
      const [metaText, statsText, orgText] = values as (string | null)[];
      const meta = parse<PublishedMeta>(metaText);
      const stats = parse<PublishedStats>(statsText);
      if (meta === undefined || stats === undefined || typeof meta.id !== 'string') continue; // expired: silent too long
      published.push({ meta, stats, orgNamespaces: parse<Record<string, CounterExport>>(orgText ?? null) });
    }
    return [published, marker];
  }
}
