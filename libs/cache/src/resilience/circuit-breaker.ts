/** Closed: Redis is used. Open: Redis is skipped and the in-process store serves. */
export type CircuitState = 'closed' | 'open';

/**
 * Tells a failing Redis from a slow moment. A failed call falls back for that call only; after
 * `failureThreshold` consecutive failures the breaker asks `confirm` (a probe with a generous
 * timeout that discounts this process' own event-loop delay) and opens only if it says Redis
 * is really unreachable. While open, `recover` is called every `probeIntervalMs` in the
 * background: it probes Redis, replays what the outage missed and calls `close()` at its end,
 * so no request trusts Redis before it is consistent again.
 */
export class CircuitBreaker {
  private failures = 0;
  private current: CircuitState = 'closed';
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private confirming = false;
  private openedAt = 0;
  private stopped = false;

  constructor(
    private readonly options: {
      failureThreshold: number;
      probeIntervalMs: number;
      onOpen: (error: unknown) => void;
      /** Resolves true when Redis answers after all (the failures were this process being busy). */
      confirm: () => Promise<boolean>;
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
    if (this.current !== 'closed' || this.confirming || this.failures < this.options.failureThreshold) return;
    this.confirming = true;
    this.options
      .confirm()
      .catch(() => false)
      .then((answers) => {
        this.confirming = false;
        if (answers) this.failures = 0;
        else this.open(error);
      });
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
