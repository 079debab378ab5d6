import { DEFAULT_ALERT_THRESHOLDS } from '../config/observability.config';
import { buildCacheReport, type CacheReportInput } from './cache-report';

const healthy: CacheReportInput = {
  enabled: true,
  served: 1000,
  hitRatio: 0.9,
  errors: 0,
  p95Ms: 5,
  connectionLost: false,
  redisMemory: { usedMemoryBytes: 10, maxMemoryBytes: 100 },
};
const report = (change: Partial<CacheReportInput>) => buildCacheReport({ ...healthy, ...change });
const levelOf = (change: Partial<CacheReportInput>, metric: string) => report(change).alerts.find((a) => a.metric === metric)?.level;

describe(buildCacheReport.name, () => {
  it('is ok with no alerts when every figure is inside its bounds', () => {
    expect(report({})).toEqual({ status: 'ok', alerts: [], recommendations: [] });
  });

  it.each([
    [0.5, undefined],
    [0.4999, 'warning'],
    [0.3, 'warning'],
    [0.2999, 'critical'],
    [0, 'critical'],
  ])('hit ratio %p: %p', (hitRatio, level) => {
    expect(levelOf({ hitRatio }, 'hitRatio')).toBe(level);
  });

  it('does not judge the hit ratio on too few reads, and says so', () => {
    const sut = report({ hitRatio: 0, served: 49 });
    expect(sut.alerts).toEqual([]);
    expect(sut.recommendations).toEqual([expect.stringContaining('Too few reads')]);
  });

  it.each([
    [100, undefined],
    [100.5, 'warning'],
    [500, 'warning'],
    [501, 'critical'],
  ])('p95 latency %p ms: %p', (p95Ms, level) => {
    expect(levelOf({ p95Ms }, 'latencyP95Ms')).toBe(level);
  });

  it.each([
    [80, undefined],
    [81, 'warning'],
    [95, 'warning'],
    [96, 'critical'],
  ])('Redis memory at %p %% of maxmemory: %p', (used, level) => {
    expect(levelOf({ redisMemory: { usedMemoryBytes: used, maxMemoryBytes: 100 } }, 'redisMemoryRatio')).toBe(level);
  });

  it('recommends a maxmemory when Redis has none, and judges no memory without Redis', () => {
    const noLimit = report({ redisMemory: { usedMemoryBytes: 10 ** 9, maxMemoryBytes: 0 } });
    expect(noLimit.alerts).toEqual([]);
    expect(noLimit.recommendations).toEqual([expect.stringContaining('maxmemory')]);
    expect(report({ redisMemory: null })).toEqual({ status: 'ok', alerts: [], recommendations: [] });
  });

  it('makes a lost connection critical, with the alert fields filled in', () => {
    const sut = report({ connectionLost: true, redisMemory: null });
    expect(sut.status).toBe('critical');
    expect(sut.alerts).toEqual([
      { level: 'critical', metric: 'redisConnection', value: false, threshold: true, message: expect.stringContaining('fallback') },
    ]);
  });

  it('takes the worst level as its status', () => {
    expect(report({ hitRatio: 0.4 }).status).toBe('warning');
    expect(report({ hitRatio: 0.4, p95Ms: 900 }).status).toBe('critical');
    expect(report({ hitRatio: 0.4 }).alerts[0]).toEqual({ level: 'warning', metric: 'hitRatio', value: 0.4, threshold: 0.5, message: 'Hit ratio 40 % is below 50 %' });
  });

  it('warns when caching is disabled', () => {
    expect(levelOf({ enabled: false }, 'cacheEnabled')).toBe('warning');
  });

  it.each([
    [10, undefined], // 1 % of 1 000 reads: at the bound
    [11, 'warning'],
    [50, 'warning'],
    [51, 'critical'],
  ])('%p cache errors in 1 000 reads: %p', (errors, level) => {
    expect(levelOf({ errors }, 'errorRate')).toBe(level);
  });

  it('reports the error rate with its threshold, and judges it only past the minimum of reads', () => {
    expect(report({ errors: 30 }).alerts).toEqual([
      { level: 'warning', metric: 'errorRate', value: 0.03, threshold: 0.01, message: 'Error rate 3 % of reads is above 1 %' },
    ]);
    expect(report({ errors: 30, served: 40 }).alerts).toEqual([]);
  });

  it('uses the thresholds it is given instead of the defaults', () => {
    const strict = {
      ...DEFAULT_ALERT_THRESHOLDS,
      hitRatio: { warning: 0.95, critical: 0.8 },
      latencyP95Ms: { warning: 2, critical: 4 },
      redisMemoryRatio: { warning: 0.05, critical: 0.5 },
      errorRate: { warning: 0, critical: 0.5 },
      minReads: 0,
    };
    const sut = buildCacheReport({ ...healthy, errors: 1, served: 10 }, strict);
    expect(sut.alerts.map((a) => [a.metric, a.level, a.threshold])).toEqual([
      ['hitRatio', 'warning', 0.95],
      ['errorRate', 'warning', 0],
      ['latencyP95Ms', 'critical', 4],
      ['redisMemoryRatio', 'warning', 0.05],
    ]);
    expect(buildCacheReport({ ...healthy, errors: 1, served: 10 }).alerts).toEqual([]);
  });
});
