import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { CACHE_WARMER_RESOLVED_OPTIONS } from './cache-warm.constants';
import type { ResolvedCacheWarmerOptions, WarmJobReport, WarmTrigger } from './cache-warm.types';
import { CacheWarmerService } from './cache-warmer.service';
import { describeError } from '../common/async';

/** Name of the warm run's cron job in `SchedulerRegistry`. */
export const CACHE_WARM_CRON_JOB = 'cache-warm';

/**
 * Starts warm runs: once when the application has started (`onStart`), and on the cron
 * (registered in `@nestjs/schedule`'s `SchedulerRegistry`). A tick while this instance's
 * previous scheduled run is still going is skipped; across instances the job leases decide.
 */
@Injectable()
export class CacheWarmScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CacheWarmScheduler');
  private current: Promise<WarmJobReport[]> | undefined;
  private cron: CronJob | undefined;
  /** The run started at bootstrap, when `onStart` is set (for tests and diagnostics). */
  startupRun: Promise<WarmJobReport[]> | undefined;

  constructor(
    private readonly warmer: CacheWarmerService,
    private readonly registry: SchedulerRegistry,
    @Inject(CACHE_WARMER_RESOLVED_OPTIONS) private readonly options: ResolvedCacheWarmerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.cron !== false) {
      this.cron = CronJob.from({ cronTime: this.options.cron, onTick: () => void this.runScheduled('cron'), start: true });
      this.registry.addCronJob(CACHE_WARM_CRON_JOB, this.cron);
    }
    // Not awaited: the application serves while its caches fill.
    if (this.options.onStart) this.startupRun = this.runScheduled('start');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.cron !== undefined) {
      await this.cron.stop();
      if (this.registry.doesExist('cron', CACHE_WARM_CRON_JOB)) this.registry.deleteCronJob(CACHE_WARM_CRON_JOB);
    }
    // Jobs still running use the database and Redis, which close after this hook: they are
    // told to stop, no further job starts, and the hook waits (bounded) for them to end.
    await this.warmer.stop(5_000);
  }

  /** Runs every job for every organization unless this instance's previous scheduled run is still going. */
  runScheduled(trigger: Exclude<WarmTrigger, 'manual'>): Promise<WarmJobReport[]> {
    if (this.current !== undefined) {
      this.logger.warn(`Warm run (${trigger}) skipped: the previous one is still running`);
      return Promise.resolve([]);
    }
    const run = this.warmer.run({}, trigger).catch((error: unknown) => {
      this.logger.error(`Warm run (${trigger}) failed: ${describeError(error)}`);
      return [];
    });
    this.current = run;
    void run.finally(() => (this.current = undefined));
    return run;
  }
}
