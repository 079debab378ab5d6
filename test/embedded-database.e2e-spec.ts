// The embedded database (PGlite, used when DATABASE_URL is unset) checks no password, so where it
// is served decides who can read and write it: a Unix socket only this user can open in
// development, and nothing at all in production.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

// PGlite cannot load inside Jest's VM (dynamic imports), so the API runs as its own process, as
// `npm start` runs it (src/main.ts through SWC).
const ROOT = path.resolve(__dirname, '..');

function apiProcess(extra: Record<string, string>): { child: ChildProcess; output: { text: string }; exited: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(REDIS_|CACHE_|DATABASE_|LOG_|RATE_LIMIT_|PORT$|HOST$|ADMIN_TOKEN$|TEST_|NODE_ENV$)/.test(name)) env[name] = value;
  }
  Object.assign(env, { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'log', CACHE_WARM_CRON: 'off' }, extra);
  const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { text: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output, exited };
}

async function waitFor(output: { text: string }, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output.text);
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in time; output:\n${output.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the embedded database in development', () => {
  let dataDir: string;
  let api: ReturnType<typeof apiProcess> | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'embedded-db-'));
  });

  afterAll(async () => {
    if (api !== undefined && api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await api.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is served on a Unix socket of mode 0600 in a folder of mode 0700 (no TCP port), removed at shutdown', async () => {
    api = apiProcess({ NODE_ENV: 'development', DATABASE_DATA_DIR: path.join(dataDir, 'pglite') });
    const [, socketPath] = await waitFor(api.output, /served on the Unix socket (\S+) /, 150_000);
    await waitFor(api.output, /Listening on http:\/\/127\.0\.0\.1:\d+/, 150_000);
    const folder = path.dirname(socketPath);

    const socket = statSync(socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(path.basename(socketPath)).toMatch(/^\.s\.PGSQL\.\d+$/);

    // The owner reaches it as pg (and TypeORM) do: the folder as host, the port from the file name.
    const port = Number(path.basename(socketPath).split('.').pop());
    const client = new Client({ host: folder, port, user: 'postgres', password: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }

    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(existsSync(folder)).toBe(false);
  }, 240_000);
});

describe('the embedded database in production', () => {
  it('is refused at start with one line naming DATABASE_URL', async () => {
    const api = apiProcess({ NODE_ENV: 'production', ADMIN_TOKEN: 'e2e-operator-token-0123456789' });

    expect(await api.exited).toBe(1);
    expect(api.output.text).toContain('DATABASE_URL is required in production (the embedded PGlite database is for development only)');
    expect(api.output.text).not.toMatch(/Listening on|PGlite in/);
  }, 60_000);
});
