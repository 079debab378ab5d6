import { CacheInvalidationUnconfirmedError, CacheService } from '@app/cache';
import { Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key.generator';
import { ApiKeysRepository } from './api-keys.repository';
import type { TenantIdentity } from './tenant-identity';

/** Cache namespace of key lookups (hash → organization); global, since the org is what it finds. */
const NAMESPACE = 'api-keys';
const LOOKUP_TTL_MS = 5 * 60_000;
/**
 * In-process copies of a lookup live at most this long: a revoked key stops working on an
 * instance within it even if nothing could tell that instance (Redis unreachable meanwhile).
 */
const LOOKUP_L1_TTL_MS = 1_000;
/**
 * How long an unknown key's hash is remembered, so that repeating it costs no query. Short, so a
 * key created meanwhile is not refused for long (keys are minted from 32 random bytes: one that
 * was presented before it existed is practically impossible anyway).
 */
export const UNKNOWN_KEY_TTL_MS = 30_000;
/** Unknown hashes remembered at most (about 100 bytes each); the least recently seen go first. */
export const UNKNOWN_KEYS_MAX = 10_000;

/**
 * Hashes of known keys remembered at most. Only the hash is remembered (a pure function of the
 * key), never whom it stands for: every request still looks the key up, so a revoked key is
 * refused within the lookup's bounds whatever this holds.
 */
const MAX_REMEMBERED_HASHES = 10_000;

/** Thrown inside the lookup loader so that unknown keys are never cached. */
class UnknownApiKey extends Error {}

export interface IssuedApiKey {
  keyId: string;
  apiKey: string;
}

/**
 * Issues, resolves and revokes API keys. Lookups go through the cache, so a request costs no
 * query once its key is known; revoking deletes that cache entry in the same request, which
 * the cache broadcasts to every instance's in-process tier, so the key stops working at once
 * everywhere. A malformed key is never looked up, and an unknown one is looked up once per
 * UNKNOWN_KEY_TTL_MS per instance (a bounded in-process negative cache).
 */
@Injectable()
export class ApiKeysService {
  private readonly unknownHashes = new LRUCache<string, true>({ max: UNKNOWN_KEYS_MAX, ttl: UNKNOWN_KEY_TTL_MS });
  /** Presented key → its SHA-256, for keys that resolved (a client presents the same key on every request). */
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly cache: CacheService,
  ) {}

  /**
   * The organization and key id a presented key stands for, or undefined (malformed, unknown or
   * revoked). Queries the database only for a well-formed key neither cached nor recently unknown.
   */
  async resolve(apiKey: string): Promise<TenantIdentity | undefined> {
    if (!isWellFormedApiKey(apiKey)) return undefined;
    const remembered = this.hashes.get(apiKey);
    const hash = remembered ?? hashApiKey(apiKey);
    if (this.unknownHashes.has(hash)) return undefined;
    try {
      const tenant = await this.cache.getOrSet(
        hash,
        async (): Promise<TenantIdentity> => {
          const row = await this.keys.findActiveByHash(hash);
          if (row === null) throw new UnknownApiKey();
          return { orgId: row.orgId, keyId: row.id };
        },
        { namespace: NAMESPACE, ttlMs: LOOKUP_TTL_MS, l1TtlMs: LOOKUP_L1_TTL_MS },
      );
      // Remembered only once known, so random keys cannot fill the map; the oldest goes first.
      if (remembered === undefined) this.rememberHash(apiKey, hash);
      return tenant;
    } catch (error) {
      if (error instanceof UnknownApiKey) {
        this.unknownHashes.set(hash, true);
        return undefined;
      }
      throw error;
    }
  }

  /** What the cache already knows of a key, without any database work: its identity, or undefined. */
  async resolveCached(apiKey: string): Promise<TenantIdentity | undefined> {
    if (!isWellFormedApiKey(apiKey)) return undefined;
    return this.cache.get<TenantIdentity>(this.hashes.get(apiKey) ?? hashApiKey(apiKey), { namespace: NAMESPACE, l1TtlMs: LOOKUP_L1_TTL_MS });
  }

  private rememberHash(apiKey: string, hash: string): void {
    if (this.hashes.size >= MAX_REMEMBERED_HASHES) this.hashes.delete(this.hashes.keys().next().value as string);
    this.hashes.set(apiKey, hash);
  }

  /** A new key for an existing organization; the clear key is returned only here. */
  async issue(orgId: string): Promise<IssuedApiKey> {
    const generated = generateApiKey();
    const row = await this.keys.insert(orgId, generated.prefix, generated.hash);
    this.unknownHashes.delete(generated.hash);
    return { keyId: row.id, apiKey: generated.key };
  }

  /**
   * Revokes a key (idempotent) and drops its cached lookup on every instance before returning:
   * Redis' copy, and every instance's in-process copy (acknowledged, or past the bus' lease).
   * When Redis cannot take the deletion, instances that still reach Redis could keep accepting
   * the key from its copy there: 503, and a retry of the same request finishes the job.
   */
  async revoke(keyId: string): Promise<void> {
    const row = await this.keys.findById(keyId);
    if (row === null) throw new NotFoundException(`No API key with keyId ${keyId}`);
    await this.keys.revoke(keyId);
    try {
      await this.cache.delete(row.keyHash, { namespace: NAMESPACE, confirm: true });
    } catch (error) {
      if (!(error instanceof CacheInvalidationUnconfirmedError)) throw error;
      throw new ServiceUnavailableException(
        `API key ${keyId} is revoked in the database, but the cache could not confirm it on every instance (${error.message}); ` +
          `instances may accept it until their cached lookup expires (in-process copies at most ${LOOKUP_L1_TTL_MS / 1000} s, Redis' copy when Redis is reachable again): retry the DELETE`,
      );
    }
  }
}
