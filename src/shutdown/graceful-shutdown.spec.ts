import type { NestExpressApplication } from '@nestjs/platform-express';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shutdownGracefully } from './graceful-shutdown';

const quietLogger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };

/** An HTTP server whose /slow requests wait until released, and an app wrapper around it. */
async function fakeApp() {
  const pending: http.ServerResponse[] = [];
  const server: Server = http.createServer((req, res) => {
    if (req.url === '/slow') pending.push(res);
    else res.end('fast');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const closed = jest.fn(async () => undefined);
  const app = { getHttpServer: () => server, close: closed } as unknown as NestExpressApplication;
  return { app, server, pending, closed, port: (server.address() as AddressInfo).port };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: new http.Agent({ keepAlive: true }) }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe(shutdownGracefully.name, () => {
  it('waits for the request in flight, then closes the app', async () => {
    const { app, pending, closed, port } = await fakeApp();
    const inFlight = get(port, '/slow');
    while (pending.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const sut = shutdownGracefully(app, 5_000, quietLogger as never);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).not.toHaveBeenCalled();
    pending[0].end('slow done');

    await expect(inFlight).resolves.toEqual({ status: 200, body: 'slow done' });
    await sut;
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('closes what is still running after the timeout, then closes the app', async () => {
    const { app, pending, closed, port } = await fakeApp();
    const inFlight = get(port, '/slow');
    while (pending.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const started = Date.now();
    await shutdownGracefully(app, 200, quietLogger as never);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(quietLogger.warn).toHaveBeenCalledWith(expect.stringContaining('after 200 ms'));
    await expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('closes idle keep-alive connections at once instead of waiting for their timeout', async () => {
    const { app, port, closed } = await fakeApp();
    await get(port, '/fast');
    const started = Date.now();
    await shutdownGracefully(app, 5_000, quietLogger as never);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(closed).toHaveBeenCalled();
  });
});
