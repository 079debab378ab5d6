// The application started as users start it (createApp, as main.ts does) against the rig's
// database (TEST_DATABASE_URL), with no Redis configured: the in-process cache store.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomInt } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import request from 'supertest';
import { createApp } from '../src/app.setup';
import { ConfigValidationError } from '../src/config/app-config.validation';
import { createTestDatabase, type TestDatabase } from './support/database';
import { databaseKind } from './support/env';

const savedEnv = { ...process.env };
const OPERATOR_TOKEN = 'e2e-operator-token-0123456789';
const operator = ['authorization', `Bearer ${OPERATOR_TOKEN}`] as const;

/** The environment of a user who sets only DATABASE_URL: every cache and Redis setting at its default. */
function useEnv(databaseUrl: string, extra: Record<string, string> = {}): void {
  for (const name of Object.keys(process.env)) {
    if (/^(REDIS_|CACHE_|DATABASE_|ADMIN_TOKEN$|PORT$|HOST$|LOG_LEVEL$)/.test(name)) delete process.env[name];
  }
  // The rig's PGlite serves one connection at a time; a real Postgres takes a small pool.
  const poolSize = databaseKind() === 'pglite' ? '1' : '4';
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: poolSize,
    ADMIN_TOKEN: OPERATOR_TOKEN,
    ...extra,
  });
}

async function startApp(logger: ['error', 'warn'] | false = ['error', 'warn']): Promise<NestExpressApplication> {
  const app = await createApp({ logger, abortOnError: false });
  return app.init();
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  process.env = savedEnv;
  await database?.drop();
});

describe('the application on DATABASE_URL with the in-process cache', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    useEnv(database.url);
    app = await startApp();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is live', async () => {
    const response = await request(app.getHttpServer()).get('/health/live').expect(200);

    // Terminus' shape, as /health/ready answers it, with nothing checked.
    expect(response.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect(response.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
  });

  it('answers 304 by RFC 9110 outside the HTTP cache too, even when the request says Cache-Control: no-cache', async () => {
    const first = await request(app.getHttpServer()).get('/health/live').expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toBeDefined();
    await request(app.getHttpServer()).get('/health/live').set('If-None-Match', etag).set('Cache-Control', 'no-cache').expect(304);
    await request(app.getHttpServer()).get('/health/live').set('If-None-Match', '"other"').expect(200);
  });

  it('is ready while Postgres answers', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200);

    expect(response.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('serves the second read from the cache and a write invalidates it', async () => {
    const server = app.getHttpServer();
    const id = randomInt(1_000_000, 2_000_000_000);

    // Demo writes take the operator token (no route accepts an anonymous write).
    await request(server).put(`/demo/items/${id}`).set(...operator).send({ name: 'first' }).expect(200);
    const first = await request(server).get(`/demo/items/${id}`).expect(200);
    const second = await request(server).get(`/demo/items/${id}`).expect(200);
    const written = await request(server).put(`/demo/items/${id}`).set(...operator).send({ name: 'second' }).expect(200);
    const afterWrite = await request(server).get(`/demo/items/${id}`).expect(200);
    const again = await request(server).get(`/demo/items/${id}`).expect(200);

    expect(first.body).toMatchObject({ source: 'database', item: { id, name: 'first' } });
    expect(second.body).toEqual({ ...first.body, source: 'cache' });
    expect(written.body).toMatchObject({ id, name: 'second' });
    expect(afterWrite.body).toMatchObject({ source: 'database', item: { id, name: 'second' } });
    expect(again.body).toMatchObject({ source: 'cache', item: { id, name: 'second' } });
  });

  it('reads the rows the migration seeded', async () => {
    const response = await request(app.getHttpServer()).get('/demo/items/1').expect(200);

    expect(response.body.item).toMatchObject({ id: 1 });
  });

  it('answers bad input with a 400 naming the field, and an unknown id with 404', async () => {
    const server = app.getHttpServer();

    const badId = await request(server).get('/demo/items/abc').expect(400);
    const extra = await request(server).put('/demo/items/5').set(...operator).send({ name: 'x', admin: true }).expect(400);
    const nul = await request(server).put('/demo/items/5').set(...operator).send({ name: 'a\u0000b' }).expect(400);
    await request(server).put('/demo/items/5').set(...operator).set('content-type', 'application/json').send('{"name":').expect(400);
    await request(server).get('/demo/items/2147483647').expect(404);

    expect(badId.body.message).toContain('id must be an integer number');
    expect(extra.body.message).toEqual(['property admin should not exist']);
    expect(nul.body.message).toEqual(['name must not contain NUL characters']);
  });
});

describe('readiness when Postgres stops answering', () => {
  let app: NestExpressApplication;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await TcpProxy.start(new URL(database.url));
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    useEnv(viaProxy.toString());
    // Quiet: Terminus logs the failed check this test provokes.
    app = await startApp(false);
  });

  afterAll(async () => {
    await proxy?.stop();
    await app?.close();
  });

  it('turns 503 and names the database, while liveness stays 200', async () => {
    await request(app.getHttpServer()).get('/health/ready').expect(200);

    await proxy.stop();
    const response = await request(app.getHttpServer()).get('/health/ready').expect(503);
    await request(app.getHttpServer()).get('/health/live').expect(200);

    expect(response.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
  });
});

describe('start-up with a bad environment', () => {
  it('fails with one message naming every bad variable', async () => {
    useEnv(database.url, { CACHE_DEFAULT_TTL: 'soon', REDIS_URL: 'http://localhost:6379' });

    const start = createApp({ logger: false, abortOnError: false });

    await expect(start).rejects.toThrow(ConfigValidationError);
    await expect(start).rejects.toThrow(
      'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL; ' +
        'CACHE_DEFAULT_TTL must be a positive integer (seconds)',
    );
  });
});

/** Forwards loopback connections to the database until stopped, then refuses them: an outage on demand. */
class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((client) => this.forward(client));
  port = 0;

  private constructor(private readonly target: URL) {}

  static async start(target: URL): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    proxy.port = address.port;
    return proxy;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.sockets.forEach((socket) => socket.destroy());
    await closed;
  }

  private forward(client: Socket): void {
    const upstream = new Socket();
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ]) {
      this.sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        peer.destroy();
      });
    }
    upstream.connect(Number(this.target.port || 5432), this.target.hostname, () => {
      client.pipe(upstream).pipe(client);
    });
  }
}
