import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import { hashSlotOf } from '../keys/key-layout';
import type { CacheEntry } from '../serialization/cache-entry';
import { CacheSerializer, counterEntry, isCounterValue, type DecodedEntry } from '../serialization/cache-serializer';
import type {
  BeginLoadResult,
  CacheStore,
  InvalidationTarget,
  LoadTicket,
  StoredKeyInfo,
} from './cache-store.interface';
import { batchWritesThisTick, type RedisClient, type RedisConnections } from './redis-connection.factory';
import { BEGIN_LOAD, DELETE_KEY, EXTEND_LEASE, GUARDED_SET, INCR_WITH_TTL, INVALIDATE_TAGS, PRUNE_TAG_SET, RELEASE_LOCK } from './redis-scripts';

/**
 * How long key and tag versions outlive their last bump. A load that runs longer than this
 * is not stored, since the version it compares against may have expired and come back.
 */
export const VERSION_TTL_MS = 3_600_000;
const SCAN_COUNT = 1_000;
const UNLINK_BATCH = 500;
const PRUNE_BATCH = 500;
/**
 * How often one instance re-adds an organization it writes for to the registry. Entries are
 * only written after the SADD, so the registry always names every organization holding one;
 * re-adding now and then restores it should Redis have evicted or lost the set.
 */
const ORG_REGISTRY_REFRESH_MS = 60_000;

interface RedisTicket extends LoadTicket {
  tags: readonly string[];
  versions: string[];
  token: string;
}

/**
 * The shared tier on Redis: standalone, TLS, Sentinel or Cluster. Every read and write of an
 * entry is one round trip (a command or a Lua script); SCAN and UNLINK in batches do the bulk
 * work, never KEYS. Errors are thrown: the tiered store decides what a failure means.
 * What Redis holds is checked, not trusted: `get` and `mget` answer an entry envelope or a
 * counter (a whole decimal integer, what `incr` keeps), and the reads the tiered store makes for
 * cached values (`getSized`, `beginLoad`) an envelope only. Anything else is a miss, reported by
 * the serializer.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  /** Organization → when this instance last added it to the registry. */
  private readonly registered = new Map<string, number>();

  constructor(
    private readonly keys: CacheKeyBuilder,
    private readonly serializer: CacheSerializer,
    private readonly connections: RedisConnections,
  ) {}

  /** The hot-path connection; its writes of one tick go out together (see `batchWritesThisTick`). */
  private get main(): RedisClient {
    const main = this.connections.main;
    batchWritesThisTick(main);
    return main;
  }

  /**
   * The connection for background work (a longer command timeout, never the hot path): the
   * fleet stats publisher (metrics/cache-fleet.ts) runs its commands on it.
   */
  get bulkClient(): RedisClient {
    return this.connections.bulk;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.entryOrCounter(key, await this.main.getBuffer(key));
  }

  /**
   * The entry under `key` and the length of its JSON (what the in-process tier accounts a copy
   * by); never a counter: a cached value's read, where a counter is as corrupt as any garbage.
   */
  async getSized(key: string): Promise<DecodedEntry | undefined> {
    return this.serializer.readStored(key, await this.main.getBuffer(key));
  }

  async mget(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    // One GET a key: pipelined on one socket, and a Cluster spreads them by slot.
    const values = await Promise.all(keys.map((key) => this.main.getBuffer(key)));
    return values.map((bytes, i) => this.entryOrCounter(keys[i], bytes));
  }

  async set(key: string, entry: CacheEntry, ttlMs: number, ticket?: LoadTicket): Promise<boolean> {
    return this.setEncoded(key, this.serializer.encode(entry).bytes, entry.tags, ttlMs, ticket);
  }

  /** `set` with the entry already encoded (the tiered store encodes once for size checks). */
  async setEncoded(key: string, bytes: Buffer, tags: readonly string[], ttlMs: number, ticket?: LoadTicket): Promise<boolean> {
    const org = this.keys.parse(key).org;
    await this.registerOrg(org);
    const pttl = Math.max(1, Math.ceil(ttlMs));
    const t = ticket as RedisTicket | undefined;
    if (t !== undefined) {
      const tooOld = Date.now() - t.startedAt > VERSION_TTL_MS;
      if (t.store !== this || tooOld || !tags.every((tag) => t.tags.includes(tag))) {
        await this.endLoad(t);
        return false;
      }
    }
    const guardTags = t?.tags ?? tags;
    const scriptKeys = [
      key,
      this.keys.lock(key),
      this.keys.keyVersion(key),
      this.keys.orgEpoch(org),
      ...guardTags.map((tag) => this.keys.tagVersion(org, tag)),
      ...guardTags.map((tag) => this.keys.tagSet(org, tag)),
    ];
    const args = [bytes, pttl, t?.token ?? '', t ? 'g' : 'p', VERSION_TTL_MS, guardTags.length, ...(t?.versions ?? [])];
    return (await GUARDED_SET.run(this.main, scriptKeys, args)) === 1;
  }

  async delete(keys: readonly string[]): Promise<number> {
    // Invalidations are writes: the bulk connection, whose timeout a loaded moment does not
    // pass (the tiered store bounds them with its own write timeout).
    const counts = await Promise.all(
      keys.map((key) => DELETE_KEY.run(this.connections.bulk, [key, this.keys.keyVersion(key)], [VERSION_TTL_MS])),
    );
    return counts.reduce<number>((sum, n) => sum + Number(n), 0);
  }

  async ttl(key: string): Promise<number | null | undefined> {
    const pttl = await this.main.pttl(key);
    if (pttl === -2) return undefined;
    return pttl === -1 ? null : pttl;
  }

  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    return Number(await INCR_WITH_TTL.run(this.main, [key], [Math.trunc(delta), Math.ceil(ttlMs ?? 0)]));
  }

  async beginLoad(key: string, tags: readonly string[], lockTtlMs?: number, token: string = randomUUID()): Promise<BeginLoadResult> {
    const org = this.keys.parse(key).org;
    // Before the versions are read: an invalidation across organizations that runs after this
    // point finds the organization in the registry and bumps the versions this load compares.
    await this.registerOrg(org);
    const scriptKeys = [
      key,
      this.keys.lock(key),
      this.keys.keyVersion(key),
      this.keys.orgEpoch(org),
      ...tags.map((tag) => this.keys.tagVersion(org, tag)),
    ];
    const reply = (await BEGIN_LOAD.run(this.main, scriptKeys, [token, Math.ceil(lockTtlMs ?? 0), lockTtlMs ? '1' : '0'], true)) as Buffer[];
    const [bytes, locked, ...versions] = reply;
    const ticket: RedisTicket = {
      store: this,
      key,
      startedAt: Date.now(),
      tags: [...tags],
      versions: versions.map((v) => v.toString()),
      token: Number(locked) === 1 ? token : '',
    };
    // Not reported again: a load begins after a read of the key (which reported it), and polls while it waits.
    return { entry: this.serializer.readStored(key, bytes, false)?.entry, locked: ticket.token !== '', ticket };
  }

  /** A ticket for a lock `token` may hold on `key` (a `beginLoad` whose answer was lost), to release it. */
  ticketFor(key: string, token: string): LoadTicket {
    const ticket: RedisTicket = { store: this, key, startedAt: Date.now(), tags: [], versions: [], token };
    return ticket;
  }

  /** Whether `ticket` is a load of this store that took the key's lock. */
  holdsLock(ticket: LoadTicket): boolean {
    return ticket.store === this && (ticket as RedisTicket).token !== '';
  }

  async endLoad(ticket: LoadTicket): Promise<void> {
    const { token, key } = ticket as RedisTicket;
    if (token !== '') await RELEASE_LOCK.run(this.main, [this.keys.lock(key)], [token]);
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
        return this.unlinkMatching(this.keys.everyKeyGlob(), (key) => !this.keys.survivesFlush(key));
      }
    }
  }

  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    const nodes = this.scanNodes();
    const sep = cursor.indexOf(':');
    let nodeIndex = sep >= 0 ? Number(cursor.slice(0, sep)) : 0;
    let nodeCursor = sep >= 0 ? cursor.slice(sep + 1) : cursor || '0';
    if (!Number.isInteger(nodeIndex) || nodeIndex < 0 || nodeIndex >= nodes.length) nodeIndex = 0;
    const [next, found] = await nodes[nodeIndex].scan(nodeCursor, 'MATCH', pattern, 'COUNT', count);
    const keys = found.filter((key) => !this.keys.isInternal(key));
    nodeCursor = next;
    if (nodeCursor === '0') {
      nodeIndex += 1;
      if (nodeIndex >= nodes.length) return { keys, cursor: '0' };
    }
    return { keys, cursor: nodes.length === 1 ? nodeCursor : `${nodeIndex}:${nodeCursor}` };
  }

  async inspect(key: string): Promise<StoredKeyInfo | undefined> {
    const [bytes, pttl] = await Promise.all([this.main.getBuffer(key), this.main.pttl(key)]);
    if (bytes === null) return undefined;
    const counter = isCounterValue(bytes);
    let tags: readonly string[] = [];
    if (!counter) {
      try {
        tags = this.serializer.decode(bytes).tags;
      } catch {
        // an operator looking at a corrupt value: shown with no tags, not counted as a read
      }
    }
    return {
      key,
      ttlMs: pttl >= 0 ? pttl : null,
      sizeBytes: bytes.length,
      encoding: counter ? 'counter' : CacheSerializer.describe(bytes),
      tags,
    };
  }

  /** Round trip to Redis in ms, for health checks (on `client`, the hot-path connection by default). */
  async ping(client: RedisClient = this.main): Promise<number> {
    const start = performance.now();
    await client.ping();
    return performance.now() - start;
  }

  /** Memory figures and key count of this app's Redis (summed over Cluster masters). */
  async serverInfo(): Promise<{ keys: number; usedMemoryBytes: number; maxMemoryBytes: number }> {
    const infos = await Promise.all(this.scanNodes().map((node) => Promise.all([node.info('memory'), node.dbsize()])));
    let usedMemoryBytes = 0;
    let maxMemoryBytes = 0;
    let keys = 0;
    for (const [memory, size] of infos) {
      usedMemoryBytes += Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0);
      maxMemoryBytes += Number(/maxmemory:(\d+)/.exec(memory)?.[1] ?? 0);
      keys += size;
    }
    return { keys, usedMemoryBytes, maxMemoryBytes };
  }

  /** Takes a lease (SET NX PX) held by `token`; false when someone else holds it. */
  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.main.set(key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  /** Pushes a lease's expiry to `ttlMs` from now, only if `token` still holds it; false when it was lost. */
  async extendLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return Number(await EXTEND_LEASE.run(this.main, [key], [token, Math.max(1, Math.ceil(ttlMs))])) === 1;
  }

  /** Gives a lease back only if `token` still holds it: a lease that expired and was taken by another stays theirs. */
  async releaseLease(key: string, token: string): Promise<boolean> {
    return Number(await RELEASE_LOCK.run(this.main, [key], [token])) === 1;
  }

  /**
   * Removes tag-set members whose entries are gone (expired or evicted by Redis): tag sets
   * only lose members on invalidation, so without this they grow with every key ever written
   * under the tag. SSCAN in batches, EXISTS and SREM in one script per batch; a set left empty disappears by itself.
   */
  async pruneTagSets(): Promise<{ tagSets: number; deadMembers: number }> {
    let tagSets = 0;
    let deadMembers = 0;
    await this.forEachMatching(this.keys.internalGlob('tag', '*'), undefined, async (node, batch) => {
      for (const setKey of batch) {
        tagSets += 1;
        let cursor = '0';
        do {
          const [next, members] = await node.sscan(setKey, cursor, 'COUNT', PRUNE_BATCH);
          cursor = next;
          if (members.length === 0) continue;
          // Members share the set's hash slot (the org's hash tag), so one script on this node
          // checks and removes them atomically against writes re-adding them.
          deadMembers += Number(await PRUNE_TAG_SET.run(node, [setKey, ...members], []));
        } while (cursor !== '0');
      }
    });
    return { tagSets, deadMembers };
  }

  async close(): Promise<void> {
    // Connections belong to the tiered store, which closes them.
  }

  private async invalidateTags(org: string | undefined, tags: readonly string[]): Promise<number> {
    const orgs = org !== undefined ? [org] : await this.knownOrgs();
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
    const removed = await this.unlinkMatching(pattern, (key) => {
      if (this.keys.isInternal(key)) return false;
      touched.add(this.keys.parse(key).org);
      return true;
    });
    // Loads in flight for keys that matched must not store their older values afterwards; a
    // pattern may match keys no one holds yet, so every organization it can reach is bumped.
    const literalOrg = this.keys.literalOrgOf(pattern);
    const orgs = literalOrg !== undefined ? [literalOrg] : await this.knownOrgs();
    for (const org of touched) if (!orgs.includes(org)) orgs.push(org);
    await this.bumpEpochs(orgs);
    return removed;
  }

  private async invalidateOrg(org: string): Promise<number> {
    const removed = await this.unlinkMatching(this.keys.orgGlob(org), (key) => !this.keys.survivesOrgInvalidation(key, org));
    await this.bumpEpochs([org]);
    return removed;
  }

  private async bumpEpochs(orgs: readonly string[]): Promise<void> {
    await Promise.all(orgs.map((org) => this.connections.bulk.incr(this.keys.orgEpoch(org))));
  }

  /**
   * Organizations that ever loaded or wrote through this app: the members of the registry set,
   * read with SSCAN. Never a SCAN of the keyspace, so an invalidation across organizations costs
   * one small set read whatever else the Redis holds.
   */
  private async knownOrgs(): Promise<string[]> {
    const orgs = new Set<string>();
    let cursor = '0';
    do {
      const [next, members] = await this.connections.bulk.sscan(this.keys.orgRegistry(), cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (const org of members) orgs.add(org);
    } while (cursor !== '0');
    return [...orgs];
  }

  /** Adds `org` to the registry (once a minute per instance at most), before anything of it is written. */
  private async registerOrg(org: string): Promise<void> {
    const now = Date.now();
    if (now - (this.registered.get(org) ?? -Infinity) < ORG_REGISTRY_REFRESH_MS) return;
    await this.main.sadd(this.keys.orgRegistry(), org);
    this.registered.set(org, now);
  }

  /**
   * Fills the registry from the organizations' epoch keys (one SCAN), for data written before
   * the registry existed. Run once at start-up, never on a request's path; returns how many
   * organizations it added.
   */
  async backfillOrgRegistry(): Promise<number> {
    const orgs = new Set<string>();
    await this.forEachMatching(this.keys.internalGlob('ov'), (key) => orgs.add(this.keys.parse(key).org));
    if (orgs.size === 0) return 0;
    return Number(await this.connections.bulk.sadd(this.keys.orgRegistry(), ...orgs));
  }

  private async unlinkMatching(pattern: string, select: (key: string) => boolean): Promise<number> {
    let removed = 0;
    await this.forEachMatching(pattern, undefined, async (node, batch) => {
      const chosen = batch.filter(select);
      // Keys of one organization share a hash slot; UNLINK them together, slot by slot.
      const bySlot = new Map<string, string[]>();
      for (const key of chosen) {
        const slotKey = hashSlotOf(key);
        let group = bySlot.get(slotKey);
        if (group === undefined) bySlot.set(slotKey, (group = []));
        group.push(key);
      }
      for (const group of bySlot.values()) {
        for (let i = 0; i < group.length; i += UNLINK_BATCH) removed += await node.unlink(...group.slice(i, i + UNLINK_BATCH));
      }
    });
    return removed;
  }

  private async forEachMatching(
    pattern: string,
    each?: (key: string) => void,
    eachBatch?: (node: Redis, keys: string[]) => Promise<void>,
  ): Promise<void> {
    for (const node of this.scanNodes()) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (each) found.forEach(each);
        if (eachBatch && found.length > 0) await eachBatch(node, found);
      } while (cursor !== '0');
    }
  }

  private entryOrCounter(key: string, bytes: Buffer | null): CacheEntry | undefined {
    return bytes !== null && isCounterValue(bytes) ? counterEntry(bytes) : this.serializer.readStored(key, bytes)?.entry;
  }

  /** The servers a SCAN must visit: every master of a Cluster, or the one server. */
  private scanNodes(): Redis[] {
    const bulk = this.connections.bulk;
    if ('nodes' in bulk) {
      return bulk.nodes('master').sort((a, b) => nodeName(a).localeCompare(nodeName(b)));
    }
    return [bulk];
  }

}

function nodeName(node: Redis): string {
  return `${node.options.host ?? ''}:${node.options.port ?? ''}`;
}
