// ioredis clients for asserting failures. ioredis 6 retries and queues by default, and reports
// why a connection failed (ECONNREFUSED, NOAUTH, a bad certificate) only as an 'error' event
// while connect() rejects with a bare "Connection is closed.".
import { Redis, type RedisOptions } from 'ioredis';

/** Options for a client that neither retries, nor queues, nor connects until asked. */
export const failFast = {
  lazyConnect: true,
  retryStrategy: () => null,
  maxRetriesPerRequest: 0,
  enableOfflineQueue: false,
} as const satisfies RedisOptions;

/**
 * Connects `client` expecting it to fail, and resolves with the error that says why.
 * Rejects when the connection succeeds. The client is disconnected either way.
 */
export async function connectionError(client: Redis): Promise<Error> {
  let reason: Error | undefined;
  const onError = (error: Error): void => {
    reason ??= error;
  };
  client.on('error', onError);
  try {
    await client.connect();
  } catch (error) {
    reason ??= error instanceof Error ? error : new Error(String(error));
    return reason;
  } finally {
    client.off('error', onError);
    await closeClient(client);
  }
  throw new Error('expected the connection to fail, but it succeeded');
}

/**
 * Disconnects and resolves once the socket has closed. A bare disconnect() leaves ioredis's
 * 2 s "still open" timer running, which Jest reports as an open handle.
 */
export async function closeClient(client: Redis): Promise<void> {
  // Disconnecting an ended client would arm that timer again on its dead socket.
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  client.disconnect();
  await ended;
}
