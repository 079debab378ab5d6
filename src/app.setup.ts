import { type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { type AppLogLevel, LOG_LEVELS } from './config/app-config.interface';

/** Largest JSON body accepted; bigger requests get 413 before any controller runs. */
export const JSON_BODY_LIMIT = '100kb';

/** Nest log levels enabled by LOG_LEVEL: the level itself and every more severe one. */
export function logLevelsUpTo(level: AppLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
  /** Nest's default (true) logs a failed start and exits the process; tests want the rejection. */
  abortOnError?: boolean;
}

/**
 * Creates the configured application, not yet listening. main.ts and the e2e tests both start
 * the app through here, so the tests run it exactly as it runs in production.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    logger: options.logger,
    abortOnError: options.abortOnError,
  });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  return app;
}
