'use strict';
// Starts the bench variant of the API (dist/apps/bench/src/main.js) through the shared
// scripts/lib/api-process.js. Production mode, LOG_LEVEL=warn, LOG_REQUESTS=false (no
// per-request logging), loopback only; its output is relayed to the bench's log. With
// BENCH_CPU_PROF_DIR set, each process runs under `node --cpu-prof` and leaves
// <name>.cpuprofile there when it stops (open it in Chrome DevTools).
const path = require('node:path');
const { startApiProcess, killApisNow } = require('../../../scripts/lib/api-process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'apps', 'bench', 'src', 'main.js');

/**
 * @param {{ name: string, env: Record<string, string>, log: (m: string) => void }} options
 * @returns {Promise<{ name: string, pid: number, port: number, baseUrl: string, warnings: string[], stop(): Promise<void> }>}
 */
function startApi({ name, env, log }) {
  return startApiProcess({
    name,
    entry: ENTRY,
    cwd: ROOT,
    readyPattern: /BENCH_LISTENING (\d+)/,
    cpuProfileDir: process.env.BENCH_CPU_PROF_DIR,
    log,
    env: {
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false', // no per-request log line
      // The rate-limit guard stays (it is middleware every request pays: a Redis INCR per request)
      // but with a budget no run reaches, so no row measures 429s.
      RATE_LIMIT_LIMIT: '1000000000',
      ...env,
    },
  });
}

module.exports = { startApi, killApisNow };
