import { Inject, Injectable, Logger } from '@nestjs/common';
import { CacheService } from '../cache.service';
import { CacheLease } from './cache-lease';
import { CACHE_WARMER_RESOLVED_OPTIONS } from './cache-warm.constants';
import { CacheWarmRegistry } from './cache-warm.registry';
import type { ResolvedCacheWarmerOptions, WarmJobFn, WarmJobReport, WarmTrigger } from './cache-warm.types';
import { describeError, settlesWithin } from '../common/async';

/** A warm request named jobs this instance does not know. */
export class UnknownWarmJobError extends Error {
  constructor(readonly names: readonly string[], readonly known: readonly string[]) {
    super(`Unknown warm job${names.length > 1 ? 's' : ''}: ${names.join(', ')} (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownWarmJobError';
  }
}

const SHUTTING_DOWN = 'the application is shutting down';

/** Extra time a lease outlives its job's timeout before renewal, so a renewal late by a few ms never loses it. */
const LEASE_MARGIN_MS = 5_000;

/**
 * Runs warm jobs: each under a lease named after it (one instance at a time across every
 * instance sharing Redis; the others report `skipped`), at most `concurrency` at once, each
 * bounded by `jobTimeoutMs` (reported `failed`, its signal aborted). The lease is renewed while
 * the job runs and given back when it really ends, so no other instance starts the same work
 * alongside it; if this process dies, the lease lapses after the timeout plus 5 s.
 */
@Injectable()
export class CacheWarmerService {
  private readonly logger = new Logger('CacheWarmer');
  private readonly running = new Set<Promise<unknown>>();
  /** Signals of the jobs running now, aborted when the application stops. */
  private readonly signals = new Set<AbortController>();
  private stopping = false;

  constructor(
    private readonly registry: CacheWarmRegistry,
    private readonly lease: CacheLease,
    private readonly cache: CacheService,
    @Inject(CACHE_WARMER_RESOLVED_OPTIONS) private readonly options: ResolvedCacheWarmerOptions,
  ) {}

  /** Names of the registered jobs. */
  jobNames(): string[] {
    return this.registry.names();
  }

  /** Runs the named jobs (all when none are named) for `org` (every organization when absent). */
  async run(request: { org?: string; jobs?: readonly string[] } = {}, trigger: WarmTrigger = 'manual'): Promise<WarmJobReport[]> {
    const known = this.registry.names();
    const names = request.jobs === undefined || request.jobs.length === 0 ? known : [...new Set(request.jobs)];
    const unknown = names.filter((name) => this.registry.get(name) === undefined);
    if (unknown.length > 0) throw new UnknownWarmJobError(unknown, known);

    const reports: WarmJobReport[] = new Array(names.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const index = next++;
        reports[index] = await this.runJob(names[index], this.registry.get(names[index])!, request.org);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, names.length) }, worker));
    const summary = reports.map((r) => `${r.name}=${r.outcome}(${r.keysWritten} keys, ${r.durationMs} ms)`).join(' ');
    this.logger.log(`Warm run (${trigger}${request.org ? `, org ${request.org}` : ''}): ${summary || 'no jobs'}`);
    return reports;
  }

  /**
   * For shutdown, before the database and Redis close: no job starts from now on (a run in
   * progress reports the rest `skipped`), the running ones see their signal aborted so they
   * stop at their next check, and this waits up to `timeoutMs` for them to end.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const abort of this.signals) abort.abort(new Error('the application is shutting down'));
    await this.drain(timeoutMs);
  }

  /** Waits (bounded) for jobs still running, e.g. past their timeout. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return;
    await settlesWithin(Promise.allSettled([...this.running]), timeoutMs);
  }

  private async runJob(name: string, job: WarmJobFn, org: string | undefined): Promise<WarmJobReport> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    if (!this.cache.enabled) return { name, outcome: 'skipped', durationMs: 0, keysWritten: 0, reason: 'caching is disabled' };
    if (this.stopping) return { name, outcome: 'skipped', durationMs: 0, keysWritten: 0, reason: SHUTTING_DOWN };
    const leaseTtlMs = this.options.jobTimeoutMs + LEASE_MARGIN_MS;
    const held = await this.lease.acquire(`warm:${name}`, leaseTtlMs);
    if (held === undefined) return { name, outcome: 'skipped', durationMs: elapsed(), keysWritten: 0, reason: 'lease held by another instance' };
    if (this.stopping) {
      // stop() came while the lease was being taken.
      await held.release();
      return { name, outcome: 'skipped', durationMs: elapsed(), keysWritten: 0, reason: SHUTTING_DOWN };
    }
    // Renewed while the job runs, also past its timeout: a job that ignores its abort signal
    // must still never run beside the same job on another instance.
    const renewal = setInterval(() => void held.extend(leaseTtlMs), Math.max(1, Math.floor(leaseTtlMs / 3)));
    renewal.unref();

    const abort = new AbortController();
    this.signals.add(abort);
    const execution = Promise.resolve().then(() => job({ org, signal: abort.signal }));
    // The lease is given back when the job really ends, also when that is after its timeout.
    const end = (): Promise<void> => {
      clearInterval(renewal);
      this.signals.delete(abort);
      return held.release();
    };
    const settled = execution.then(end, end);
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));

    try {
      if (!(await settlesWithin(execution, this.options.jobTimeoutMs))) {
        abort.abort(new Error(`warm job ${name} timed out`));
        this.logger.warn(`Warm job ${name} ran past ${this.options.jobTimeoutMs} ms`);
        return { name, outcome: 'failed', durationMs: elapsed(), keysWritten: 0, reason: `timed out after ${this.options.jobTimeoutMs} ms` };
      }
      const result = await execution;
      await settled;
      return { name, outcome: 'ok', durationMs: elapsed(), keysWritten: typeof result === 'number' ? result : 0 };
    } catch (error) {
      await settled;
      const reason = describeError(error);
      this.logger.error(`Warm job ${name} failed: ${reason}`);
      return { name, outcome: 'failed', durationMs: elapsed(), keysWritten: 0, reason };
    }
  }
}
