'use strict';
// Bookkeeping for the processes the runner starts, so that every one of them is stopped by its
// PID however the run ends, and nothing it did not start is ever signalled.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { stopChild } = require('./redis-process');

const RIG_DIR_PREFIX = 'nest-cache-rig-';

/** Child processes the runner started, stopped together at the end. */
class ProcessRegistry {
  constructor() {
    this.entries = new Set();
    this.closed = false;
  }

  /** @param {{ child: import('node:child_process').ChildProcess, exited: Promise<unknown> }} entry */
  track(entry) {
    if (this.closed) {
      // Started while the run was being stopped: it has no run to serve.
      entry.child.kill('SIGKILL');
      throw new Error('the run is stopping');
    }
    this.entries.add(entry);
    return entry;
  }

  async stopAll() {
    this.closed = true;
    const entries = [...this.entries];
    this.entries.clear();
    await Promise.all(entries.map((entry) => stopChild(entry.child, entry.exited, 'SIGTERM', 3000)));
  }

  /** Last resort from a synchronous 'exit' handler. */
  killAllNow() {
    for (const { child } of this.entries) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function readLinkOrNull(file) {
  try {
    return fs.readlinkSync(file);
  } catch {
    return null;
  }
}

/** Whether a process with this PID exists (EPERM: it does, and belongs to someone else). */
function processIsAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * PIDs of redis-server processes whose working directory lies inside `dir`. Every redis-server
 * the rig or test/support/redis-server.ts starts runs with its cwd in the rig's temp folder, so
 * this finds exactly ours (e.g. one a crashed Jest worker could not stop), never anyone else's.
 */
function findRedisServersUnder(dir) {
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const found = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let comm;
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm !== 'redis-server') continue;
    const cwd = readLinkOrNull(`/proc/${pid}/cwd`);
    if (cwd && (cwd + path.sep).startsWith(prefix)) found.push(pid);
  }
  return found;
}

/** SIGKILLs (after SIGCONT) the redis-servers left inside `dir`; returns their PIDs. */
function killRedisServersUnder(dir) {
  if (!fs.existsSync('/proc')) return [];
  const pids = findRedisServersUnder(dir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Makes this run's temp folder, recording the runner's PID in it. */
function createRigDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${RIG_DIR_PREFIX}${process.pid}-`));
  fs.writeFileSync(path.join(dir, 'runner.pid'), String(process.pid));
  return dir;
}

/**
 * Cleans up after earlier runs that were killed outright (SIGKILL leaves no chance to clean):
 * a rig folder whose runner is no longer alive has its redis-servers killed and is removed.
 * Folders of runs still going (e.g. CI in another clone) are left alone.
 */
function sweepAbandonedRigDirs(log) {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(RIG_DIR_PREFIX)) continue;
    const dir = path.join(tmp, name);
    let runnerPid;
    try {
      runnerPid = Number(fs.readFileSync(path.join(dir, 'runner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!runnerPid || processIsAlive(runnerPid)) continue;
    const killed = killRedisServersUnder(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    log(`removed ${dir} left by an earlier run (pid ${runnerPid})${killed.length ? `, killed redis-server ${killed.join(', ')}` : ''}`);
  }
}

module.exports = { ProcessRegistry, createRigDir, sweepAbandonedRigDirs, killRedisServersUnder, processIsAlive };
