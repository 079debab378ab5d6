#!/usr/bin/env node
'use strict';
// `npm test`: provisions the services the tests talk to, runs Jest, prints "N passed, N failed".
//
// It starts its own redis-servers on free loopback ports (a standalone one, a TLS one with a
// password, a 3-master cluster), gets a fresh Postgres database (TEST_DATABASE_URL's server,
// else the local Postgres on 127.0.0.1:5432, else PGlite; TEST_PG_DISABLE_LOCAL=1 skips the
// local one), hands them to Jest through TEST_* variables (see test/support/env.ts), and
// stops/drops all of it however the run ends. Extra arguments go to Jest:
//   npm test -- test/rig.e2e-spec.ts      npm test -- --selectProjects unit
// Dependencies first: what follows may load npm packages.
require('./lib/dependencies').ensureDependencies((message) => process.stderr.write(`[test rig] ${message}\n`));

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { ensureBinaries } = require('./lib/binaries');
const { Cleanup } = require('./lib/cleanup');
const { delay } = require('./lib/redis-process');
const { ProcessRegistry, createRigDir, sweepAbandonedRigDirs, killRedisServersUnder } = require('./lib/processes');
const { startStandaloneRedis, startTlsRedis, startCluster, provisionDatabase } = require('./lib/services');
const { summarize, formatSummary } = require('./lib/jest-summary');
const { workerCount } = require('./lib/jest-args');

const ROOT = path.resolve(__dirname, '..');
// Jest writes to a file of this run's own (several runs may share a checkout, as on a developer's
// machine); it becomes .test-output/jest-results.json once read.
const RESULTS_FILE = path.join(ROOT, '.test-output', 'jest-results.json');
const RUN_RESULTS_FILE = path.join(ROOT, '.test-output', `jest-results.${process.pid}.json`);
const JEST_BIN = path.join(ROOT, 'node_modules', '.bin', 'jest');
const JEST_EXIT_GRACE_MS = 30_000;

function log(message) {
  process.stderr.write(`[test rig] ${message}\n`);
}

const cleanup = new Cleanup(log);
const registry = new ProcessRegistry();

async function main() {
  const jestArgs = process.argv.slice(2);
  let jest = null;
  let provisioning = Promise.resolve();
  let stopping = null;
  // Once a signal has come, the handler below owns the end of the run; main() just waits.
  const halt = () => new Promise(() => {});

  const onSignal = (signal) => {
    if (stopping) return; // a second signal while stopping: let the cleanup finish
    stopping = signal;
    log(`${signal}: stopping`);
    if (jest && jest.exitCode === null) jest.kill(signal);
    void (async () => {
      // Let in-flight start-ups register what they started, so that gets stopped too.
      await Promise.race([provisioning.catch(() => {}), delay(10_000)]);
      if (jest) {
        if (jest.exitCode === null) jest.kill(signal);
        await waitForExit(jest, 10_000);
      }
      await cleanup.run();
      fs.rmSync(RUN_RESULTS_FILE, { force: true });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    })();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  process.on('exit', () => registry.killAllNow());

  sweepAbandonedRigDirs(log);
  // The /cache/ui browser tests drive Debian's Chromium through playwright-core (no browser download).
  ensureBinaries(log, { chromium: 'chromium' });

  const rigDir = createRigDir();
  cleanup.add('remove temp dir', () => fs.rmSync(rigDir, { recursive: true, force: true }));
  cleanup.add('stop leftover redis-servers', () => {
    const pids = killRedisServersUnder(rigDir);
    if (pids.length) log(`killed redis-server ${pids.join(', ')} left running by a test`);
  });
  cleanup.add('stop redis-servers', () => registry.stopAll());

  const started = Date.now();
  const tasks = {
    redis: startStandaloneRedis(rigDir, registry),
    redisTls: startTlsRedis(rigDir, registry),
    cluster: startCluster(rigDir, registry),
    database: provisionDatabase(cleanup, workerCount(jestArgs, require(path.join(ROOT, 'jest.config.js'))), log),
  };
  provisioning = Promise.allSettled(Object.values(tasks));
  const settled = await provisioning;
  if (stopping) return halt();
  const failures = settled.filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    for (const failure of failures) log(`could not provision: ${failure.reason?.stack ?? failure.reason}`);
    await cleanup.run();
    console.log('0 passed, 1 failed');
    return 1;
  }
  const [redis, redisTls, cluster, database] = settled.map((result) => result.value);
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)}s: redis ${redis.url}, ` +
      `redis TLS 127.0.0.1:${redisTls.port}, cluster ${cluster}, ${database.kind} ${database.description}`,
  );

  const env = {
    ...process.env,
    TEST_RIG_DIR: rigDir,
    TEST_REDIS_URL: redis.url,
    TEST_REDIS_TLS_URL: redisTls.url,
    TEST_REDIS_TLS_CA: redisTls.caFile,
    TEST_REDIS_CLUSTER_NODES: cluster,
    TEST_DATABASE_URL: database.url,
    TEST_DATABASE_KIND: database.kind,
  };
  if (database.workerUrls) env.TEST_PGLITE_URLS = database.workerUrls.join(',');
  else delete env.TEST_PGLITE_URLS;

  fs.mkdirSync(path.dirname(RUN_RESULTS_FILE), { recursive: true });
  fs.rmSync(RUN_RESULTS_FILE, { force: true });
  jest = spawn(JEST_BIN, ['--json', `--outputFile=${path.relative(ROOT, RUN_RESULTS_FILE)}`, ...jestArgs], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const hung = watchForHang(jest);
  const jestExit = await waitForExit(jest);
  hung.stop();
  if (stopping) return halt();

  await cleanup.run();

  const summary = summarize(RUN_RESULTS_FILE);
  if (!summary) {
    if (jestExit === 0) {
      log('Jest ran no tests and wrote no results (e.g. --listTests)');
      console.log('0 passed, 0 failed');
      return 0;
    }
    log('Jest wrote no results; counting the run as one failure');
    console.log('0 passed, 1 failed');
    return 1;
  }
  fs.renameSync(RUN_RESULTS_FILE, RESULTS_FILE);
  for (const note of summary.notes) log(note);
  if (hung.fired) {
    summary.failed += 1;
    log('counted one failure for the open handles that kept Jest from exiting');
  }
  console.log(formatSummary(summary));
  if (jestExit !== 0) return jestExit || 1;
  return summary.failed > 0 || hung.fired ? 1 : 0;
}

/** Resolves with the exit code (1 when killed by a signal); SIGKILLs after `timeoutMs` if given. */
function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? 1);
  return new Promise((resolve) => {
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : null;
    const done = (code) => {
      if (timer) clearTimeout(timer);
      resolve(code);
    };
    child.once('exit', (code) => done(code ?? 1));
    child.once('error', (error) => {
      log(`could not run ${child.spawnfile}: ${error.message} (did npm ci run?)`);
      done(1);
    });
  });
}

/**
 * Jest without --forceExit waits for open handles forever. Once it has written its results,
 * give it JEST_EXIT_GRACE_MS to exit, then stop it and count the leak as a failure, so a
 * leaking test fails the run instead of hanging CI.
 */
function watchForHang(jest) {
  const state = { fired: false, stop: () => clearInterval(timer) };
  let writtenAt = null;
  const timer = setInterval(() => {
    if (writtenAt === null) {
      if (fs.existsSync(RUN_RESULTS_FILE)) writtenAt = Date.now();
      return;
    }
    if (Date.now() - writtenAt > JEST_EXIT_GRACE_MS && jest.exitCode === null) {
      state.fired = true;
      clearInterval(timer);
      log(`Jest has not exited ${JEST_EXIT_GRACE_MS / 1000}s after the run: something left a handle open ` +
        '(find it with: npm test -- --detectOpenHandles). Stopping Jest.');
      jest.kill('SIGTERM');
      setTimeout(() => jest.exitCode === null && jest.kill('SIGKILL'), 5000).unref();
    }
  }, 1000);
  return state;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    log(error.stack ?? String(error));
    await cleanup.run();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
