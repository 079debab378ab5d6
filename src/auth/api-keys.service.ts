import { CacheInvalidationUnconfirmedError, CacheService } from '@app/cache';
import { Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { generateApiKey, hashApiKey } from './api-key.generator';
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
 * everywhere.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly cache: CacheService,
  ) {}

  /** The organization and key id a presented key stands for, or undefined (unknown or revoked). */
  async resolve(apiKey: string): Promise<TenantIdentity | undefined> {
    const hash = hashApiKey(apiKey);
    try {
      return await this.cache.getOrSet(
        hash,
        async (): Promise<TenantIdentity> => {
          const row = await this.keys.findActiveByHash(hash);
          if (row === null) throw new UnknownApiKey();
          return { orgId: row.orgId, keyId: row.id };
        },
        { namespace: NAMESPACE, ttlMs: LOOKUP_TTL_MS, l1TtlMs: LOOKUP_L1_TTL_MS },
      );
    } catch (error) {
      if (error instanceof UnknownApiKey) return undefined;
      throw error;
    }
  }

  /** A new key for an existing organization; the clear key is returned only here. */
  async issue(orgId: string): Promise<IssuedApiKey> {
    const generated = generateApiKey();
    const row = await this.keys.insert(orgId, generated.prefix, generated.hash);
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
