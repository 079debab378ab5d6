import type { Logger } from '@nestjs/common';
import type { InvalidationTarget } from '../stores/cache-store.interface';
import { AppliedSequence } from './applied-sequence';
import type { BusMessage, InvalidationBusHooks } from './invalidation-bus.types';
import type { LogSyncReply } from './invalidation-log';

/** Missed invalidations fetched from the log at most per sync; past it the in-process tier is dropped instead. */
const MAX_CATCH_UP = 1_000;

/** Where a sync reads the log from, taken before its request leaves. */
export interface SyncPosition {
  /** The watermark: every invalidation numbered up to it was applied (-1: none synced yet). */
  applied: number;
  /** The newest invalidation applied, whose entry in the log tells whether history was rewritten. */
  newest: { n: number; id: string } | undefined;
  /** Missed invalidations to fetch at most. */
  catchUp: number;
}

/**
 * The receiving side of the invalidation bus: applies each numbered invalidation once, whether
 * heard live or fetched from the log by a sync, follows the fleet's epoch, and drops the whole
 * in-process tier when a sync shows history this instance can no longer catch up with.
 */
export class BusReceiver {
  private readonly applied = new AppliedSequence();
  private epochValue = 0;

  constructor(
    private readonly instanceId: string,
    private readonly hooks: InvalidationBusHooks,
    private readonly logger: Logger,
  ) {}

  /** Entries created at or before this time (ms since epoch) are stale wherever they are. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Notes that this instance's own message `id`, numbered `n` by the log, needs no applying. */
  published(n: number, id: number): void {
    this.applied.note(n, `${this.instanceId}:${id}`);
  }

  /** What a sync asks the log for. */
  position(): SyncPosition {
    const newest = this.applied.newest;
    // Everything numbered up to `applied` was applied before the request left, so was in Redis
    // when the script ran: a smaller sequence means Redis lost it.
    const applied = this.applied.watermark;
    return { applied, newest, catchUp: applied < 0 ? 0 : MAX_CATCH_UP };
  }

  /** Takes what a sync from `position` read: the epoch, then what was missed, or drops everything when history was lost. */
  synced({ applied, newest }: SyncPosition, { seq, epoch, oldest, checkId, missing }: LogSyncReply): void {
    this.takeEpoch(epoch);
    if (applied < 0) {
      // First sync: nothing cached here yet can predate it.
      if (this.applied.watermark < 0) this.applied.reset(seq);
    } else if (seq < applied) {
      this.dropAll(`Redis lost the invalidation log (sequence ${seq}, applied up to ${applied})`, seq);
    } else if (newest !== undefined && newest.n >= oldest && newest.n <= seq && checkId !== newest.id) {
      this.dropAll(`Redis' invalidation history changed (a failover lost writes?)`, seq);
    } else if (seq > applied) {
      if (seq - applied > MAX_CATCH_UP || oldest > applied + 1) {
        this.dropAll(`missed ${seq - applied} invalidations, more than the log still holds`, seq);
      } else {
        for (const raw of missing) this.applyLogged(raw);
        this.applied.caughtUpTo(seq);
      }
    }
  }

  /** An invalidation another instance published, heard on the channel. */
  received(message: Extract<BusMessage, { k: 'inv' }>): void {
    if (message.e > this.epochValue) this.takeEpoch(message.e);
    if (!this.applied.has(message.n)) this.hooks.apply(message.t);
    this.applied.note(message.n, `${message.o}:${message.i}`);
  }

  /** Follows the fleet's epoch up; a rise after the first sync drops the in-process tier. */
  takeEpoch(epoch: number): void {
    if (!(epoch > this.epochValue)) return;
    const first = this.epochValue === 0 && this.applied.watermark < 0;
    this.epochValue = epoch;
    if (!first) this.hooks.dropAll(`the fleet's epoch rose to ${new Date(epoch).toISOString()}`);
  }

  private applyLogged(raw: string): void {
    const bar = raw.indexOf('|');
    const n = Number(raw.slice(0, bar));
    if (this.applied.has(n)) return;
    const { o, i, t } = JSON.parse(raw.slice(bar + 1)) as { o: string; i: number; t: InvalidationTarget };
    if (o !== this.instanceId) this.hooks.apply(t);
    this.applied.note(n, `${o}:${i}`);
  }

  private dropAll(reason: string, seq: number): void {
    this.logger.warn(`Dropping the in-process tier: ${reason}`);
    this.hooks.dropAll(reason);
    this.applied.reset(seq);
  }
}
