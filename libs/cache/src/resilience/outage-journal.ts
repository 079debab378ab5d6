import type { InvalidationTarget } from '../stores/cache-store.interface';

/**
 * Invalidations this instance could not send to Redis while it was unreachable. They are
 * replayed before Redis is trusted again; otherwise Redis would still hold entries that a
 * write during the outage made stale. Past its bound it asks for a full flush instead.
 */
export class OutageJournal {
  private readonly pending: InvalidationTarget[] = [];
  private overflowed = false;

  constructor(private readonly capacity: number) {}

  /** Invalidations waiting for replay; an owed full flush counts as one. */
  get size(): number {
    return this.pending.length + (this.overflowed ? 1 : 0);
  }

  /** Whether `target` (this very object) waits for replay already. */
  includes(target: InvalidationTarget): boolean {
    return this.overflowed || this.pending.includes(target);
  }

  record(target: InvalidationTarget): void {
    if (this.overflowed) return;
    if (this.pending.length >= this.capacity) {
      this.overflowed = true;
      this.pending.length = 0;
      return;
    }
    this.pending.push(target);
  }

  /** Replays what was recorded, in order; keeps what failed for the next attempt. */
  async replay(apply: (target: InvalidationTarget) => Promise<unknown>): Promise<void> {
    // Invalidations keep arriving while a step is awaited: the journal can overflow mid-replay,
    // and what is recorded during the flush may concern keys it has already passed.
    for (;;) {
      if (this.overflowed) {
        this.overflowed = false;
        try {
          await apply({ kind: 'all' });
        } catch (error) {
          this.overflowed = true;
          this.pending.length = 0;
          throw error;
        }
      } else if (this.pending.length > 0) {
        const target = this.pending[0];
        await apply(target);
        if (this.pending[0] === target) this.pending.shift();
      } else return;
    }
  }
}
