import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { JSON_BODY_LIMIT, logLevelsUpTo } from '../../../src/app.setup';
import { appConfig, type AppConfigType } from '../../../src/config/app.config';
import { validateAppConfig } from '../../../src/config/app-config.validation';
import { AppValidationPipe } from '../../../src/common/validation';
import { setupSwagger } from '../../../src/docs/swagger.setup';
import { AppLogger, createRootLogger, pinoLevelFor } from '../../../src/logging/app-logger';
import { requestLogging } from '../../../src/logging/request-logging';
import { HttpMetricsMiddleware } from '../../../src/metrics/http-metrics.middleware';
import { installShutdownSignals } from '../../../src/shutdown/graceful-shutdown';
import { BenchAppModule } from './bench-app.module';
import { startControlServer } from './control-server';

/**
 * The bench variant of the API: src/app.setup.ts's createApp() and src/main.ts's start applied
 * to BenchAppModule, which adds the bench routes to AppModule. createApp() takes no module, so
 * its steps (logger, request-logging middleware, body limit, pipes, docs) are repeated here:
 * keep them in step with src/app.setup.ts, or the bench measures another middleware stack.
 * Prints `BENCH_LISTENING <port>` on stderr once it serves, for the harness (stdout carries the
 * request logs, which the harness sends to a file as a deployment sends them to its collector).
 */
async function bootstrap(): Promise<void> {
  await startControlServer();
  const rootLogger = createRootLogger(pinoLevelFor(logLevelsUpTo(validateAppConfig(process.env).logLevel)));
  const app = await NestFactory.create<NestExpressApplication>(BenchAppModule, { bodyParser: false, logger: new AppLogger(rootLogger) });
  const config = app.get<AppConfigType>(appConfig.KEY);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogging(rootLogger, config.logging.requests));
  const httpMetrics = app.get(HttpMetricsMiddleware);
  app.use(httpMetrics.use.bind(httpMetrics));
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalPipes(new AppValidationPipe());
  setupSwagger(app);
  await app.listen(config.port, '127.0.0.1');
  installShutdownSignals(app, config.shutdownTimeoutMs);
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stderr.write(`BENCH_LISTENING ${port}\n`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bench').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
