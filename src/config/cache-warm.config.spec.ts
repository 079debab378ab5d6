import { EnvReader } from './env-reader';
import { readCacheWarm } from './cache-warm.config';

describe(readCacheWarm.name, () => {
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    return { sut: readCacheWarm(reader), problems: reader.problems };
  };

  it('defaults to no start-up run, every 5 minutes, 4 at once, 30 s each', () => {
    expect(read({})).toEqual({ sut: { onStart: false, cron: '*/5 * * * *', concurrency: 4, jobTimeoutMs: 30_000 }, problems: [] });
  });

  it('reads every variable, and off turns the schedule off', () => {
    const { sut, problems } = read({ CACHE_WARM_ON_START: 'true', CACHE_WARM_CRON: '0 * * * *', CACHE_WARM_CONCURRENCY: '2', CACHE_WARM_JOB_TIMEOUT_MS: '5000' });
    expect(problems).toEqual([]);
    expect(sut).toEqual({ onStart: true, cron: '0 * * * *', concurrency: 2, jobTimeoutMs: 5000 });
    expect(read({ CACHE_WARM_CRON: 'off' }).sut.cron).toBe(false);
  });

  it('names every bad variable', () => {
    const { problems } = read({ CACHE_WARM_ON_START: 'maybe', CACHE_WARM_CRON: 'every minute', CACHE_WARM_CONCURRENCY: '0', CACHE_WARM_JOB_TIMEOUT_MS: 'x' });
    expect(problems).toEqual([
      expect.stringContaining('CACHE_WARM_CRON'),
      expect.stringContaining('CACHE_WARM_ON_START'),
      expect.stringContaining('CACHE_WARM_CONCURRENCY'),
      expect.stringContaining('CACHE_WARM_JOB_TIMEOUT_MS'),
    ]);
  });
});
