/** What a warm job is handed: the organization to warm (all when absent) and a signal aborted at its timeout. */
export interface WarmJobContext {
  /** Warm only this organization's entries; every organization when undefined. */
  org?: string;
  /** Aborted when the job runs past its timeout: a long job should stop starting new work. */
  signal: AbortSignal;
}

/** A warm job: computes entries and stores them, returning how many keys it wrote. */
export type WarmJobFn = (context: WarmJobContext) => Promise<number | void>;

/** How one job's run ended: `skipped` when another instance holds its lease (or caching is off). */
export type WarmOutcome = 'ok' | 'failed' | 'skipped';

/** One job's part of a warm run, as `POST /cache/warm` reports it. */
export interface WarmJobReport {
  name: string;
  outcome: WarmOutcome;
  durationMs: number;
  keysWritten: number;
  /** Why it failed or was skipped. */
  reason?: string;
}

/** What started a warm run, for logs. */
export type WarmTrigger = 'start' | 'cron' | 'manual';

/** Options of `CacheWarmerModule.forRoot` / `forRootAsync`. */
export interface CacheWarmerOptions {
  /** Run every job once when the application has started (default false). */
  onStart?: boolean;
  /** Cron expression of the scheduled run (default every 5 minutes); `false` turns it off. */
  cron?: string | false;
  /** Jobs run at once within one warm run (default 4). */
  concurrency?: number;
  /** A job running longer is reported failed and its signal aborted (default 30 s). */
  jobTimeoutMs?: number;
}

/** Every option with its default applied. */
export interface ResolvedCacheWarmerOptions {
  onStart: boolean;
  cron: string | false;
  concurrency: number;
  jobTimeoutMs: number;
}

export const DEFAULT_WARM_CRON = '*/5 * * * *';

export function resolveCacheWarmerOptions(options: CacheWarmerOptions = {}): ResolvedCacheWarmerOptions {
  const resolved: ResolvedCacheWarmerOptions = {
    onStart: options.onStart ?? false,
    cron: options.cron ?? DEFAULT_WARM_CRON,
    concurrency: options.concurrency ?? 4,
    jobTimeoutMs: options.jobTimeoutMs ?? 30_000,
  };
  if (!(Number.isInteger(resolved.concurrency) && resolved.concurrency >= 1)) throw new Error('Invalid cache warmer options: concurrency must be a positive integer');
  if (!(resolved.jobTimeoutMs > 0)) throw new Error('Invalid cache warmer options: jobTimeoutMs must be positive');
  return resolved;
}
