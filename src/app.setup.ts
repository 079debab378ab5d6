import { useRfcFreshness } from '@app/cache';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { type AppLogLevel, LOG_LEVELS } from './config/app-config.interface';
import { appConfig, type AppConfigType } from './config/app.config';
import { setupSwagger } from './docs/swagger.setup';
import { verifyJsonDepth } from './common/http/json-depth';
import { AppValidationPipe } from './common/validation';
import { AppLogger, createRootLogger, pinoLevelFor } from './logging/app-logger';
import { requestLogging } from './logging/request-logging';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';

/** Largest JSON body accepted; bigger requests get 413 before any controller runs. */
export const JSON_BODY_LIMIT = '100kb';

/** Nest log levels enabled by LOG_LEVEL: the level itself and every more severe one. */
export function logLevelsUpTo(level: AppLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

export interface CreateAppOptions {
  /** Levels written (JSON lines through pino); `false` writes nothing. */
  logger?: LogLevel[] | false;
  /** Where log lines go; stdout by default. Tests pass a stream to read them. */
  logDestination?: DestinationStream;
  /** Nest's default (true) logs a failed start and exits the process; tests want the rejection. */
  abortOnError?: boolean;
  /** The root module; `AppModule.forEnvironment()` by default (the bench adds its routes to it). */
  module?: unknown;
}

/**
 * Creates the configured application, not yet listening. main.ts and the e2e tests both start
 * the app through here, so the tests run it exactly as it runs in production. Signals are not
 * handled here: main.ts installs the graceful shutdown (src/shutdown).
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const rootLogger = createRootLogger(pinoLevelFor(options.logger), options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(options.module ?? AppModule.forEnvironment(), {
    bodyParser: false,
    logger: new AppLogger(rootLogger),
    abortOnError: options.abortOnError,
  });
  const config = app.get<AppConfigType>(appConfig.KEY);
  app.disable('x-powered-by');
  // Behind a load balancer, req.ip (per-address rate limits, logs) comes from X-Forwarded-For
  // only when TRUST_PROXY names it; otherwise a client could choose its own address.
  app.set('trust proxy', config.trustProxy);
  // First, so every answer (also 404s, 413s and 429s) carries X-Request-Id and is logged.
  app.use(requestLogging(rootLogger, config.logging));
  // Then the HTTP counters, also for every answer (404s, 413s, 429s included).
  const httpMetrics = app.get(HttpMetricsMiddleware);
  app.use(httpMetrics.use.bind(httpMetrics));
  // 304 by RFC 9110 on every answer that carries an ETag (Express adds one to JSON bodies):
  // Express's own req.fresh sends the body whenever the request says Cache-Control: no-cache.
  // Defined once on this app's request prototype, so no request pays for it.
  useRfcFreshness((app.getHttpAdapter().getInstance() as { request: object }).request);
  // Nesting is bounded before parsing (MAX_JSON_DEPTH): deep bodies are a 400, not a stack overflow later.
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT, verify: verifyJsonDepth });
  app.useGlobalPipes(new AppValidationPipe());
  setupSwagger(app);
  return app;
}
