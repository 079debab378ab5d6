import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * How late this process' event loop ran lately. A Redis command that "times out" while the loop
 * was busy may have been answered in time and read late: such a timeout says nothing about Redis.
 */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.histogram.enable();
  }

  /** Runs `work` (one caller at a time) and returns its result with the worst loop delay (ms) seen while it ran. */
  async during<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; maxLagMs: number }> {
    this.histogram.reset();
    const [result] = await Promise.allSettled([work()]);
    return { result, maxLagMs: this.histogram.max / 1e6 };
  }

  stop(): void {
    this.histogram.disable();
  }
}
