'use strict';
// The Postgres the tests get: a fresh database, made for this run and dropped at its end, on
// the server named by TEST_DATABASE_URL or on the machine's own Postgres; failing both, PGlite
// (see pglite.js).
const crypto = require('node:crypto');
const { Client } = require('pg');
const { processIsAlive } = require('./processes');

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\]|::1)$/;

function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

function withDatabase(url, database) {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
}

async function withClient(url, fn, connectTimeoutMs = 5000) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {}); // a server-side disconnect surfaces through the query instead
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Rejects non-loopback hosts: tests send traffic only to this machine. */
function assertLoopback(url) {
  const { hostname } = new URL(url);
  if (!LOOPBACK.test(hostname)) {
    throw new Error(`TEST_DATABASE_URL must point at this machine (127.0.0.1, localhost or ::1), not ${hostname}`);
  }
}

/** Finds the local Postgres on 127.0.0.1:5432 (trust auth as postgres or root); null if none answers. */
async function findLocalPostgres(log) {
  for (const user of ['postgres', 'root']) {
    const url = `postgres://${user}@127.0.0.1:5432/postgres`;
    try {
      await withClient(url, (client) => client.query('SELECT 1'), 2000);
      return url;
    } catch (error) {
      if (error.code === 'ECONNREFUSED' || /timeout/i.test(error.message)) return null;
      log(`local Postgres refused user ${user}: ${error.message}`);
    }
  }
  return null;
}

/**
 * Creates a uniquely named database on the server `serverUrl` points at.
 * The name starts with nestcache_test_<pid>_ so support/database.ts can make per-suite
 * databases named after it, which `drop()` removes too.
 */
async function createRunDatabase(serverUrl) {
  const name = `nestcache_test_${process.pid}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = withDatabase(serverUrl, name);
  return {
    url,
    name,
    async drop() {
      await withClient(serverUrl, async (client) => {
        const { rows } = await client.query(
          'SELECT datname FROM pg_database WHERE datname = $1 OR left(datname, $2) = $3',
          [name, name.length + 1, `${name}_`],
        );
        for (const { datname } of rows) {
          await client
            .query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`)
            .catch(() => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`));
        }
      });
    },
  };
}

/**
 * Drops the databases of earlier runs that were killed outright (SIGKILL leaves no chance to
 * clean): names carry the runner's PID, and only those whose runner is gone are dropped. The
 * server is on this machine (assertLoopback), so the PID is this machine's.
 */
async function dropAbandonedDatabases(serverUrl, log) {
  await withClient(serverUrl, async (client) => {
    const { rows } = await client.query(
      "SELECT datname FROM pg_database WHERE datname ~ '^nestcache_test_[0-9]+_'",
    );
    for (const { datname } of rows) {
      const pid = Number(/^nestcache_test_(\d+)_/.exec(datname)[1]);
      if (pid === process.pid || processIsAlive(pid)) continue;
      await client
        .query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`)
        .then(() => log(`dropped database ${datname} left by an earlier run (pid ${pid})`))
        .catch((error) => log(`could not drop ${datname}: ${error.message}`));
    }
  });
}

module.exports = { dropAbandonedDatabases, assertLoopback, findLocalPostgres, createRunDatabase, withClient, quoteIdent, withDatabase };
