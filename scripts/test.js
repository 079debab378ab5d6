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
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const { ensureBinaries } = require('./lib/binaries');
const { getFreePort } = require('./lib/ports');
const { startRedisProcess, delay } = require('./lib/redis-process');
const { startRedisCluster } = require('./lib/redis-cluster');
const { generateTlsCertificates } = require('./lib/tls-certs');
const { ProcessRegistry, createRigDir, sweepAbandonedRigDirs, killRedisServersUnder } = require('./lib/processes');
const { assertLoopback, findLocalPostgres, createRunDatabase, dropAbandonedDatabases } = require('./lib/postgres');
const { startPglite } = require('./lib/pglite');
const { summarize, formatSummary } = require('./lib/jest-summary');
const { workerCount } = require('./lib/jest-args');

const ROOT = path.resolve(__dirname, '..');
// Jest writes to a file of this run's own (several runs may share a checkout, as on a developer's
// machine); it becomes .test-output/jest-results.json once read.
const RESULTS_FILE = path.join(ROOT, '.test-output', 'jest-results.json');
const RUN_RESULTS_FILE = path.join(ROOT, '.test-output', `jest-results.${process.pid}.json`);
const JEST_BIN = path.join(ROOT, 'node_modules', '.bin', 'jest');
const JEST_EXIT_GRACE_MS = 30_000;
const CLUSTER_MASTERS = 3;
// Each PGlite takes ~2 s and a few hundred MB to start; workers past this share by modulo.
const MAX_PGLITE_INSTANCES = 4;

function log(message) {
  process.stderr.write(`[test rig] ${message}\n`);
}

/**
 * Cleanup steps, newest first, each run whatever the others do. A step added after the cleanup
 * has started (a service that came up while the run was being stopped) still runs.
 */
class Cleanup {
  constructor() {
    this.steps = [];
    this.done = null;
  }

  add(name, step) {
    this.steps.push({ name, step });
    if (this.done) this.done = this.done.then(() => this.drain());
  }

  run() {
    this.done ??= this.drain();
    return this.done;
  }

  async drain() {
    while (this.steps.length > 0) {
      const { name, step } = this.steps.pop();
      try {
        await step();
      } catch (error) {
        log(`cleanup: ${name} failed: ${error.message}`);
      }
    }
  }
}

const cleanup = new Cleanup();
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
  ensureBinaries(log);

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
    database: provisionDatabase(cleanup, workerCount(jestArgs, require(path.join(ROOT, 'jest.config.js')))),
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

/** Starts a rig-owned redis-server in its own folder, retrying if its free port was taken meanwhile. */
async function startRigRedis(rigDir, registry, name, options = {}) {
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const dir = fs.mkdtempSync(path.join(rigDir, `${name}-`));
    const port = await getFreePort();
    try {
      return registry.track(await startRedisProcess({ dir, port, ...options }));
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(error.message)) break;
    }
  }
  throw lastError;
}

async function startStandaloneRedis(rigDir, registry) {
  const server = await startRigRedis(rigDir, registry, 'redis');
  return { url: `redis://127.0.0.1:${server.port}` };
}

async function startTlsRedis(rigDir, registry) {
  const certDir = fs.mkdtempSync(path.join(rigDir, 'tls-certs-'));
  const tls = generateTlsCertificates(certDir);
  const password = crypto.randomBytes(12).toString('hex');
  const server = await startRigRedis(rigDir, registry, 'redis-tls', { tls, password });
  return { port: server.port, url: `rediss://:${password}@127.0.0.1:${server.port}`, caFile: tls.caFile };
}

async function startCluster(rigDir, registry) {
  const { addresses } = await startRedisCluster({
    masters: CLUSTER_MASTERS,
    getFreePort,
    startNode: (args) => startRigRedis(rigDir, registry, 'cluster-node', { args }),
  });
  return addresses.join(',');
}

/** A fresh database on a Postgres server, or PGlite. Registers its own cleanup. */
async function provisionDatabase(cleanup, workers) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let origin = 'TEST_DATABASE_URL';
  if (serverUrl) {
    assertLoopback(serverUrl);
  } else if (process.env.TEST_PG_DISABLE_LOCAL === '1') {
    log('TEST_PG_DISABLE_LOCAL=1: not looking for a local Postgres');
  } else {
    serverUrl = await findLocalPostgres(log);
    origin = 'local Postgres';
  }
  if (serverUrl) {
    let database;
    try {
      await dropAbandonedDatabases(serverUrl, log);
      database = await createRunDatabase(serverUrl);
    } catch (error) {
      throw new Error(`could not create a test database on ${origin} (${redact(serverUrl)}): ${error.message}`);
    }
    cleanup.add('drop test database', () => database.drop());
    return { kind: 'postgres', url: database.url, description: `database ${database.name} on ${origin}` };
  }
  const pglite = await startPglite(Math.min(workers, MAX_PGLITE_INSTANCES), log);
  cleanup.add('stop PGlite', () => pglite.stop());
  return {
    kind: 'pglite',
    url: pglite.urls[0],
    workerUrls: pglite.urls,
    description: `x${pglite.urls.length} (one per Jest worker, one connection at a time each)`,
  };
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
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
