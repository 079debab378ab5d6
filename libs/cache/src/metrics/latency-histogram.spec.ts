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

  describe('merged across instances (the fleet view)', () => {
    /** Three instances with different loads: a fast one, a slow one, a mixed small one. */
    const instances = (): number[][] => {
      const random = seeded(7);
      return [
        Array.from({ length: 4000 }, () => 0.5 + 2 * random()),
        Array.from({ length: 600 }, () => 150 + 400 * random()),
        Array.from({ length: 250 }, (_, i) => (i % 5 === 0 ? 80 + 40 * random() : 3 + 5 * random())),
      ];
    };

    it.each([0.5, 0.9, 0.95, 0.99])('p%p of the merged histograms is the p of all samples together, within 10 %%', (q) => {
      const parts = instances();
      const merged = new LatencyHistogram();
      for (const samples of parts) {
        const one = new LatencyHistogram();
        for (const ms of samples) one.record(ms);
        // As the fleet does it: each instance publishes its sparse buckets, the reader adds them up.
        merged.mergeSparse(JSON.parse(JSON.stringify(one.toSparse())));
      }
      const all = parts.flat();
      const whole = new LatencyHistogram();
      for (const ms of all) whole.record(ms);

      expect(merged.count).toBe(all.length);
      expect(merged.percentile(q)).toBe(whole.percentile(q)); // bucket-exact: merging loses nothing
      const expected = truePercentile(all, q);
      expect(Math.abs(merged.percentile(q) - expected) / expected).toBeLessThanOrEqual(0.1);
    });

    it('differs from the average of per-instance percentiles, which would be wrong', () => {
      const parts = instances();
      const each = parts.map((samples) => {
        const one = new LatencyHistogram();
        for (const ms of samples) one.record(ms);
        return one;
      });
      const merged = each.reduce((sum, one) => sum.merge(one), new LatencyHistogram());
      const averaged = each.reduce((sum, one) => sum + one.percentile(0.95), 0) / each.length;
      const expected = truePercentile(parts.flat(), 0.95);
      expect(Math.abs(merged.percentile(0.95) - expected) / expected).toBeLessThanOrEqual(0.1);
      expect(Math.abs(averaged - expected) / expected).toBeGreaterThan(0.3);
    });

    it('skips malformed published buckets instead of counting them', () => {
      sut.mergeSparse([3, 2, -1, 5, 900, 1, 4, 1.5, 5, -2, 6]);
      expect(sut.count).toBe(2);
      sut.mergeSparse('not a histogram');
      sut.mergeSparse(null);
      expect(sut.count).toBe(2);
    });
  });
});
