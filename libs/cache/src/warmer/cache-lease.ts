import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CACHE_TIERED_STORE } from '../cache.constants';
import { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { TieredCacheStore } from '../stores/tiered.store';
import { describeError } from '../common/async';

/** A lease held by this instance; `release` gives it back (once, and only if still ours). */
export interface HeldLease {
  readonly name: string;
  /** `redis`: every instance sharing the Redis is excluded; `local`: only this process. */
  readonly scope: 'redis' | 'local';
  /** Pushes the expiry to `ttlMs` from now; false when the lease was lost (it lapsed and another took it). */
  extend(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * A named lease that one holder at a time gets, for work only one instance should do (a warm
 * run). On Redis: `SET key token NX PX ttl`, released by a script that deletes the key only
 * while it still holds our token, so a holder whose lease ran out never frees a successor's.
 * The TTL bounds how long a crashed holder blocks the others; a live holder renews it
 * (`extend`) for as long as its work runs. Without a usable Redis (the
 * in-process store, or the circuit open) the lease is an in-process lock: instances are then
 * not excluded from each other, which is acceptable for work whose writes stay local anyway.
 */
@Injectable()
export class CacheLease {
  private readonly logger = new Logger('CacheLease');
  private readonly local = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    @Inject(CACHE_TIERED_STORE) private readonly store: TieredCacheStore,
    private readonly keys: CacheKeyBuilder,
  ) {}

  /** Takes the lease `name` for `ttlMs`, or returns undefined when another holder has it. */
  async acquire(name: string, ttlMs: number): Promise<HeldLease | undefined> {
    const token = randomUUID();
    const remote = this.store.remote;
    if (remote !== undefined && !this.store.fallbackActive) {
      const key = this.key(name);
      try {
        if (!(await remote.acquireLease(key, token, ttlMs))) return undefined;
        return {
          name,
          scope: 'redis',
          extend: (ttl) => remote.extendLease(key, token, ttl).catch(() => false),
          // A release Redis refuses (down, timed out) lets the lease lapse at its TTL instead;
          // it must not fail the job it ends, nor reject unawaited in the warmer.
          release: once(() =>
            remote.releaseLease(key, token).then(
              () => undefined,
              (error: unknown) => this.logger.warn(`Lease ${name} not released (${describeError(error)}): it lapses in ${ttlMs} ms`),
            ),
          ),
        };
      } catch (error) {
        this.logger.warn(`Redis lease ${name} unavailable (${describeError(error)}): using an in-process lock`);
      }
    }
    return this.acquireLocal(name, token, ttlMs);
  }

  /** The lease's Redis key: internal (`__`), so scans and key listings never show it. */
  key(name: string): string {
    return this.keys.lease(name);
  }

  private acquireLocal(name: string, token: string, ttlMs: number): HeldLease | undefined {
    const held = this.local.get(name);
    if (held !== undefined && held.expiresAt > Date.now()) return undefined;
    this.local.set(name, { token, expiresAt: Date.now() + ttlMs });
    return {
      name,
      scope: 'local',
      extend: async (ttl) => {
        const current = this.local.get(name);
        if (current?.token !== token) return false;
        current.expiresAt = Date.now() + ttl;
        return true;
      },
      release: once(async () => {
        if (this.local.get(name)?.token === token) this.local.delete(name);
      }),
    };
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn().catch(() => undefined));
}
