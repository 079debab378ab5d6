import { randomUUID } from 'node:crypto';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { CacheEntry } from '../serialization/cache-entry';
import { CacheSerializer, counterEntry, isCounterValue, type DecodedEntry } from '../serialization/cache-serializer';
import type { BeginLoadResult, CacheStore, InvalidationTarget, LoadTicket, StoredKeyInfo } from './cache-store.interface';
import type { RedisClient, RedisConnections } from './redis-connection.factory';
import { batchWrites } from './redis-write-batching';
import { RedisKeyspace } from './redis-keyspace';
import { RedisOrgRegistry } from './redis-org-registry';
import { RedisInvalidation } from './redis-invalidation';
import { BEGIN_LOAD, EXTEND_LEASE, GUARDED_SET, INCR_WITH_TTL, RELEASE_LOCK } from './redis-scripts';
import { VERSION_TTL_MS } from './redis-invalidation';

export { VERSION_TTL_MS } from './redis-invalidation';

/** A load of the Redis store: the versions it read, and the lock token it holds ('' when it holds none). */
export interface RedisTicket extends LoadTicket {
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
export class RedisCacheStore implements CacheStore<RedisTicket> {
  readonly kind = 'redis' as const;
  private readonly keyspace: RedisKeyspace;
  private readonly orgs: RedisOrgRegistry;
  private readonly invalidation: RedisInvalidation;

  constructor(
    private readonly keys: CacheKeyBuilder,
    private readonly serializer: CacheSerializer,
    private readonly connections: RedisConnections,
  ) {
    this.keyspace = new RedisKeyspace(connections, keys);
    this.orgs = new RedisOrgRegistry(connections, keys, this.keyspace);
    this.invalidation = new RedisInvalidation(connections, keys, this.keyspace, this.orgs);
  }

  /** The hot-path connection; its writes under load go out in batches (see `batchWrites`). */
  private get main(): RedisClient {
    const main = this.connections.main;
    batchWrites(main);
    return main;
  }

  /** The connection for background work (longer timeout, never the hot path): the fleet stats publisher's. */
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

  async set(key: string, entry: CacheEntry, ttlMs: number, ticket?: RedisTicket): Promise<boolean> {
    return this.setEncoded(key, this.serializer.encode(entry).bytes, entry.tags, ttlMs, ticket);
  }

  /** `set` with the entry already encoded (the tiered store encodes once for size checks). */
  async setEncoded(key: string, bytes: Buffer, tags: readonly string[], ttlMs: number, t?: RedisTicket): Promise<boolean> {
    const org = this.keys.parse(key).org;
    await this.orgs.register(org, this.main);
    const pttl = Math.max(1, Math.ceil(ttlMs));
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
    return this.invalidation.delete(keys);
  }

  async ttl(key: string): Promise<number | null | undefined> {
    const pttl = await this.main.pttl(key);
    if (pttl === -2) return undefined;
    return pttl === -1 ? null : pttl;
  }

  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    return Number(await INCR_WITH_TTL.run(this.main, [key], [Math.trunc(delta), Math.ceil(ttlMs ?? 0)]));
  }

  async beginLoad(key: string, tags: readonly string[], lockTtlMs?: number, token: string = randomUUID()): Promise<BeginLoadResult<RedisTicket>> {
    return this.begunFrom(key, tags, token, await this.runBeginLoad(key, tags, lockTtlMs, token, false));
  }

  /** `getSized`, and on a miss `beginLoad`, in one round trip: `found` (no lock; undefined if corrupt) or the load begun. */
  async readOrBeginLoad(key: string, tags: readonly string[], lockTtlMs: number | undefined, token: string): Promise<{ found: DecodedEntry | undefined } | BeginLoadResult<RedisTicket>> {
    const reply = await this.runBeginLoad(key, tags, lockTtlMs, token, true);
    // One element: the entry the script found and returned alone.
    return reply.length === 1 ? { found: this.serializer.readStored(key, reply[0]) } : this.begunFrom(key, tags, token, reply);
  }

  private async runBeginLoad(key: string, tags: readonly string[], lockTtlMs: number | undefined, token: string, readFirst: boolean): Promise<Buffer[]> {
    const org = this.keys.parse(key).org;
    // Before the versions are read: an invalidation across organizations that runs after this
    // point finds the organization in the registry and bumps the versions this load compares.
    await this.orgs.register(org, this.main);
    const scriptKeys = [
      key,
      this.keys.lock(key),
      this.keys.keyVersion(key),
      this.keys.orgEpoch(org),
      ...tags.map((tag) => this.keys.tagVersion(org, tag)),
    ];
    const args = [token, Math.ceil(lockTtlMs ?? 0), lockTtlMs ? '1' : '0', readFirst ? '1' : '0'];
    return (await BEGIN_LOAD.run(this.main, scriptKeys, args, true)) as Buffer[];
  }

  /** The load a `BEGIN_LOAD` reply describes: the entry there, the versions read, the lock if taken. */
  private begunFrom(key: string, tags: readonly string[], token: string, reply: Buffer[]): BeginLoadResult<RedisTicket> {
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
  ticketFor(key: string, token: string): RedisTicket {
    return { store: this, key, startedAt: Date.now(), tags: [], versions: [], token };
  }

  /** Whether `ticket` is a load of this store that took the key's lock. */
  holdsLock(ticket: RedisTicket): boolean {
    return ticket.store === this && ticket.token !== '';
  }

  async endLoad(ticket: RedisTicket): Promise<void> {
    const { token, key } = ticket;
    if (token !== '') await RELEASE_LOCK.run(this.main, [this.keys.lock(key)], [token]);
  }

  async invalidate(target: InvalidationTarget): Promise<number> {
    return this.invalidation.invalidate(target);
  }

  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    return this.keyspace.scan(pattern, cursor, count);
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
  serverInfo(): Promise<{ keys: number; usedMemoryBytes: number; maxMemoryBytes: number }> {
    return this.keyspace.serverInfo();
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

  /** Removes tag-set members whose entries are gone (see `RedisKeyspace.pruneTagSets`). */
  pruneTagSets(): Promise<{ tagSets: number; deadMembers: number }> {
    return this.keyspace.pruneTagSets();
  }

  /** Registers the organizations found in Redis (see `RedisOrgRegistry.backfill`); returns how many were added. */
  backfillOrgRegistry(): Promise<number> {
    return this.orgs.backfill();
  }

  async close(): Promise<void> {
    // Connections belong to the tiered store, which closes them.
  }

  private entryOrCounter(key: string, bytes: Buffer | null): CacheEntry | undefined {
    return bytes !== null && isCounterValue(bytes) ? counterEntry(bytes) : this.serializer.readStored(key, bytes)?.entry;
  }
}
