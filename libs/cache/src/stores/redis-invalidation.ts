import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { InvalidationTarget } from './cache-store.interface';
import type { RedisConnections } from './redis-connection.factory';
import type { RedisKeyspace } from './redis-keyspace';
import type { RedisOrgRegistry } from './redis-org-registry';
import { DELETE_KEY, INVALIDATE_TAGS } from './redis-scripts';

/**
 * How long key and tag versions outlive their last bump. A load that runs longer than this
 * is not stored, since the version it compares against may have expired and come back.
 */
export const VERSION_TTL_MS = 3_600_000;

/**
 * Invalidations in Redis: entries go, and the versions loads in flight compare against are
 * bumped (key, tag and organization versions), so no load that overlapped an invalidation
 * stores its older value afterwards. Runs on the bulk connection: invalidations are writes,
 * whose timeout a loaded moment must not pass (the tiered store bounds them with its own).
 */
export class RedisInvalidation {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: CacheKeyBuilder,
    private readonly keyspace: RedisKeyspace,
    private readonly orgs: RedisOrgRegistry,
  ) {}

  async delete(keys: readonly string[]): Promise<number> {
    // Invalidations are writes: the bulk connection, whose timeout a loaded moment does not
    // pass (the tiered store bounds them with its own write timeout).
    const counts = await Promise.all(
      keys.map((key) => DELETE_KEY.run(this.connections.bulk, [key, this.keys.keyVersion(key)], [VERSION_TTL_MS])),
    );
    return counts.reduce<number>((sum, n) => sum + Number(n), 0);
  }

  async invalidate(target: InvalidationTarget): Promise<number> {
    switch (target.kind) {
      case 'keys':
        return this.delete(target.keys);
      case 'tags':
        return this.invalidateTags(target.org, target.tags);
      case 'pattern':
        return this.invalidatePattern(target.pattern);
      case 'org':
        return this.invalidateOrg(target.org);
      case 'all': {
        // The invalidation bus' log, sequence and epoch stay: instances keep counting on them;
        // so does the registry of organizations: instances remember having registered theirs.
        return this.keyspace.unlinkMatching(this.keys.everyKeyGlob(), (key) => !this.keys.survivesFlush(key));
      }
    }
  }

  private async invalidateTags(org: string | undefined, tags: readonly string[]): Promise<number> {
    const orgs = org !== undefined ? [org] : await this.orgs.known();
    const counts = await Promise.all(
      orgs.map((o) =>
        INVALIDATE_TAGS.run(
          this.connections.bulk,
          tags.flatMap((tag) => [this.keys.tagSet(o, tag), this.keys.tagVersion(o, tag)]),
          [VERSION_TTL_MS],
        ),
      ),
    );
    return counts.reduce<number>((sum, n) => sum + Number(n), 0);
  }

  private async invalidatePattern(pattern: string): Promise<number> {
    const touched = new Set<string>();
    const removed = await this.keyspace.unlinkMatching(pattern, (key) => {
      if (this.keys.isInternal(key)) return false;
      touched.add(this.keys.parse(key).org);
      return true;
    });
    // Loads in flight for keys that matched must not store their older values afterwards; a
    // pattern may match keys no one holds yet, so every organization it can reach is bumped.
    const literalOrg = this.keys.literalOrgOf(pattern);
    const orgs = literalOrg !== undefined ? [literalOrg] : await this.orgs.known();
    for (const org of touched) if (!orgs.includes(org)) orgs.push(org);
    await this.bumpEpochs(orgs);
    return removed;
  }

  private async invalidateOrg(org: string): Promise<number> {
    const removed = await this.keyspace.unlinkMatching(this.keys.orgGlob(org), (key) => !this.keys.survivesOrgInvalidation(key, org));
    await this.bumpEpochs([org]);
    return removed;
  }

  private async bumpEpochs(orgs: readonly string[]): Promise<void> {
    await Promise.all(orgs.map((org) => this.connections.bulk.incr(this.keys.orgEpoch(org))));
  }
}
