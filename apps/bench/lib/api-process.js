'use strict';
// Starts the bench variant of the API (dist/apps/bench/src/main.js), or the bare Nest app
// (dist/apps/bench/src/bare/main.js), as a child process and stops it by its PID. As deployed:
// NODE_ENV=production, LOG_LEVEL=log and one request log line per request (LOG_REQUESTS=true),
// written to stdout, which goes to a file (as a deployment sends it to its log collector), never
// through the harness. Loopback only. Each process also serves the bench's control port
// (apps/bench/src/control-server.ts: CPU used, in-process CPU profiles). With BENCH_CPU_PROF_DIR
// set, each process also runs under `node --cpu-prof` and leaves <name>.cpuprofile there when it
// stops (open it in Chrome DevTools).
const fs = require('node:fs');
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const { stopChild } = require('../../../scripts/lib/redis-process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRIES = {
  app: path.join(ROOT, 'dist', 'apps', 'bench', 'src', 'main.js'),
  bare: path.join(ROOT, 'dist', 'apps', 'bench', 'src', 'bare', 'main.js'),
};
const START_TIMEOUT_MS = 60_000;
/** Children still running, for the last-resort kill in a synchronous 'exit' handler. */
const running = new Set();

/**
 * @param {{ name: string, env: Record<string, string>, log: (m: string) => void, entry?: 'app' | 'bare' | string, logFile?: string }} options
 *   `entry`: the app, the bare app, or the path of another build's main.js (to run two builds side by side)
 * @returns {Promise<{ name: string, pid: number, port: number, baseUrl: string, controlUrl: string, stop(): Promise<void> }>}
 */
async function startApi({ name, env, log, entry = 'app', logFile }) {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  // Request logs: to the file, or nowhere. Either way not through a pipe the harness must drain.
  const stdout = fs.openSync(logFile ?? '/dev/null', 'a');
  // BENCH_APP_NODE_ARGS: node flags for the API processes only (never bare, never the load
  // generator), to measure a deployment setting such as --max-semi-space-size side by side.
  const nodeArgs = entry !== 'bare' && process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(/\s+/).filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeArgs, ...profile, ENTRIES[entry] ?? entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // As deployed: the default LOG_LEVEL (log) and one line per request (the default LOG_REQUESTS).
      LOG_LEVEL: 'log',
      LOG_REQUESTS: 'true',
      // The rate-limit guard stays (it is middleware every request pays: a Redis INCR per request)
      // but with budgets no run reaches, so no row measures 429s. The address budget too: a key
      // the cache does not hold yet is counted by address first, and with CACHE_ENABLED=false no
      // key is ever held, so every request of the "uncached" row is counted by address.
      RATE_LIMIT_LIMIT: '1000000000',
      RATE_LIMIT_ANONYMOUS_LIMIT: '1000000000',
      RATE_LIMIT_OPERATOR_LIMIT: '1000000000',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', stdout, 'pipe'],
  });
  fs.closeSync(stdout);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => running.delete(child));
  let output = '';
  const warnings = [];
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  // Warnings and errors (JSON lines) go to stdout, that is to the log file: stop() reads
  // them from there. stderr carries the ports, and any crash.
  const relay = (chunk) => {
    keep(chunk);
    for (const line of String(chunk).split('\n')) {
      if (!line.trim() || line.startsWith('BENCH_LISTENING') || line.startsWith('BENCH_CONTROL')) continue;
      const plain = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
      if (/\b(WARN|ERROR)\b|"level":(40|50|60)\b|"level":"(warn|error|fatal)"/.test(plain)) warnings.push(plain);
      log(`${name}: ${plain}`);
    }
  };
  child.stderr.on('data', relay);
  let controlPort;
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    child.stderr.on('data', () => {
      controlPort ??= /BENCH_CONTROL (\d+)/.exec(output)?.[1];
      const match = /BENCH_LISTENING (\d+)/.exec(output);
      if (match && controlPort !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start (code ${code}, signal ${signal}):\n${output}`));
    });
  }).catch(async (error) => {
    await stopChild(child, exited, 'SIGKILL', 1000);
    throw error;
  });
  return {
    name,
    pid: child.pid,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    /** Warnings and errors it logged, e.g. the Redis circuit opening (filled in when it stops). */
    warnings,
    stop: async () => {
      await stopChild(child, exited, 'SIGTERM', 10_000);
      if (logFile !== undefined) warnings.push(...warningsIn(logFile));
    },
  };
}

/** The first 50 warning and error lines of a log file (JSON lines at pino levels 40 and above), by grep: it may hold GBs. */
function warningsIn(file) {
  const result = spawnSync('grep', ['-m', '50', '-E', '"level":(40|50|60)[,}]', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return (result.stdout ?? '').split('\n').filter(Boolean).map((line) => line.slice(0, 500));
}

/** SIGKILLs every API process still running (from process.on('exit'), where nothing can be awaited). */
function killApisNow() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

module.exports = { startApi, killApisNow };
