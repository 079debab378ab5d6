/** Closed: Redis is used. Open: Redis is skipped and the in-process store serves. */
export type CircuitState = 'closed' | 'open';

/**
 * Counts consecutive Redis failures; past the threshold the circuit opens and requests stop
 * paying Redis timeouts. While open, `probe` is called every `probeIntervalMs` in the
 * background: `recover` probes Redis, replays what the outage missed and calls `close()`
 * synchronously at its end, so no request trusts Redis before it is consistent again.
 */
export class CircuitBreaker {
  private failures = 0;
  private current: CircuitState = 'closed';
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private openedAt = 0;
  private stopped = false;

  constructor(
    private readonly options: {
      failureThreshold: number;
      probeIntervalMs: number;
      onOpen: (error: unknown) => void;
      recover: () => Promise<void>;
    },
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current === 'open';
  }

  /** Since when the circuit is open (ms since epoch), 0 when closed. */
  get openSince(): number {
    return this.current === 'open' ? this.openedAt : 0;
  }

  recordSuccess(): void {
    this.failures = 0;
  }

  recordFailure(error: unknown): void {
    this.failures += 1;
    if (this.current === 'closed' && this.failures >= this.options.failureThreshold) this.open(error);
  }

  /** Opens at once, e.g. when Redis is not reachable at start-up. */
  open(error: unknown): void {
    if (this.current === 'open') return;
    this.current = 'open';
    this.openedAt = Date.now();
    this.options.onOpen(error);
    this.schedule();
  }

  /** Closes the circuit: Redis is trusted again. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.current = 'closed';
    this.failures = 0;
  }

  /** Stops probing; the breaker is done. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.probing = false;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tryRecover(), this.options.probeIntervalMs);
    this.timer.unref();
  }

  private async tryRecover(): Promise<void> {
    if (this.probing || this.current !== 'open') return;
    this.probing = true;
    try {
      await this.options.recover();
    } catch {
      // Still unreachable: try again later.
    } finally {
      this.probing = false;
      if (this.current === 'open') this.schedule();
    }
  }
}
