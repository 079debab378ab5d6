'use strict';
// The soak's fleet: a redis-server and a fresh Postgres database (the test rig's helpers,
// scripts/lib), and two instances of the API as deployed sharing them. Every piece registers
// its own cleanup as soon as it exists.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createRigDir } = require('../../../scripts/lib/processes');
const { startStandaloneRedis, provisionDatabase } = require('../../../scripts/lib/services');
const { startApiProcess } = require('../../../scripts/lib/api-process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');

/**
 * As deployed: production mode, default log level with one JSON line per request (to a file),
 * default cache and Redis timeouts. Only the rate limit is raised out of the way (one API key
 * sends every request), and both instances share one key prefix, as a fleet does.
 */
const SERVER_ENV = { RATE_LIMIT_LIMIT: '1000000000', CACHE_KEY_PREFIX: 'soak' };

/**
 * @returns {Promise<{ database, redis, rigDir, adminToken, apis: object[] } | undefined>}
 *   undefined when there is no Postgres server (PGlite serves one connection at a time; two
 *   processes share the database)
 */
async function startFleet({ cleanup, registry, log }) {
  const rigDir = createRigDir();
  cleanup.add('remove temp dir', () => fs.rmSync(rigDir, { recursive: true, force: true }));
  cleanup.add('stop redis-server', () => registry.stopAll());
  const [redis, database] = await Promise.all([startStandaloneRedis(rigDir, registry), provisionDatabase(cleanup, 1, log)]);
  if (database.kind !== 'postgres') return { database };
  log(`redis ${redis.url}, ${database.description}`);
  const adminToken = crypto.randomBytes(24).toString('hex');
  const env = { ...SERVER_ENV, DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN: adminToken };
  const apis = [];
  // One after the other: the first runs the migrations the second then finds done.
  for (const name of ['writer', 'reader']) {
    const api = await startApiProcess({
      name,
      entry: ENTRY,
      cwd: ROOT,
      readyPattern: /Listening on http:\/\/[^\s:]+:(\d+)/,
      env,
      log,
      logFile: path.join(rigDir, `${name}.log`),
    });
    cleanup.add(`stop ${name}`, () => api.stop());
    log(`${name}: pid ${api.pid}, ${api.baseUrl}, log ${api.logFile}`);
    apis.push(api);
  }
  return { database, redis, rigDir, adminToken, apis };
}

module.exports = { startFleet, SERVER_ENV };
