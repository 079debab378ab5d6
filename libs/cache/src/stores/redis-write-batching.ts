import type { RedisClient } from './redis-connection.factory';

/** Sockets corked until their batch goes out (see `batchWrites`). */
const corked = new WeakSet<object>();

/** What this module reads of an ioredis client: its socket, and the commands sent and not yet answered. */
interface BatchableClient {
  stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void; writable?: boolean };
  commandQueue?: { length: number };
}

/**
 * Holds what `client` writes to its socket and sends it in one write: a system call per batch
 * instead of one per command, which on a busy process is most of what a command costs it.
 *
 * - Replies still outstanding (the process is under concurrent load): the batch goes out at the
 *   end of this turn of the event loop (setImmediate), so the commands of every request the
 *   turn handled (one socket read wakes many) share one write. They wait no longer than the
 *   turn already runs: their replies could not be read before it ends anyway.
 * - Nothing outstanding (a lone or sequential caller): the command is written at once; the
 *   commands that follow it in the same turn find it outstanding and are batched.
 *
 * Not ioredis' auto-pipelining, which builds a pipeline object per batch. A Cluster client has
 * no single socket and is left alone.
 */
export function batchWrites(client: RedisClient): void {
  const { stream, commandQueue } = client as unknown as BatchableClient;
  if ((commandQueue?.length ?? 0) === 0) return;
  if (stream === undefined || stream.cork === undefined || corked.has(stream) || stream.writable !== true) return;
  stream.cork();
  corked.add(stream);
  setImmediate(uncorkStream, stream);
}

function uncorkStream(stream: { uncork?(): void }): void {
  corked.delete(stream);
  stream.uncork?.();
}
