import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startControlServer } from '../control-server';

/**
 * The framework ceiling: a bare Nest 12 app on Express with one route answering a constant,
 * the same JSON body the measured routes serve (read once from BENCH_BARE_BODY_FILE). No
 * guards, no middleware, no pipes, no interceptors, no logs: what any Nest route costs at least.
 */
const BODY: unknown = JSON.parse(readFileSync(process.env.BENCH_BARE_BODY_FILE ?? '', 'utf8'));

@Controller('bare')
class BareController {
  @Get()
  body(): unknown {
    return BODY;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function bootstrap(): Promise<void> {
  await startControlServer();
  const app = await NestFactory.create<NestExpressApplication>(BareModule, { logger: ['error', 'warn'] });
  app.disable('x-powered-by');
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stderr.write(`BENCH_LISTENING ${port}\n`);
}

void bootstrap();
