'use strict';
// Starts a built API (a dist/ entry) as a child process in production mode and stops it by its
// PID. Shared by the load bench (apps/bench, its bench variant of the API) and the soak
// (apps/soak, the API as deployed). Loopback only, PORT=0: the process prints the port it took,
// and `readyPattern` finds it in its output.
//
// Output goes one of two ways:
//   - relayed: piped through this process, each line passed to `log` (for quiet servers, e.g.
//     LOG_LEVEL=warn and no request log);
//   - `logFile`: written by the child straight to that file, as a deployed server writes to its
//     log collector, so this process pays nothing for a request log at hundreds of lines a second.
//     The port is read from the file while the process starts; `warningsInLog()` reads the rest.
// With `cpuProfileDir` the process runs under `node --cpu-prof` and leaves <name>.cpuprofile there.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { stopChild, delay } = require('./redis-process');

const START_TIMEOUT_MS = 60_000;
/** Children still running, for the last-resort kill in a synchronous 'exit' handler. */
const running = new Set();

/** A warning or worse: Nest's text logger, or pino's JSON (40 warn, 50 error, 60 fatal). */
const WARNING_LINE = /\b(WARN|ERROR)\b|"level":(40|50|60)\b|"level":"(warn|error|fatal)"/;

/**
 * @param {{
 *   name: string,
 *   entry: string,                  absolute path of the built entry (dist/...)
 *   readyPattern: RegExp,           matches a line of its output once it serves; group 1 is the port
 *   env: Record<string, string>,    on top of process.env and the production defaults below
 *   log: (m: string) => void,
 *   logFile?: string,
 *   cpuProfileDir?: string,
 *   cwd: string,
 * }} options
 * @returns {Promise<{ name: string, pid: number, port: number, baseUrl: string, warnings: string[], logFile?: string, stop(): Promise<void> }>}
 */
async function startApiProcess({ name, entry, readyPattern, env, log, logFile, cpuProfileDir, cwd }) {
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfileDir)}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  let stdio = ['ignore', 'pipe', 'pipe'];
  if (logFile) {
    const fd = fs.openSync(logFile, 'a');
    stdio = ['ignore', fd, fd];
  }
  let child;
  try {
    child = spawn(process.execPath, [...profile, entry], {
      cwd,
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', ...env },
      stdio,
    });
  } finally {
    if (logFile) fs.closeSync(stdio[1]);
  }
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => running.delete(child));
  let exitInfo;
  void exited.then((info) => (exitInfo = info));

  const warnings = [];
  let output = '';
  if (!logFile) {
    // Nest's logger writes warnings to stdout and errors to stderr.
    const relay = (chunk) => {
      output = (output + chunk).slice(-4000);
      for (const line of String(chunk).split('\n')) {
        const plain = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
        if (!plain || readyPattern.test(plain)) continue;
        if (WARNING_LINE.test(plain)) warnings.push(plain);
        log(`${name}: ${plain}`);
      }
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
  }
  const currentOutput = () => (logFile ? readHead(logFile) : output);

  const deadline = Date.now() + START_TIMEOUT_MS;
  let port;
  while (port === undefined) {
    const match = readyPattern.exec(currentOutput());
    if (match) port = Number(match[1]);
    else if (exitInfo) {
      throw new Error(`${name} exited during start (code ${exitInfo.code}, signal ${exitInfo.signal}):\n${tail(currentOutput())}`);
    } else if (Date.now() > deadline) {
      await stopChild(child, exited, 'SIGKILL', 1000);
      throw new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${tail(currentOutput())}`);
    } else {
      await delay(50);
    }
  }
  return {
    name,
    pid: child.pid,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    /** Warnings and errors it logged (relayed output; with a logFile see warningsInLog). */
    warnings,
    logFile,
    stop: () => stopChild(child, exited, 'SIGTERM', 10_000),
  };
}

/** The start of a log file (enough to hold the start-up lines). */
function readHead(file, bytes = 256 * 1024) {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const read = fs.readSync(fd, buffer, 0, bytes, 0);
      return buffer.subarray(0, read).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The warning-or-worse lines of a log file, and any line matching `alsoMatching`, read line by
 * line (a request log runs to tens of MB).
 * @returns {Promise<string[]>}
 */
async function warningsInLog(file, alsoMatching) {
  const readline = require('node:readline');
  const found = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (WARNING_LINE.test(line) || alsoMatching?.test(line)) found.push(line);
  return found;
}

/** SIGKILLs every API process still running (from process.on('exit'), where nothing can be awaited). */
function killApisNow() {
  for (const child of running) {
    try {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

module.exports = { startApiProcess, warningsInLog, killApisNow };
