// Proves the PGlite fallback of `npm test` (scripts/lib/pglite.js) serves one session at a
// time, whichever database this run was given: it starts a gated PGlite of its own, in a child
// process because PGlite loads parts of itself with import(), which Jest's sandbox cannot run.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

async function startGatedPglite(): Promise<{ url: string; stderr: string[]; server: ChildProcess }> {
  const server = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'lib', 'pglite.js')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  server.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const lines = createInterface({ input: server.stdout! });
  const [url] = (await Promise.race([
    once(lines, 'line'),
    once(server, 'exit').then(() => {
      throw new Error(`PGlite server exited: ${stderr.join('')}`);
    }),
  ])) as [string];
  return { url, stderr, server };
}

describe('PGlite behind the rig gate', () => {
  let sut: Awaited<ReturnType<typeof startGatedPglite>>;

  beforeAll(async () => {
    sut = await startGatedPglite();
  });

  afterAll(async () => {
    const exited = once(sut.server, 'exit');
    sut.server.stdin?.end();
    await exited;
  });

  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: sut.url });
    await client.connect();
    return client;
  };

  it('answers parameterised queries', async () => {
    const client = await connect();
    try {
      const { rows } = await client.query<{ sum: number }>('SELECT $1::int + $2::int AS sum', [2, 3]);
      expect(rows).toEqual([{ sum: 5 }]);
    } finally {
      await client.end();
    }
  });

  it('holds a second connection until the first one closes, rolling back its transaction', async () => {
    const first = await connect();
    await first.query('BEGIN');
    await first.query('CREATE TABLE gate_probe (id int)');

    const order: string[] = [];
    const second = new Client({ connectionString: sut.url });
    const secondSees = second
      .connect()
      .then(() => second.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'gate_probe'"))
      .then(({ rows }) => {
        order.push('second queried');
        return rows[0].n;
      });

    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push('first closes');
    await first.end();

    await expect(secondSees).resolves.toBe(0);
    expect(order).toEqual(['first closes', 'second queried']);
    await second.end();
  });

  it('resets the session between connections', async () => {
    const first = await connect();
    await first.query("SET application_name = 'left-behind'");
    await first.query('CREATE TEMP TABLE gate_temp (id int)');
    await first.end();

    const second = await connect();
    try {
      const { rows } = await second.query<{ name: string; temp: number }>(
        "SELECT current_setting('application_name') AS name, " +
          "(SELECT count(*)::int FROM pg_class WHERE relname = 'gate_temp') AS temp",
      );
      expect(rows[0].name).not.toBe('left-behind');
      expect(rows[0].temp).toBe(0);
    } finally {
      await second.end();
    }
    expect(sut.stderr.join('')).toBe('');
  });
});
