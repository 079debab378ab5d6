// A database of a suite's own, for e2e suites that must not see each other's rows when Jest
// runs them in parallel.
//
// On a Postgres server it is a new database named after the run's one (so `npm test` drops
// it at the end even if `drop()` never ran). PGlite has a single database, and the rig already
// gives each Jest worker its own PGlite, so there it returns TEST_DATABASE_URL as is and drop()
// does nothing: suites in one worker run one after another and share that database.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseKind, databaseUrl } from './env';

export interface TestDatabase {
  /** postgres:// URL of the database. */
  url: string;
  /** Drops the database (closing whatever is still connected); a no-op with PGlite. */
  drop(): Promise<void>;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function onServer<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named database on the rig's Postgres server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const runUrl = databaseUrl();
  if (databaseKind() === 'pglite') {
    return { url: runUrl, drop: async () => {} };
  }
  const parsed = new URL(runUrl);
  const name = `${parsed.pathname.slice(1)}_${randomBytes(4).toString('hex')}`;
  await onServer(runUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  parsed.pathname = `/${name}`;
  let dropped = false;
  return {
    url: parsed.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(runUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}
