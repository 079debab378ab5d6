import { describeError } from '@app/cache';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp, logLevelsUpTo } from './app.setup';
import { validateAppConfig } from './config/app-config.validation';
import { appConfig, type AppConfigType } from './config/app.config';
import { seedEmbeddedDatabaseOnFirstStart } from './database/seed/first-start.seed';
import { installShutdownSignals } from './shutdown/graceful-shutdown';

async function bootstrap(): Promise<void> {
  // Checked before Nest starts so that a bad environment stops with one line naming every bad
  // variable, not a stack trace. (Importing AppModule has already loaded .env into process.env.)
  const { logLevel } = validateAppConfig(process.env);
  const app = await createApp({ logger: logLevelsUpTo(logLevel) });
  const config = app.get<AppConfigType>(appConfig.KEY);
  try {
    await app.init(); // listen() would; the seed below needs the modules started (cache, database)
    // The embedded database's first start: demo organizations, with their keys printed.
    const seeded = await seedEmbeddedDatabaseOnFirstStart(app, config);
    if (seeded !== undefined) process.stdout.write(seeded);
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close();
    throw error;
  }
  // SIGTERM: stop accepting, finish requests in flight (up to SHUTDOWN_TIMEOUT_MS), then close
  // the schedules, Redis and the database, and exit 0.
  installShutdownSignals(app, config.shutdownTimeoutMs);
  const { port } = app.getHttpServer().address() as AddressInfo;
  new Logger('Bootstrap').log(
    `Listening on http://${config.host}:${port} (${config.nodeEnv}, pid ${process.pid}); ` +
      'try GET /health/ready, GET /docs and GET /metrics',
  );
}

bootstrap().catch((error: unknown) => {
  // Failures inside NestFactory.create are logged by Nest, which then exits; what arrives here is
  // a bad configuration or a failed listen, both said best in one line.
  new Logger('Bootstrap').error(describeError(error));
  process.exit(1);
});
