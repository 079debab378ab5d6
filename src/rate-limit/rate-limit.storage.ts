import { CacheService, describeError } from '@app/cache';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Cache namespace of the counters (`{prefix}:{_global}:rate-limit:<tracker>:<window>`). */
export const RATE_LIMIT_NAMESPACE = 'rate-limit';

/**
 * Fixed-window counters shared by every instance: one atomic INCR (+PEXPIRE on creation, a Lua
 * script in the cache library) per request on the cache's Redis connection. While Redis is
 * unusable the cache's circuit breaker sends the INCR to its in-process tier, so each instance
 * keeps limiting on its own counters, and a request never fails because Redis did.
 *
 * The window is part of the key (`floor(now / ttl)`), so its end, and `RateLimit-Reset`, follow
 * from the clock without a second round trip for the TTL.
 */
export class RateLimitStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RateLimitStorage.name);

  constructor(private readonly cache: CacheService) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const window = Math.floor(now / ttl);
    const timeToExpire = Math.max(1, Math.ceil(((window + 1) * ttl - now) / 1000));
    let totalHits: number;
    try {
      // Outlives its window by a second so a slightly slow clock on another instance still counts into it.
      totalHits = await this.cache.incr(`${key}:${window}`, 1, { namespace: RATE_LIMIT_NAMESPACE, ttlMs: ttl + 1_000 });
    } catch (error) {
      this.logger.warn(`Rate limit counter unavailable, request let through: ${describeError(error)}`);
      return { totalHits: 0, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    }
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
