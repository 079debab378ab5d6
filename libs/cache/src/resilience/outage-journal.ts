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

  get size(): number {
    return this.pending.length;
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
    if (this.overflowed) {
      await apply({ kind: 'all' });
      this.overflowed = false;
      return;
    }
    while (this.pending.length > 0) {
      await apply(this.pending[0]);
      this.pending.shift();
    }
  }
}
