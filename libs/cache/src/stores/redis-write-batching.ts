import type { RedisClient } from './redis-connection.factory';

/** Sockets corked until the end of the current tick (see `batchWritesThisTick`). */
const corked = new WeakSet<object>();

/**
 * Holds what `client` writes to its socket until the end of the current tick (process.nextTick:
 * the same turn of the event loop, no added wait), then sends it in one write. Commands issued
 * by the continuations of one batch of replies (under concurrency, one socket read wakes many
 * of them) then cost one system call together instead of one each; a lone command goes out at
 * the end of the tick that issued it. Not ioredis' auto-pipelining, which waits for the next
 * turn (setImmediate) and builds a pipeline per batch. A Cluster client has no single socket and
 * is left alone.
 */
export function batchWritesThisTick(client: RedisClient): void {
  const stream = (client as { stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void; writable?: boolean } }).stream;
  if (stream === undefined || stream.cork === undefined || corked.has(stream) || stream.writable !== true) return;
  stream.cork();
  corked.add(stream);
  process.nextTick(uncorkStream, stream);
}

function uncorkStream(stream: { uncork?(): void }): void {
  corked.delete(stream);
  stream.uncork?.();
}
