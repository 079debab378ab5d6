// Graceful shutdown as Kubernetes triggers it: the API runs as its own process (src/main.ts, the
// production entry point, compiled on the fly by SWC), a request is in flight when SIGTERM
// arrives, and that request still completes while new connections are refused; then the
// process closes Redis/Postgres and exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database';
import { databaseKind } from './support/env';

const ROOT = path.resolve(__dirname, '..');

let database: TestDatabase;
let child: ChildProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  await database?.drop();
});

/** Collects the child's output and resolves when a line matches. */
function waitForOutput(process: ChildProcess, output: { text: string }, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = output.text.match(pattern);
      if (match === null) return false;
      clearTimeout(timer);
      process.stdout!.off('data', check);
      resolve(match);
      return true;
    };
    const timer = setTimeout(() => {
      process.stdout!.off('data', check);
      reject(new Error(`no ${pattern} in ${timeoutMs} ms; output:\n${output.text.slice(-3000)}`));
    }, timeoutMs);
    if (!check()) process.stdout!.on('data', check);
  });
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM', () => {
  it('finishes the request in flight with 200, refuses new connections, and exits 0', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!/^(REDIS_|CACHE_|DATABASE_|LOG_|RATE_LIMIT_|PORT$|HOST$|ADMIN_TOKEN$)/.test(name)) env[name] = value;
    }
    Object.assign(env, {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: databaseKind() === 'pglite' ? '1' : '2',
      ADMIN_TOKEN: 'e2e-operator-token-0123456789',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'log',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    const output = { text: '' };
    const started = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));

    const [, port] = await waitForOutput(started, output, /Listening on http:\/\/127\.0\.0\.1:(\d+)/, 45_000);

    // A request in flight: headers sent, half of its body still to come.
    const body = JSON.stringify({ name: 'written during shutdown' });
    let inFlightRequest: http.ClientRequest | undefined;
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: Number(port), method: 'PUT', path: '/demo/items/1', agent: false,
          // Demo writes take the operator token.
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer e2e-operator-token-0123456789' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      inFlightRequest = req;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    started.kill('SIGTERM');
    await waitForOutput(started, output, /No longer accepting connections/, 5_000);
    expect(await connectionRefused(Number(port))).toBe(true);

    inFlightRequest!.end(body.slice(10));
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'written during shutdown' });

    expect(await exited).toBe(0);
    expect(output.text).toContain('Shut down cleanly');
  }, 90_000);
});
