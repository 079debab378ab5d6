// `npm start` on embedded defaults, as a newcomer runs it: the API as its own process (src/main.ts,
// compiled on the fly by SWC) with no DATABASE_URL and no Redis, on a fresh embedded PGlite
// folder. The first start seeds the two demo organizations and prints keys that work; a restart
// on the same folder seeds nothing and the printed keys still work.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';

const ROOT = path.resolve(__dirname, '..');

let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'first-start-pglite-'));
});

afterAll(async () => {
  for (const child of children) await stop(child);
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: { text: string };
  baseUrl: string;
}

/** Starts src/main.ts on embedded defaults (nothing of the rig's environment) and waits until it listens. */
async function startEmbedded(): Promise<Started> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(REDIS_|CACHE_|DATABASE_|LOG_|RATE_LIMIT_|PORT$|HOST$|ADMIN_TOKEN$|TEST_)/.test(name)) env[name] = value;
  }
  Object.assign(env, { DATABASE_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'log', CACHE_WARM_CRON: 'off' });
  const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const output = { text: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const port = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output.text)?.[1];
    if (port !== undefined) return { child, output, baseUrl: `http://127.0.0.1:${port}` };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not start; output:\n${output.text.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

it('seeds the demo organizations on the first start only, and prints keys and an operator token that work', async () => {
  const first = await startEmbedded();
  const keys = [...first.output.text.matchAll(/^ {4}Authorization: Bearer (\S+)$/gm)].map((match) => match[1]);
  const operator = /^Operator token for this run \(ADMIN_TOKEN is not set\): Authorization: Bearer (\S+)$/m.exec(first.output.text)?.[1];
  expect(first.output.text).toContain('Seeded organizations (API keys are shown once):');
  expect(keys).toHaveLength(2);
  expect(operator).toBeDefined();

  const users = await request(first.baseUrl).get('/api/v1/users').set('Authorization', `Bearer ${keys[0]}`).expect(200);
  expect(users.body.total).toBeGreaterThan(0);
  const staff = await request(first.baseUrl).get('/api/v1/staff').set('Authorization', `Bearer ${keys[1]}`).expect(200);
  expect(staff.body.total).toBeGreaterThan(0);
  await request(first.baseUrl).get('/cache/health').set('Authorization', `Bearer ${operator}`).expect(200);
  await stop(first.child);

  const second = await startEmbedded();
  expect(second.output.text).not.toContain('Seeded organizations');
  const again = await request(second.baseUrl).get('/api/v1/users').set('Authorization', `Bearer ${keys[0]}`).expect(200);
  expect(again.body.total).toBe(users.body.total);
  await stop(second.child);
}, 150_000);
