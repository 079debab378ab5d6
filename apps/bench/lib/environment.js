'use strict';
// The build the bench runs, and the machine it ran on.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { changedSince } = require('../../../scripts/lib/build-inputs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BUILD_ENTRY = path.join(ROOT, 'dist', 'apps', 'bench', 'src', 'main.js');
// What the build reads; a change to any of them makes dist/ stale.
const BUILD_INPUTS = ['src', 'libs', 'apps/bench/src', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

/** Runs `nest build` (the API and apps/bench/src into dist/) unless dist/ is newer than every input. */
function buildIfStale(log) {
  const built = fs.existsSync(BUILD_ENTRY) ? fs.statSync(BUILD_ENTRY).mtimeMs : 0;
  const changed = changedSince(ROOT, BUILD_INPUTS, built);
  if (changed === undefined) return log('dist/ is up to date');
  log(`building (${built === 0 ? 'no build yet' : `${changed} changed`}): nest build`);
  const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] });
  const result = spawnSync(process.execPath, [nest, 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`nest build failed (exit ${result.status ?? result.signal})`);
}

/** nproc, CPU model (/proc/cpuinfo), memory, Node, database and Redis versions. */
function machineInfo(database) {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const redisVersion = /v=(\S+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'unknown';
  return {
    nproc: Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || os.availableParallelism(),
    cpuModel: model.trim(),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    database: database.kind === 'postgres' ? 'local Postgres' : database.kind,
    redis: redisVersion,
  };
}

/** The commit measured, and the files built from the working tree that differ from it. */
function sourceState() {
  // run.js --head runs from an export of HEAD, which has no .git: it passes the commit.
  if (process.env.BENCH_SOURCE_COMMIT) return { commit: process.env.BENCH_SOURCE_COMMIT, uncommittedSources: [] };
  const git = (...args) => (spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout ?? '').trimEnd();
  const changed = git('status', '--porcelain', '--', ...BUILD_INPUTS)
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
  return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedSources: changed };
}

module.exports = { buildIfStale, machineInfo, sourceState };
