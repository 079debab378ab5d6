import type { CacheService } from '../cache.service';
import type { CacheLease, HeldLease } from './cache-lease';
import { CacheWarmRegistry } from './cache-warm.registry';
import { resolveCacheWarmerOptions, type WarmJobContext } from './cache-warm.types';
import { CacheWarmerService, UnknownWarmJobError } from './cache-warmer.service';

/** An in-memory lease: names held until released, as the Redis one behaves. */
class FakeLease {
  readonly held = new Set<string>();
  readonly released: string[] = [];
  readonly extended: string[] = [];

  async acquire(name: string): Promise<HeldLease | undefined> {
    if (this.held.has(name)) return undefined;
    this.held.add(name);
    return {
      name,
      scope: 'local',
      extend: async () => {
        this.extended.push(name);
        return true;
      },
      release: async () => {
        this.held.delete(name);
        this.released.push(name);
      },
    };
  }
}

function setup(options: { concurrency?: number; jobTimeoutMs?: number; enabled?: boolean } = {}) {
  const registry = new CacheWarmRegistry();
  const lease = new FakeLease();
  const cache = { enabled: options.enabled ?? true } as CacheService;
  const sut = new CacheWarmerService(registry, lease as unknown as CacheLease, cache, resolveCacheWarmerOptions(options));
  return { sut, registry, lease };
}

describe(CacheWarmerService.name, () => {
  afterEach(() => jest.useRealTimers());

  it('runs every job with the org and reports outcome, keys written and duration', async () => {
    const { sut, registry, lease } = setup();
    const seen: (string | undefined)[] = [];
    registry.register('a', async ({ org }) => {
      seen.push(org);
      return 3;
    });
    registry.register('b', async () => {
      throw new Error('database down');
    });

    const reports = await sut.run({ org: 'o1' });

    expect(seen).toEqual(['o1']);
    expect(reports).toEqual([
      { name: 'a', outcome: 'ok', durationMs: expect.any(Number), keysWritten: 3 },
      { name: 'b', outcome: 'failed', durationMs: expect.any(Number), keysWritten: 0, reason: 'database down' },
    ]);
    expect(lease.released.sort()).toEqual(['warm:a', 'warm:b']);
  });

  it('runs only the jobs named, and refuses unknown names before running any', async () => {
    const { sut, registry } = setup();
    const ran: string[] = [];
    for (const name of ['a', 'b']) registry.register(name, async () => void ran.push(name));

    expect((await sut.run({ jobs: ['b'] })).map((r) => r.name)).toEqual(['b']);
    await expect(sut.run({ jobs: ['a', 'nope'] })).rejects.toThrow(UnknownWarmJobError);
    expect(ran).toEqual(['b']);
  });

  it('skips a job whose lease another holder has', async () => {
    const { sut, registry, lease } = setup();
    let ran = false;
    registry.register('a', async () => void (ran = true));
    lease.held.add('warm:a');

    expect(await sut.run()).toEqual([{ name: 'a', outcome: 'skipped', durationMs: expect.any(Number), keysWritten: 0, reason: 'lease held by another instance' }]);
    expect(ran).toBe(false);
  });

  it('never runs more jobs at once than its concurrency', async () => {
    const { sut, registry } = setup({ concurrency: 2 });
    let active = 0;
    let peak = 0;
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      registry.register(name, async () => {
        peak = Math.max(peak, ++active);
        await new Promise((resolve) => setImmediate(resolve));
        active--;
        return 1;
      });
    }

    const reports = await sut.run();

    expect(peak).toBe(2);
    expect(reports.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('reports a job past its timeout as failed, aborts its signal, and keeps its lease until it really ends', async () => {
    jest.useFakeTimers();
    const { sut, registry, lease } = setup({ jobTimeoutMs: 1_000 });
    let finish!: () => void;
    let signal!: AbortSignal;
    registry.register('slow', (context: WarmJobContext) => {
      signal = context.signal;
      return new Promise<number>((resolve) => (finish = () => resolve(1)));
    });

    const run = sut.run();
    await jest.advanceTimersByTimeAsync(1_000);
    const [report] = await run;

    expect(report).toMatchObject({ name: 'slow', outcome: 'failed', reason: 'timed out after 1000 ms' });
    expect(signal.aborted).toBe(true);
    expect(lease.held.has('warm:slow')).toBe(true);
    const renewals = lease.extended.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(lease.extended.length).toBeGreaterThan(renewals); // still renewed while it runs
    finish();
    await sut.drain(100);
    expect(lease.held.has('warm:slow')).toBe(false);
  });

  it('on stop, aborts the running job, starts no other and waits for the running one to end', async () => {
    const { sut, registry, lease } = setup({ concurrency: 1 });
    const ran: string[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    registry.register('a', ({ signal }) => {
      ran.push('a');
      started();
      // A job's loop over organizations: it ends at its first check after the abort.
      return new Promise<number>((resolve) => signal.addEventListener('abort', () => setTimeout(() => resolve(1), 20)));
    });
    registry.register('b', async () => void ran.push('b'));

    const run = sut.run();
    await running;
    let stopped = false;
    const stop = sut.stop(5_000).then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(stopped).toBe(false); // the aborted job is still finishing
    await stop;

    expect(lease.held.size).toBe(0);
    const reports = await run;
    expect(reports.map((r) => [r.name, r.outcome, r.reason])).toEqual([
      ['a', 'ok', undefined],
      ['b', 'skipped', 'the application is shutting down'],
    ]);
    expect(ran).toEqual(['a']);
    expect(await sut.run()).toEqual([
      { name: 'a', outcome: 'skipped', durationMs: 0, keysWritten: 0, reason: 'the application is shutting down' },
      { name: 'b', outcome: 'skipped', durationMs: 0, keysWritten: 0, reason: 'the application is shutting down' },
    ]);
  });

  it('skips everything while caching is disabled', async () => {
    const { sut, registry } = setup({ enabled: false });
    registry.register('a', async () => 1);
    expect(await sut.run()).toEqual([{ name: 'a', outcome: 'skipped', durationMs: 0, keysWritten: 0, reason: 'caching is disabled' }]);
  });
});
