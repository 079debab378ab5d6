import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp, logLevelsUpTo } from '../../../src/app.setup';
import { appConfig, type AppConfigType } from '../../../src/config/app.config';
import { validateAppConfig } from '../../../src/config/app-config.validation';
import { installShutdownSignals } from '../../../src/shutdown/graceful-shutdown';
import { BenchAppModule } from './bench-app.module';
import { startControlServer } from './control-server';

/**
 * The bench variant of the API: src/app.setup.ts's createApp() (the same logger, middleware,
 * body limit, pipes and docs) on BenchAppModule, which adds the bench routes to AppModule, and
 * src/main.ts's start. Prints `BENCH_LISTENING <port>` on stderr once it serves, for the harness
 * (stdout carries the request logs, which the harness sends to a file as a deployment sends
 * them to its collector).
 */
async function bootstrap(): Promise<void> {
  await startControlServer();
  const app = await createApp({ module: BenchAppModule, logger: logLevelsUpTo(validateAppConfig(process.env).logLevel) });
  const config = app.get<AppConfigType>(appConfig.KEY);
  await app.listen(config.port, '127.0.0.1');
  installShutdownSignals(app, config.shutdownTimeoutMs);
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stderr.write(`BENCH_LISTENING ${port}\n`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bench').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
