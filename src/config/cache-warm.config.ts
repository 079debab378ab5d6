import { validateCronExpression } from 'cron';
import type { EnvReader } from './env-reader';

/** Scheduled cache warming (libs/cache warmer). */
export interface CacheWarmConfig {
  /** Run every warm job once when the app has started (CACHE_WARM_ON_START). */
  onStart: boolean;
  /** Cron expression of the scheduled warm run, or false when CACHE_WARM_CRON=off. */
  cron: string | false;
  /** Warm jobs run at once (CACHE_WARM_CONCURRENCY). */
  concurrency: number;
  /** Past this a warm job is reported failed (CACHE_WARM_JOB_TIMEOUT_MS). */
  jobTimeoutMs: number;
}

export const DEFAULT_CACHE_WARM_CRON = '*/5 * * * *';

/** Reads the CACHE_WARM_* variables; a bad one is a problem on `reader`, like every other variable. */
export function readCacheWarm(reader: EnvReader): CacheWarmConfig {
  const cron = reader.string('CACHE_WARM_CRON', DEFAULT_CACHE_WARM_CRON);
  const off = ['off', 'false', 'none'].includes(cron.toLowerCase());
  if (!off && !validateCronExpression(cron).valid) {
    reader.problem('CACHE_WARM_CRON', 'must be a cron expression (e.g. "*/5 * * * *") or off');
  }
  return {
    onStart: reader.boolean('CACHE_WARM_ON_START', false),
    cron: off ? false : cron,
    concurrency: reader.integer('CACHE_WARM_CONCURRENCY', 4, { min: 1, max: 64 }, 'an integer from 1 to 64'),
    jobTimeoutMs: reader.integer('CACHE_WARM_JOB_TIMEOUT_MS', 30_000, { min: 100 }, 'an integer of at least 100 (milliseconds)'),
  };
}
