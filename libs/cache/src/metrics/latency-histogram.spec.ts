import { LatencyHistogram } from './latency-histogram';

/** Deterministic PRNG (mulberry32), so each distribution is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The q-th quantile by nearest rank, the definition the histogram approximates. */
function truePercentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1];
}

const distributions: [string, () => number[]][] = [
  ['uniform 1..1000 ms', () => Array.from({ length: 1000 }, (_, i) => i + 1)],
  [
    'log-uniform 0.5 ms..20 s',
    () => {
      const random = seeded(1);
      return Array.from({ length: 5000 }, () => 0.5 * 40_000 ** random());
    },
  ],
  [
    'bimodal: 90 % L1 hits near 2 ms, 10 % loads near 300 ms',
    () => {
      const random = seeded(2);
      return Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? 250 + 100 * random() : 1.5 + random()));
    },
  ],
  [
    'exponential, mean 20 ms',
    () => {
      const random = seeded(3);
      return Array.from({ length: 3000 }, () => 1 - 20 * Math.log(1 - random()));
    },
  ],
];

describe(LatencyHistogram.name, () => {
  let sut: LatencyHistogram;

  beforeEach(() => {
    sut = new LatencyHistogram();
  });

  describe.each(distributions)('%s', (_name, make) => {
    it.each([0.25, 0.5, 0.95, 0.99])('reports p%p within 10 %% of the true value', (q) => {
      const samples = make();
      for (const ms of samples) sut.record(ms);
      const expected = truePercentile(samples, q);
      const reported = sut.percentile(q);
      expect(Math.abs(reported - expected) / expected).toBeLessThanOrEqual(0.1);
    });
  });

  it('reports percentiles in order', () => {
    for (const ms of distributions[3][1]()) sut.record(ms);
    const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => sut.percentile(q));
    expect(p50).toBeLessThan(p95);
    expect(p95).toBeLessThan(p99);
  });

  it('tells a slow tail from the median', () => {
    for (let i = 0; i < 99; i++) sut.record(1);
    sut.record(1_000);
    expect(sut.percentile(0.5)).toBeCloseTo(1, 0);
    expect(sut.percentile(1)).toBeGreaterThan(900);
  });

  it('counts samples', () => {
    sut.record(1);
    sut.record(0);
    expect(sut.count).toBe(2);
  });

  it('reports 0 without samples', () => {
    expect([sut.count, sut.percentile(0.5), sut.percentile(0.99)]).toEqual([0, 0, 0]);
  });

  it('forgets everything on reset', () => {
    for (let i = 1; i <= 100; i++) sut.record(i);
    sut.reset();
    expect([sut.count, sut.percentile(0.5)]).toEqual([0, 0]);
    sut.record(10);
    expect(sut.percentile(0.5)).toBeCloseTo(10, -1);
    expect(sut.count).toBe(1);
  });
});
