import { SchedulerRegistry } from '@nestjs/schedule';
import { CacheWarmScheduler, CACHE_WARM_CRON_JOB } from './cache-warm.scheduler';
import { resolveCacheWarmerOptions, type CacheWarmerOptions, type WarmJobReport, type WarmTrigger } from './cache-warm.types';
import type { CacheWarmerService } from './cache-warmer.service';

function setup(options: CacheWarmerOptions) {
  const runs: WarmTrigger[] = [];
  const warmer = {
    run: async (_request: object, trigger: WarmTrigger): Promise<WarmJobReport[]> => {
      runs.push(trigger);
      return [];
    },
    stop: async () => undefined,
  } as unknown as CacheWarmerService;
  const registry = new SchedulerRegistry();
  const sut = new CacheWarmScheduler(warmer, registry, resolveCacheWarmerOptions(options));
  return { sut, runs, registry };
}

describe(CacheWarmScheduler.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(new Date('2026-01-05T10:00:30Z'));
  });

  afterEach(() => jest.useRealTimers());

  it('runs on its cron (every 5 minutes by default), registered in the SchedulerRegistry', async () => {
    const { sut, runs, registry } = setup({});
    sut.onApplicationBootstrap();
    expect(registry.getCronJob(CACHE_WARM_CRON_JOB)).toBeDefined();

    await jest.advanceTimersByTimeAsync(4 * 60_000); // 10:04:30
    expect(runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(60_000); // past 10:05:00
    expect(runs).toEqual(['cron']);
    await jest.advanceTimersByTimeAsync(10 * 60_000); // 10:10 and 10:15
    expect(runs).toEqual(['cron', 'cron', 'cron']);

    await sut.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(runs).toHaveLength(3);
    expect(registry.doesExist('cron', CACHE_WARM_CRON_JOB)).toBe(false);
  });

  it('runs once at start when asked, and not on a cron that is off', async () => {
    const { sut, runs, registry } = setup({ onStart: true, cron: false });
    sut.onApplicationBootstrap();
    await sut.startupRun;
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(runs).toEqual(['start']);
    expect(registry.doesExist('cron', CACHE_WARM_CRON_JOB)).toBe(false);
  });

  it('skips a scheduled run while its previous one is still going', async () => {
    const { sut } = setup({ cron: false });
    let release!: () => void;
    const warmer = (sut as unknown as { warmer: { run: () => Promise<WarmJobReport[]> } }).warmer;
    let calls = 0;
    warmer.run = () => {
      calls++;
      return new Promise((resolve) => (release = () => resolve([])));
    };
    const first = sut.runScheduled('cron');
    expect(await sut.runScheduled('cron')).toEqual([]);
    expect(calls).toBe(1);
    release();
    await first;
    void sut.runScheduled('cron');
    expect(calls).toBe(2);
  });
});
