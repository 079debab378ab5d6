'use strict';
// Starts the bench variant of the API (dist/apps/bench/src/main.js) as a child process and
// stops it by its PID. Production mode: NODE_ENV=production, LOG_LEVEL=warn, LOG_REQUESTS=false
// (no per-request logging), loopback only. With BENCH_CPU_PROF_DIR set, each process runs under
// `node --cpu-prof` and leaves <name>.cpuprofile there when it stops (open it in Chrome DevTools).
const { spawn } = require('node:child_process');
const path = require('node:path');
const { stopChild } = require('../../../scripts/lib/redis-process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'apps', 'bench', 'src', 'main.js');
const START_TIMEOUT_MS = 60_000;
/** Children still running, for the last-resort kill in a synchronous 'exit' handler. */
const running = new Set();

/**
 * @param {{ name: string, env: Record<string, string>, log: (m: string) => void }} options
 * @returns {Promise<{ name: string, pid: number, port: number, baseUrl: string, stop(): Promise<void> }>}
 */
async function startApi({ name, env, log }) {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, ENTRY], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false', // no per-request log line
      // The rate-limit guard stays (it is middleware every request pays: a Redis INCR per request)
      // but with a budget no run reaches, so no row measures 429s.
      RATE_LIMIT_LIMIT: '1000000000',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => running.delete(child));
  let output = '';
  const warnings = [];
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  // Nest's logger writes warnings to stdout and errors to stderr; LOG_LEVEL=warn keeps both rare.
  const relay = (chunk) => {
    keep(chunk);
    for (const line of String(chunk).split('\n')) {
      if (!line.trim() || line.startsWith('BENCH_LISTENING')) continue;
      const plain = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
      if (/\b(WARN|ERROR)\b|"level":(40|50|60)\b|"level":"(warn|error|fatal)"/.test(plain)) warnings.push(plain);
      log(`${name}: ${plain}`);
    }
  };
  child.stderr.on('data', relay);
  child.stdout.on('data', relay);
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    child.stdout.on('data', () => {
      const match = /BENCH_LISTENING (\d+)/.exec(output);
      if (match) {
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
    /** Warnings and errors it logged, e.g. the Redis circuit opening. */
    warnings,
    stop: () => stopChild(child, exited, 'SIGTERM', 10_000),
  };
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
