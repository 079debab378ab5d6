'use strict';
// A watchdog process for the redis-servers a Jest worker starts (test/support/redis-server.ts).
// A worker that is SIGKILLed, or SIGTERMed by Jest for not exiting, runs no exit hook, so its
// servers would outlive it when Jest runs without `npm test` (which also sweeps them). The
// watchdog holds a pipe from the worker; when the pipe closes it SIGKILLs the servers it was
// told about that are still running, checking each is a redis-server whose working directory
// is the one it was told, so a reused PID is never hit; then it removes their folders.
const { spawn } = require('node:child_process');
const fs = require('node:fs');

/** In the test process: starts a watchdog that does not keep the process alive. */
function startWatchdog() {
  const child = spawn(process.execPath, [__filename], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.unref();
  child.stdin.unref?.();
  child.stdin.on('error', () => {});
  return {
    watch: (pid, dir) => child.stdin.write(`+ ${pid} ${dir}\n`),
    unwatch: (pid) => child.stdin.write(`- ${pid}\n`),
    removeOnExit: (dir) => child.stdin.write(`d 0 ${dir}\n`),
    /** Normal end: nothing left to watch; the watchdog exits. */
    close: () => child.stdin.end(),
  };
}

function killIfOurs(pid, dir) {
  try {
    const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    if (comm !== 'redis-server' || cwd !== dir) return;
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

function runWatchdog() {
  const watched = new Map();
  const folders = new Set();
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) {
      const [op, pid, ...dir] = line.split(' ');
      if (op === '+') watched.set(Number(pid), dir.join(' '));
      else if (op === '-') watched.delete(Number(pid));
      else if (op === 'd') folders.add(dir.join(' '));
    }
  });
  const finish = () => {
    for (const [pid, dir] of watched) killIfOurs(pid, dir);
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', finish);
  process.stdin.on('error', finish);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, finish);
}

if (require.main === module) runWatchdog();

module.exports = { startWatchdog };
