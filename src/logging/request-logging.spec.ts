import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AppLogger, createRootLogger, pinoLevelFor } from './app-logger';
import { requestLogging } from './request-logging';

class Lines extends Writable {
  readonly records: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line !== '') this.records.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}

async function serve(handler: http.RequestListener): Promise<{ server: Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe(requestLogging.name, () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('tags lines written while serving a request, through Nest loggers too, with its id, and redacts credentials', async () => {
    const lines = new Lines();
    const root = createRootLogger('info', lines);
    const appLogger = new AppLogger(root);
    const middleware = requestLogging(root, { requests: true, headers: true });
    const sut = await serve((req, res) =>
      middleware(req, res, () => {
        // What a service's `new Logger(Context)` does once Nest's logger is AppLogger.
        appLogger.log('loading the user', 'UsersService');
        res.end('ok');
      }),
    );
    server = sut.server;

    const response = await fetch(`${sut.url}/api/v1/users?search=secret-term`, {
      headers: { 'x-request-id': 'req-42', authorization: 'Bearer sk_live_secret', cookie: 'sid=abc' },
    });
    expect(response.headers.get('x-request-id')).toBe('req-42');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines.records).toContainEqual(expect.objectContaining({ msg: 'loading the user', context: 'UsersService', reqId: 'req-42' }));
    const completed = lines.records.find((r) => r.msg === 'request completed');
    expect(completed).toMatchObject({ req: { id: 'req-42', path: '/api/v1/users', headers: { authorization: '[redacted]', cookie: '[redacted]' } } });
    expect(JSON.stringify(lines.records)).not.toMatch(/sk_live_secret|sid=abc|secret-term/);
  });

  it('hides x-api-key and a cookie the response sets, and keeps the lines one JSON object each', async () => {
    const lines = new Lines();
    const middleware = requestLogging(createRootLogger('info', lines), { requests: true, headers: true });
    const sut = await serve((req, res) =>
      middleware(req, res, () => {
        res.setHeader('Set-Cookie', 'session=server-secret');
        res.end('ok');
      }),
    );
    server = sut.server;
    await fetch(`${sut.url}/a`, { headers: { 'x-api-key': 'ck_header_secret' } });
    await fetch(`${sut.url}/b`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.records).toHaveLength(2);
    expect(lines.records[0]).toMatchObject({ level: 30, msg: 'request completed', req: { path: '/a', headers: { 'x-api-key': '[redacted]' } }, res: { statusCode: 200, headers: { 'set-cookie': '[redacted]' } } });
    expect(lines.records[0]).toEqual(expect.objectContaining({ reqId: (lines.records[0].req as { id: string }).id, pid: process.pid, time: expect.any(Number), responseTime: expect.any(Number) }));
    expect(JSON.stringify(lines.records)).not.toMatch(/ck_header_secret|server-secret/);
  });

  it.each([false, true])('says so when the client left before the answer (header sets: %s)', async (headers) => {
    const lines = new Lines();
    const middleware = requestLogging(createRootLogger('info', lines), { requests: true, headers });
    let left!: () => void;
    const gone = new Promise<void>((resolve) => (left = resolve));
    const sut = await serve((req, res) =>
      middleware(req, res, () => {
        res.once('close', () => left());
      }),
    );
    server = sut.server;
    const controller = new AbortController();
    const pending = fetch(`${sut.url}/slow`, { signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await pending;
    await gone;
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.records).toEqual([expect.objectContaining({ level: 30, msg: 'request aborted', req: expect.objectContaining({ path: '/slow' }) })]);
    server.closeAllConnections();
  });

  it.each([false, true])('logs a 5xx answer at error level without a made-up stack (header sets: %s)', async (headers) => {
    const lines = new Lines();
    const middleware = requestLogging(createRootLogger('info', lines), { requests: true, headers });
    const sut = await serve((req, res) =>
      middleware(req, res, () => {
        res.statusCode = 503;
        res.end('down');
      }),
    );
    server = sut.server;
    await fetch(`${sut.url}/health/ready`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.records).toEqual([expect.objectContaining({ level: 50, msg: 'request failed with status 503', res: expect.objectContaining({ statusCode: 503 }) })]);
    expect(lines.records[0]).not.toHaveProperty('err');
  });

  it('writes no request line when request logging is off, but still sets the id', async () => {
    const lines = new Lines();
    const middleware = requestLogging(createRootLogger('info', lines), { requests: false, headers: false });
    const sut = await serve((req, res) => middleware(req, res, () => res.end('ok')));
    server = sut.server;
    const response = await fetch(sut.url);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.records).toEqual([]);
  });
});

describe(pinoLevelFor.name, () => {
  it.each([
    [false, 'silent'],
    [undefined, 'info'],
    [['error', 'warn'], 'warn'],
    [['fatal', 'error', 'warn', 'log'], 'info'],
    [['verbose', 'error'], 'trace'],
  ] as const)('maps %j to %s', (levels, expected) => {
    expect(pinoLevelFor(levels === false || levels === undefined ? levels : [...levels])).toBe(expected);
  });

  it('keeps Nest error stacks and contexts as fields', () => {
    const lines = new Lines();
    const sut = new AppLogger(createRootLogger('info', lines));
    sut.error('it broke', 'Error: it broke\n    at x', 'Worker');
    sut.warn({ event: 'slow' }, 'Probe');
    expect(lines.records).toEqual([
      expect.objectContaining({ level: 50, msg: 'it broke', stack: 'Error: it broke\n    at x', context: 'Worker' }),
      expect.objectContaining({ level: 40, event: 'slow', context: 'Probe' }),
    ]);
  });
});
