import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { JSON_BODY_LIMIT, logLevelsUpTo } from '../../../src/app.setup';
import { validateAppConfig } from '../../../src/config/app-config.validation';
import { BenchAppModule } from './bench-app.module';

/**
 * The bench variant of the API: `createApp()`'s set-up (pipes, body limit, shutdown hooks)
 * applied to BenchAppModule, which adds the bench routes to AppModule. createApp() takes no
 * module, so its six lines are repeated here; keep them in step with src/app.setup.ts.
 * Prints `BENCH_LISTENING <port>` once it serves, for the harness.
 */
async function bootstrap(): Promise<void> {
  const config = validateAppConfig(process.env);
  const app = await NestFactory.create<NestExpressApplication>(BenchAppModule, {
    bodyParser: false,
    logger: logLevelsUpTo(config.logLevel),
  });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  await app.listen(config.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`BENCH_LISTENING ${port}\n`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bench').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
