import { describeError, settlesWithin } from '@app/cache';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';

/**
 * Stops the application in the order that loses no request:
 * 1. the listening socket closes (new connections are refused); keep-alive connections are
 *    closed as soon as they are idle, so requests in flight finish and nothing new arrives;
 * 2. once they are answered, or after `timeoutMs`, the remaining connections are closed;
 * 3. `app.close()` runs the shutdown hooks: schedules (the cache warmer) stop, Redis and the
 *    database close.
 * Nest's own `enableShutdownHooks` closes Redis and the database before the HTTP server, which
 * would fail the requests in flight: this replaces it.
 */
export async function shutdownGracefully(app: NestExpressApplication, timeoutMs: number, logger = new Logger('Shutdown')): Promise<void> {
  const server = app.getHttpServer() as Server;
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  // close() closes idle connections once; a connection whose request finishes later turns idle
  // then and would otherwise hold the server open for its keep-alive timeout.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  logger.log(`No longer accepting connections; waiting up to ${timeoutMs} ms for requests in flight`);
  const drainedInTime = await settlesWithin(drained, timeoutMs);
  clearInterval(sweep);
  if (!drainedInTime) {
    logger.warn(`Requests still running after ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS); closing their connections`);
    server.closeAllConnections();
  }
  await app.close();
}

/**
 * SIGTERM (Kubernetes, docker stop) and SIGINT (Ctrl-C) start the graceful shutdown once; the
 * process exits 0 when it completed, 1 when a step failed.
 */
export function installShutdownSignals(app: NestExpressApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.log(`${signal} received: shutting down`);
    shutdownGracefully(app, timeoutMs, logger).then(
      () => {
        logger.log('Shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${describeError(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
