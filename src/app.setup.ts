import { type LogLevel, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppLogLevel, LOG_LEVELS } from './config/app-config.interface';

/** Largest JSON body accepted; bigger requests get 413 before any controller runs. */
export const JSON_BODY_LIMIT = '100kb';

/** Nest log levels enabled by LOG_LEVEL: the level itself and every more severe one. */
export function logLevelsUpTo(level: AppLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/**
 * Everything main.ts does to the application besides listening; the e2e tests call it too, so
 * they exercise the app as it runs. Create the app with `{ bodyParser: false }`.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  return app;
}
