'use strict';
// The soak's fleet: two instances of the API as deployed sharing the redis-server and the fresh
// Postgres database the harness started (apps/bench/lib/harness.js). Each instance registers its
// own cleanup as soon as it exists.
const crypto = require('node:crypto');
const path = require('node:path');
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
 * @param {{ cleanup, rigDir: string, redis: { url: string }, database: { url: string }, log: (m: string) => void }} options
 *   database: a Postgres one (PGlite serves one connection at a time; two processes share it)
 * @returns {Promise<{ adminToken: string, apis: object[] }>}
 */
async function startFleet({ cleanup, rigDir, redis, database, log }) {
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
  return { adminToken, apis };
}

module.exports = { startFleet, SERVER_ENV };
