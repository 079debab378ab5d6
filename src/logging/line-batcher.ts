import type { DestinationStream } from 'pino';

/** What the batcher writes to: pino's asynchronous destination (sonic-boom), or a test's fake. */
export interface BatchTarget {
  write(text: string): boolean;
  flushSync(): void;
  flush?(callback: (error?: Error) => void): void;
  /** sonic-boom emits 'drop', within `write`, for text refused because its backlog is full (`maxLength`). */
  on?(event: 'drop', listener: () => void): unknown;
}

/**
 * Bytes the destination may hold unwritten (sonic-boom's `maxLength`). When stdout takes lines
 * slower than they come (a stalled collector, a flood of requests), later batches are dropped
 * and counted instead of growing the process without bound; the count is logged, as a warning
 * line, ahead of the first batch written again.
 */
export const LOG_BACKLOG_MAX_BYTES = 16 * 1024 * 1024;

/** How long a log line may wait to be handed over with the lines that follow it. */
export const LOG_BATCH_INTERVAL_MS = 20;
/** Characters pending that are handed over at once, without waiting for the interval. */
export const LOG_BATCH_MAX_CHARS = 64 * 1024;

/**
 * Collects log lines and hands them to the destination together: every LOG_BATCH_INTERVAL_MS, or
 * at once when LOG_BATCH_MAX_CHARS are pending.
 *
 * Each write to stdout costs a system call, made on libuv's thread pool by the asynchronous
 * destination, and its hand-offs between threads: with a request line per request, at 50
 * connections, that was a tenth of `/health/live`'s CPU (turning request lines off gained as
 * much as batching them does). sonic-boom also appends each line to its pending string and
 * measures that string's UTF-8 length on every write: up to 16 KB flattened and scanned per line.
 * Here a line is pushed to an array; the destination's I/O (asynchronous writes, partial
 * writes, EAGAIN) is unchanged.
 *
 * Memory is bounded: the batch pending here by LOG_BATCH_MAX_CHARS, the destination's backlog
 * by LOG_BACKLOG_MAX_BYTES, past which lines are dropped and counted rather than held.
 *
 * A line reaches stdout at most LOG_BATCH_INTERVAL_MS later, and nothing is lost at exit:
 * `process.exit()` emits 'exit', where what is pending is handed over and written synchronously
 * (pino's own exit hook flushes the destination too; either order writes everything). A process
 * that ends by itself has nothing pending: the timer keeps it alive until the hand-over.
 */
export class LineBatcher implements DestinationStream {
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Lines the destination refused since the last batch it took. */
  private dropped = 0;
  /** Set by the destination's 'drop' event while a batch is handed over. */
  private refused = false;

  constructor(
    private readonly target: BatchTarget,
    private readonly intervalMs = LOG_BATCH_INTERVAL_MS,
  ) {
    target.on?.('drop', () => (this.refused = true));
    const ref = new WeakRef(this);
    live.add(ref);
    forget.register(this, ref);
  }

  write(line: string): boolean {
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= LOG_BATCH_MAX_CHARS) this.handOver();
    else this.timer ??= setTimeout(this.handOverScheduled, this.intervalMs);
    return true;
  }

  /** Hands over what is pending and writes everything the destination holds, synchronously. */
  flushSync(): void {
    this.handOver();
    this.target.flushSync();
  }

  /** pino's `logger.flush(callback)`: hands over what is pending, then the destination's flush. */
  flush(callback: (error?: Error) => void = () => undefined): void {
    this.handOver();
    if (this.target.flush) this.target.flush(callback);
    else callback();
  }

  private readonly handOverScheduled = (): void => {
    this.timer = undefined;
    this.handOver();
  };

  /** At exit: only what is still pending (an ended destination has been flushed by pino already). */
  flushPendingAtExit(): void {
    if (this.pending.length === 0) return;
    try {
      this.flushSync();
    } catch {
      // The destination was closed before these lines came: there is nowhere left to write them.
    }
  }

  private handOver(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.pendingChars = 0;
    const text = lines.length === 1 ? lines[0] : lines.join('');
    this.refused = false;
    this.target.write(this.dropped === 0 ? text : droppedNotice(this.dropped) + text);
    if (this.refused) this.dropped += lines.length;
    else this.dropped = 0;
  }
}

/** The warning line written ahead of the first batch taken after some were dropped (pino's format). */
function droppedNotice(lines: number): string {
  return `${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, msg: `${lines} log lines dropped: stdout did not keep up` })}\n`;
}

/**
 * The batchers to flush at exit, held weakly: apps created and dropped (tests create dozens) must
 * not be kept alive, nor add an 'exit' listener each.
 */
const live = new Set<WeakRef<LineBatcher>>();
const forget = new FinalizationRegistry<WeakRef<LineBatcher>>((ref) => live.delete(ref));
process.once('exit', () => {
  for (const ref of live) ref.deref()?.flushPendingAtExit();
});
