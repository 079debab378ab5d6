import { withTimeout } from '../common/async';
import { invalidationBusKeys, type InvalidationBusKeys } from '../keys/key-layout';
import type { InvalidationTarget } from '../stores/cache-store.interface';
import { APPEND_INVALIDATION, BUMP_EPOCH, SYNC_INVALIDATIONS } from '../stores/redis-scripts';
import type { BusMessage, InvalidationBusOptions } from './invalidation-bus.types';

/** What one sync read from the log: its sequence, the fleet's epoch, what this instance missed, and who synced lately. */
export interface LogSyncReply {
  seq: number;
  epoch: number;
  /** Number of the oldest invalidation the log still holds (Infinity: empty). */
  oldest: number;
  /** Origin id (`instance:message`) of the log's entry at the newest number this instance applied ('' when gone). */
  checkId: string;
  /** The invalidations after the watermark, `n|{...}`. */
  missing: string[];
  /** Instances that synced within the window. */
  synced: string[];
}

/**
 * The invalidation bus' side in Redis: the numbered log of invalidations, the fleet's epoch,
 * the registry of syncing instances (Lua scripts on the `{__bus}` hash tag), and the pub/sub
 * channels. Every call is bounded by the bus' timeout.
 */
export class InvalidationLog {
  readonly keys: InvalidationBusKeys;

  constructor(private readonly options: InvalidationBusOptions) {
    this.keys = invalidationBusKeys(options.prefix);
  }

  /** Numbers an invalidation (origin message `id`) in the log; returns its number. */
  async append(id: number, target: InvalidationTarget): Promise<number> {
    const member = JSON.stringify({ o: this.options.instanceId, i: id, t: target });
    const append = APPEND_INVALIDATION.run(this.options.publisher, [this.keys.seq, this.keys.log], [member, this.options.logSize]);
    return Number(await withTimeout(append, this.options.timeoutMs, 'appending to the invalidation log timed out'));
  }

  /** Raises the fleet's epoch to at least `now` (Redis' clock or ours, whichever is later); returns it. */
  async raiseEpoch(now: number): Promise<number> {
    const bump = BUMP_EPOCH.run(this.options.publisher, [this.keys.epoch], [now]);
    return Number(await withTimeout(bump, this.options.timeoutMs, 'raising the epoch timed out'));
  }

  /**
   * Reads the log after `applied` (at most `catchUp` entries), checks the entry at `newestN`,
   * registers this instance as synced within `windowMs`, and sends a heartbeat alongside.
   */
  async sync(applied: number, catchUp: number, newestN: number, windowMs: number): Promise<LogSyncReply> {
    const [reply] = await withTimeout(
      Promise.all([
        SYNC_INVALIDATIONS.run(
          this.options.publisher,
          [this.keys.seq, this.keys.log, this.keys.epoch, this.keys.instances],
          [Math.max(applied, 0), catchUp, newestN, this.options.instanceId, windowMs],
        ),
        this.send(this.keys.channel, { k: 'hb', o: this.options.instanceId }),
      ]),
      this.options.timeoutMs,
      'syncing with the invalidation log timed out',
    );
    const [seqRaw, epochRaw, oldestRaw, checkMember, missing, synced] = reply as [number, string, string, string, string[], string[]];
    return { seq: Number(seqRaw), epoch: Number(epochRaw), oldest: oldestRaw === '' ? Infinity : Number(oldestRaw), checkId: memberId(checkMember), missing, synced };
  }

  async send(channel: string, message: BusMessage): Promise<void> {
    await this.options.publisher.publish(channel, JSON.stringify(message));
  }
}

function memberId(member: string): string {
  if (member === '') return '';
  try {
    const { o, i } = JSON.parse(member.slice(member.indexOf('|') + 1)) as { o: string; i: number };
    return `${o}:${i}`;
  } catch {
    return '';
  }
}
