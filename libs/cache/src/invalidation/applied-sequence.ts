/** Sequence numbers heard ahead of a gap, remembered at most. */
const MAX_AHEAD = 10_000;

/**
 * Which numbered invalidations of the fleet's log this instance has applied: everything up to
 * the watermark, plus numbers heard ahead of a gap (a message lost, a later one heard). The
 * newest one applied is remembered to tell when Redis' history was rewritten.
 */
export class AppliedSequence {
  /** Every invalidation numbered up to this one has been applied here (-1: none synced yet). */
  private mark = -1;
  /** Numbers above the watermark applied already (heard ahead of a gap). */
  private readonly ahead = new Set<number>();
  /** The newest invalidation applied here, to tell when Redis' history was rewritten (a failover that lost writes). */
  private newestApplied: { n: number; id: string } | undefined;

  get watermark(): number {
    return this.mark;
  }

  get newest(): { n: number; id: string } | undefined {
    return this.newestApplied;
  }

  /** Whether invalidation `n` was applied here already. */
  has(n: number): boolean {
    return n <= this.mark || this.ahead.has(n);
  }

  /** Notes that invalidation `n` (origin message `id`) was applied. */
  note(n: number, id: string): void {
    if (this.newestApplied === undefined || n >= this.newestApplied.n) this.newestApplied = { n, id };
    if (this.mark < 0 || n <= this.mark) return;
    if (n === this.mark + 1) {
      this.mark = n;
      while (this.ahead.delete(this.mark + 1)) this.mark += 1;
    } else if (this.ahead.size < MAX_AHEAD) {
      this.ahead.add(n);
    }
  }

  /** Everything up to `seq` was applied (a sync fetched what was missing). */
  caughtUpTo(seq: number): void {
    if (seq > this.mark) this.mark = seq;
    while (this.ahead.delete(this.mark + 1)) this.mark += 1;
    for (const n of this.ahead) if (n <= this.mark) this.ahead.delete(n);
  }

  /** Starts over at `seq` (first sync, or history lost and the in-process tier dropped). */
  reset(seq: number): void {
    this.mark = seq;
    this.ahead.clear();
    this.newestApplied = undefined;
  }
}
