'use strict';
// The services `npm test` provisions, each in its own folder under the run's temp folder and
// registered for cleanup as soon as it exists.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { getFreePort } = require('./ports');
const { startRedisProcess } = require('./redis-process');
const { startRedisCluster } = require('./redis-cluster');
const { generateTlsCertificates } = require('./tls-certs');
const { assertLoopback, findLocalPostgres, createRunDatabase, dropAbandonedDatabases } = require('./postgres');
const { startPglite } = require('./pglite');

const CLUSTER_MASTERS = 3;
// Each PGlite takes ~2 s and a few hundred MB to start; workers past this share by modulo.
const MAX_PGLITE_INSTANCES = 4;

/** Starts a rig-owned redis-server in its own folder, retrying if its free port was taken meanwhile. */
async function startRigRedis(rigDir, registry, name, options = {}) {
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const dir = fs.mkdtempSync(path.join(rigDir, `${name}-`));
    const port = await getFreePort();
    try {
      return registry.track(await startRedisProcess({ dir, port, ...options }));
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(error.message)) break;
    }
  }
  throw lastError;
}

/** A standalone redis-server: { url }. */
async function startStandaloneRedis(rigDir, registry) {
  const server = await startRigRedis(rigDir, registry, 'redis');
  return { url: `redis://127.0.0.1:${server.port}` };
}

/** A TLS-only redis-server with a password and a CA made for this run: { port, url, caFile }. */
async function startTlsRedis(rigDir, registry) {
  const certDir = fs.mkdtempSync(path.join(rigDir, 'tls-certs-'));
  const tls = generateTlsCertificates(certDir);
  const password = crypto.randomBytes(12).toString('hex');
  const server = await startRigRedis(rigDir, registry, 'redis-tls', { tls, password });
  return { port: server.port, url: `rediss://:${password}@127.0.0.1:${server.port}`, caFile: tls.caFile };
}

/** A 3-master Redis Cluster: "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3". */
async function startCluster(rigDir, registry) {
  const { addresses } = await startRedisCluster({
    masters: CLUSTER_MASTERS,
    getFreePort,
    startNode: (args) => startRigRedis(rigDir, registry, 'cluster-node', { args }),
  });
  return addresses.join(',');
}

/** A fresh database on a Postgres server, or PGlite. Registers its own cleanup. */
async function provisionDatabase(cleanup, workers, log) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let origin = 'TEST_DATABASE_URL';
  if (serverUrl) {
    assertLoopback(serverUrl);
  } else if (process.env.TEST_PG_DISABLE_LOCAL === '1') {
    log('TEST_PG_DISABLE_LOCAL=1: not looking for a local Postgres');
  } else {
    serverUrl = await findLocalPostgres(log);
    origin = 'local Postgres';
  }
  if (serverUrl) {
    let database;
    try {
      await dropAbandonedDatabases(serverUrl, log);
      database = await createRunDatabase(serverUrl);
    } catch (error) {
      throw new Error(`could not create a test database on ${origin} (${redact(serverUrl)}): ${error.message}`);
    }
    cleanup.add('drop test database', () => database.drop());
    return { kind: 'postgres', url: database.url, description: `database ${database.name} on ${origin}` };
  }
  const pglite = await startPglite(Math.min(workers, MAX_PGLITE_INSTANCES), log);
  cleanup.add('stop PGlite', () => pglite.stop());
  return {
    kind: 'pglite',
    url: pglite.urls[0],
    workerUrls: pglite.urls,
    description: `x${pglite.urls.length} (one per Jest worker, one connection at a time each)`,
  };
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

module.exports = { startStandaloneRedis, startTlsRedis, startCluster, provisionDatabase };
