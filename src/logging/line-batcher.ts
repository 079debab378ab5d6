import type { DestinationStream } from 'pino';

/** What the batcher writes to: pino's asynchronous destination (sonic-boom), or a test's fake. */
export interface BatchTarget {
  write(text: string): boolean;
  flushSync(): void;
  flush?(callback: (error?: Error) => void): void;
}

/**
 * Hands the log lines written during one turn of the event loop to the destination as one string,
 * at the end of the turn (setImmediate).
 *
 * sonic-boom appends each line to the string it has pending and measures that string's UTF-8
 * length on every write: a busy process (one request line per request, up to 16 KB pending)
 * made it flatten and scan kilobytes per line. Here each line is pushed to an array; the
 * destination sees one write per turn, and its I/O (asynchronous writes, partial writes, EAGAIN)
 * is unchanged.
 *
 * Nothing is lost at exit: `process.exit()` right after a line emits 'exit' before the turn ends,
 * and there what is pending is handed over and written synchronously (after pino's own exit
 * flush of the destination, which ran first). A process that ends by itself has nothing pending:
 * the scheduled hand-over keeps it alive until then.
 */
export class LineBatcher implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly target: BatchTarget) {
    const ref = new WeakRef(this);
    live.add(ref);
    forget.register(this, ref);
  }

  write(line: string): boolean {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.handOverScheduled);
    }
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
    this.scheduled = false;
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
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.target.write(lines.length === 1 ? lines[0] : lines.join(''));
  }
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
