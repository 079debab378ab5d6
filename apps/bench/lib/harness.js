'use strict';
// The start-up and the end the bench and the soak share (apps/bench/run.js, apps/soak/run.js):
// signal handling, the rig's services (a redis-server and a fresh Postgres database, with the test
// rig's helpers, scripts/lib), what a report says about the build and the machine, and the exit.
// What differs between the two is passed in, not guessed here.
const fs = require('node:fs');
const os = require('node:os');
const { stopOnSignals } = require('../../../scripts/lib/cleanup');
const { createRigDir, sweepAbandonedRigDirs } = require('../../../scripts/lib/processes');
const { ensureBinaries } = require('../../../scripts/lib/binaries');
const { startStandaloneRedis, provisionDatabase } = require('../../../scripts/lib/services');
const { buildIfStale, sourceState } = require('./environment');

/**
 * Runs the start-up up to a redis-server and a Postgres database, logging as it goes.
 *
 * @param {object} options
 * @param {string} options.name  'bench' or 'soak': who needs Postgres, in the message when there is none
 * @param {(message: string) => void} options.log
 * @param {import('../../../scripts/lib/cleanup').Cleanup} options.cleanup  the caller's, made before
 *   main(): its error handler runs the cleanup however far the start-up got
 * @param {import('../../../scripts/lib/processes').ProcessRegistry} options.registry  the caller's, likewise
 * @param {() => void} options.killApisNow  of the launcher the runner starts its APIs with (the bench
 *   and the soak each have their own, each keeping its own children)
 * @param {boolean} options.quick  without Postgres: skip the run (--quick) or fail
 * @param {boolean} options.build  rebuild dist/ when a source is newer (false: --no-build)
 * @param {string} options.busyWarning  said after the load average when the machine is busy
 * @param {string} options.quickSkipNote  said after the missing Postgres when --quick skips the run
 * @param {boolean} [options.trackLoadMax]  sample the highest 1-minute load every 5 s (the soak samples its own)
 * @returns {Promise<{ startedAt: Date, source: object, loadBefore: number, rigDir: string,
 *   redis: { url: string }, database: object, loadAverage(): object, stopLoadSampler(): void } | undefined>}
 *   undefined when --quick found no Postgres: the cleanup has run, the run is skipped
 */
async function startHarness({ name, log, cleanup, registry, killApisNow, quick, build, busyWarning, quickSkipNote, trackLoadMax = false }) {
  stopOnSignals(cleanup, log, () => {
    killApisNow();
    registry.killAllNow();
  });

  const startedAt = new Date();
  sweepAbandonedRigDirs(log);
  ensureBinaries(log);
  if (build) buildIfStale(log);
  const source = sourceState(); // what dist/ was built from (others may commit during the run)
  const loadBefore = os.loadavg()[0];
  // Other work on the machine skews the rows it overlaps; the highest 1-minute load says how much.
  let loadMax = loadBefore;
  const loadSampler = trackLoadMax ? setInterval(() => (loadMax = Math.max(loadMax, os.loadavg()[0])), 5_000).unref() : undefined;
  if (loadBefore > os.availableParallelism() / 2) {
    log(`load average ${loadBefore.toFixed(2)} on ${os.availableParallelism()} CPUs: ${busyWarning}`);
  }

  const rigDir = createRigDir();
  cleanup.add('remove temp dir', () => fs.rmSync(rigDir, { recursive: true, force: true }));
  cleanup.add('stop redis-server', () => registry.stopAll());
  const [redis, database] = await Promise.all([startStandaloneRedis(rigDir, registry), provisionDatabase(cleanup, 1, log)]);
  if (database.kind !== 'postgres') {
    // Several API processes share the database, and PGlite serves one connection at a time.
    const why = `no Postgres (TEST_DATABASE_URL, or 127.0.0.1:5432 unless TEST_PG_DISABLE_LOCAL=1): the ${name} needs one`;
    if (!quick) throw new Error(why);
    log(`${why}; ${quickSkipNote}`);
    await cleanup.run();
    return undefined;
  }
  log(`redis ${redis.url}, ${database.description}`);

  return {
    startedAt,
    source,
    loadBefore,
    rigDir,
    redis,
    database,
    /** Before, highest (with trackLoadMax; else before) and now, as the bench reports them. */
    loadAverage: () => ({ before: +loadBefore.toFixed(2), max: +loadMax.toFixed(2), after: +os.loadavg()[0].toFixed(2) }),
    stopLoadSampler: () => clearInterval(loadSampler),
  };
}

/** Runs main() and exits with its code; when it throws, logs the error, runs the cleanup and exits 1. */
function exitWhenDone(main, { log, cleanup }) {
  main().then(
    (code) => process.exit(code),
    async (error) => {
      log(error.stack ?? String(error));
      await cleanup.run();
      process.exit(1);
    },
  );
}

module.exports = { startHarness, exitWhenDone };
