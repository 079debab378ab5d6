'use strict';
// Starts one redis-server child process and waits until it answers PING. Shared by the test
// runner (scripts/test.js) and the per-test helper (test/support/redis-server.ts) so both start
// servers the same way: loopback only, nothing kept on disk, the log in the server's own folder,
// and the server's working directory inside that folder, which lets the runner find (by cwd)
// and stop any server a crashed Jest worker left behind.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sendCommand } = require('./resp');

const REDIS_SERVER = process.env.REDIS_SERVER_BIN || 'redis-server';

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tailOf(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * @typedef {object} RedisProcessOptions
 * @property {string} dir          folder for the log, the data and the cwd; must exist
 * @property {number} port         plain port, or the TLS port when `tls` is given
 * @property {string} [password]   requirepass
 * @property {{ certFile: string, keyFile: string, caFile: string }} [tls] serve TLS only
 * @property {string[]} [args]     extra redis-server arguments
 * @property {string} [configFile] a config file, passed first as redis-server wants it (a
 *                                  sentinel needs one it can rewrite: pass `--sentinel` in args)
 * @property {number} [readyTimeoutMs]
 */

/**
 * Spawns redis-server and resolves once it answers PING (over TLS and with AUTH when set up so).
 * Rejects with the tail of the server's log if it exits or does not answer in time.
 * @param {RedisProcessOptions} options
 */
async function startRedisProcess(options) {
  const { dir, port, password, tls, args = [], configFile, readyTimeoutMs = 10_000 } = options;
  const logFile = path.join(dir, 'redis.log');
  const serverArgs = [
    ...(configFile ? [configFile] : []),
    '--bind', '127.0.0.1',
    ...(tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile,
         '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no']
      : ['--port', String(port)]),
    ...(password ? ['--requirepass', password] : []),
    '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', '',
    ...args,
  ];
  const logFd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(REDIS_SERVER, serverArgs, { cwd: dir, stdio: ['ignore', logFd, logFd] });
  } finally {
    fs.closeSync(logFd);
  }
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  let exitInfo;
  exited.then((info) => (exitInfo = info));

  const target = {
    port,
    password,
    tls: tls ? { ca: fs.readFileSync(tls.caFile) } : undefined,
    timeoutMs: 1000,
  };
  const deadline = Date.now() + readyTimeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (exitInfo) break;
    try {
      if ((await sendCommand(target, 'PING')) === 'PONG') {
        return { child, pid: child.pid, port, dir, logFile, exited };
      }
    } catch (error) {
      lastError = error;
    }
    await delay(30);
  }
  if (!exitInfo) await stopChild(child, exited, 'SIGKILL');
  const why = exitInfo?.error
    ? `could not be spawned (${exitInfo.error.message}; is redis-server installed?)`
    : exitInfo
      ? `exited (code ${exitInfo.code}, signal ${exitInfo.signal})`
      : `did not answer PING within ${readyTimeoutMs} ms (${lastError?.message ?? 'no reply'})`;
  throw new Error(`redis-server on 127.0.0.1:${port} ${why}. Log ${logFile}:\n${tailOf(logFile)}`);
}

function isAlive(child) {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Stops a child: SIGCONT first (a SIGSTOPped process would hold a SIGTERM pending), then
 * `signal`, escalating to SIGKILL after `graceMs`. Resolves once it has exited.
 */
async function stopChild(child, exited, signal = 'SIGTERM', graceMs = 5000) {
  if (!isAlive(child)) return;
  try {
    child.kill('SIGCONT');
    child.kill(signal);
  } catch {
    // already gone
  }
  let timer;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
  ]);
  clearTimeout(timer);
  if (timedOut && isAlive(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

module.exports = { startRedisProcess, stopChild, isAlive, delay };
