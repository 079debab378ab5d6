import { CacheService } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import { generateApiKey, hashApiKey } from './api-key.generator';
import { ApiKeysRepository } from './api-keys.repository';
import type { TenantIdentity } from './tenant-identity';

/** Cache namespace of key lookups (hash → organization); global, since the org is what it finds. */
const NAMESPACE = 'api-keys';
const LOOKUP_TTL_MS = 5 * 60_000;

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
        { namespace: NAMESPACE, ttlMs: LOOKUP_TTL_MS },
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

  /** Revokes a key (idempotent) and drops its cached lookup on every instance before returning. */
  async revoke(keyId: string): Promise<void> {
    const row = await this.keys.findById(keyId);
    if (row === null) throw new NotFoundException(`No API key with keyId ${keyId}`);
    await this.keys.revoke(keyId);
    await this.cache.delete(row.keyHash, { namespace: NAMESPACE });
  }
}
