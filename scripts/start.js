#!/usr/bin/env node
'use strict';
// `npm start`: the one command a newcomer runs. Builds dist/ with `nest build` when it is missing
// or older than the sources, then runs the API (dist/src/main.js) in this same process, so the
// PID you see is the server's and Ctrl-C / SIGTERM shut it down cleanly.
//
// With no environment at all it runs on embedded defaults: PGlite in ./.data/pglite instead of
// Postgres (no DATABASE_URL) and the in-process cache store instead of Redis (no REDIS_URL).
// Settings come from the environment or a .env file (see .env.example).
require('./lib/dependencies').ensureDependencies((message) => process.stderr.write(`[start] ${message}\n`));

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { changedSince } = require('./lib/build-inputs');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');
// What the build reads; a change to any of them makes dist/ stale.
const BUILD_INPUTS = ['src', 'libs', 'apps', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

function log(message) {
  process.stderr.write(`[start] ${message}\n`);
}

function buildIsStale() {
  if (!fs.existsSync(ENTRY)) return 'dist/ has no build yet';
  const built = fs.statSync(ENTRY).mtimeMs;
  const changed = changedSince(ROOT, BUILD_INPUTS, built);
  return changed === undefined ? undefined : `${changed} changed since the last build`;
}

function build(reason) {
  let nestBin;
  try {
    nestBin = require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] });
  } catch {
    if (fs.existsSync(ENTRY)) {
      log(`${reason}, but @nestjs/cli is not installed (production install?): running the existing build`);
      return;
    }
    log('Cannot build: @nestjs/cli is missing. Run `npm ci` first.');
    process.exit(1);
  }
  log(`Building (${reason}): nest build`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [nestBin, 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    log(`Build failed (exit ${result.status ?? result.signal}); fix the errors above and run npm start again.`);
    process.exit(result.status ?? 1);
  }
  log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * npm runs this script through `sh -c`, and a shell such as dash neither execs the command nor
 * passes signals on: `kill <npm's PID>` would leave the server running as an orphan. When the
 * parent goes away, shut down as if signalled (main.ts enables Nest's shutdown hooks).
 */
function stopWhenOrphaned() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    log(`parent process ${parent} is gone: shutting down`);
    process.kill(process.pid, 'SIGTERM');
  }, 500);
  timer.unref();
}

const stale = buildIsStale();
if (stale !== undefined) build(stale);
process.chdir(ROOT);
stopWhenOrphaned();
require(ENTRY);
