import { SetMetadata } from '@nestjs/common';
import { CACHE_WARM_JOB_METADATA } from './cache-warm.constants';

/** What `@CacheWarmJob` records. */
export interface CacheWarmJobOptions {
  /** Unique name, used in `POST /cache/warm { jobs }`, in reports and as the lease's name. */
  name: string;
}

/**
 * Marks a provider method as a warm job: the warmer runs it at start (when asked), on its cron
 * and on demand, with `{ org?, signal }`, one instance at a time. It returns the keys it wrote.
 *
 * @example
 * @CacheWarmJob({ name: 'dashboard' })
 * async warmDashboards({ org }: WarmJobContext): Promise<number> { ... }
 */
export const CacheWarmJob = (options: CacheWarmJobOptions): MethodDecorator => SetMetadata(CACHE_WARM_JOB_METADATA, options);
