#!/usr/bin/env node
'use strict';
// `npm run bench`: the load benchmark of issue #5. Builds the API, provisions a redis-server and
// a fresh Postgres database the way `npm test` does (scripts/lib), starts the bench variant of
// the API (apps/bench/src: AppModule plus ceiling, counters and the @nestjs/cache-manager peer)
// in production mode as separate processes, seeds, and drives load with autocannon from child
// processes: warm-up, then rounds in which every row runs once, each run between two runs of the
// bare app; each row's ratio to bare is the median of its per-round ratios to the runs around it.
//
//   npm run bench                 full run (~17 min), writes apps/bench/results/latest.{json,md}
//   npm run bench -- --quick      < 1 min, proves the harness works: results/quick.{json,md}
//   npm run bench -- --no-build   use dist/ as it is (by default it is rebuilt when a source is newer)
//   npm run bench -- --head       measure the last commit, not the working tree: export HEAD to a
//                                 temporary folder (git archive), build and run there
//   npm run bench -- --profile    also one run per row under the V8 profiler of its process, after
//                                 the measured rounds: each row's top frames and packages
//   npm run bench -- --ablation   also the L1 hit and /health/live on fresh copies of main: as
//                                 deployed, request logs off, rate limit off, both off (what each
//                                 duty costs a request), request lines with header sets
//                                 (LOG_REQUEST_HEADERS=true), and the miss path on the as-deployed copy
//   npm run bench -- --only=l1,live   while working on a path: those rows and bare only, 5 rounds of
//                                 4 s at 50 connections, no stampede or library run; prints the
//                                 table (and the profiles with --profile), writes no results
//
// Processes (each stopped by its PID however the run ends), all but bare as deployed (production
// mode, request logs on, to a file; see lib/api-process.js):
//   bare   a bare Nest app (apps/bench/src/bare), one route answering the same body: the ceiling
//          every row is reported against
//   main   defaults (L1 + Redis)     rows: /health/live, app ceiling, uncached query, L1 hit, miss path, peer
//   l2     CACHE_L1_ENABLED=false    rows: L2 hit (one key, then 1,000 keys), and this process's
//                                    ceiling (its API key lookup is an L2 hit too)
//   off    CACHE_ENABLED=false       row: uncached
//   second defaults, main's prefix   the stampede's second instance
// This machine may have 2 cores: the load generator, the server under load, Redis and Postgres
// share them. Nothing is pinned; compare rows of one run, not runs of different machines.
const { execFile, spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { Cleanup } = require('../../scripts/lib/cleanup');
const { ProcessRegistry } = require('../../scripts/lib/processes');
const { startApi, killApisNow } = require('./lib/api-process');
const { machineInfo } = require('./lib/environment');
const { startHarness, exitWhenDone } = require('./lib/harness');
const { realBody, prepareRows, measure, profileRows, runStampede } = require('./lib/measure');
const { evaluateTargets, renderText, renderMarkdown } = require('./lib/report');
const { seed } = require('./lib/seed');

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, 'results');

const QUICK = process.argv.includes('--quick');
const BUILD = !process.argv.includes('--no-build');
const PROFILE = process.argv.includes('--profile');
const ABLATION = process.argv.includes('--ablation');
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
// rounds: per connection count. Every row's run sits between two runs of bare (lib/measure.js).
const SETTINGS = ONLY
  ? { warmupSeconds: 2, durationSeconds: 4, rounds: { 50: 5 }, connections: [50], missKeys: 20_000 }
  : QUICK
  ? { warmupSeconds: 0, durationSeconds: 1, rounds: { 50: 1, 10: 1 }, connections: [50, 10], missKeys: 5_000, stampedeTrials: 1, stampedeConcurrency: 200, microRounds: 1, microMeasureMs: 150 }
  : { warmupSeconds: 3, durationSeconds: 4, rounds: { 50: 5, 10: 3 }, connections: [50, 10], missKeys: 60_000, stampedeTrials: 3, stampedeConcurrency: 300, microRounds: 3, microMeasureMs: 2_000 };

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

const cleanup = new Cleanup(log);
const registry = new ProcessRegistry();

async function main() {
  if (process.argv.includes('--head')) return runOnHead();
  const harness = await startHarness({
    name: 'bench',
    log,
    cleanup,
    registry,
    killApisNow,
    quick: QUICK,
    build: BUILD,
    busyWarning: 'something else is running, figures will be noisy',
    quickSkipNote: '--quick skips the run rather than fail CI on a machine without Postgres',
    trackLoadMax: true, // the rows are read against the highest load of the run
  });
  if (harness === undefined) return 0; // --quick without Postgres
  const { startedAt, source, rigDir, redis, database, loadAverage } = harness;

  const adminToken = crypto.randomBytes(24).toString('hex');
  // REDIS_COMMAND_TIMEOUT_MS: the default 50 ms is for production hardware. Here the load generator
  // shares two cores with the server and Redis, a command can wait longer than that for a CPU, and
  // a timed-out command opens the circuit: the L2 rows would then measure the in-process fallback.
  const common = { DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN: adminToken, REDIS_COMMAND_TIMEOUT_MS: '1000' };
  const apis = {};
  const start = async (name, env, entry = 'app') => {
    const logFile = path.join(rigDir, `${name}.log`);
    const api = await startApi({ name, env: { ...common, ...env }, log, entry, logFile });
    cleanup.add(`stop ${name}`, () => api.stop());
    log(`${name}: pid ${api.pid}, ${api.baseUrl}`);
    return (apis[name] = api);
  };
  // main first: it runs the migrations the others then find done.
  await start('main', { CACHE_KEY_PREFIX: 'bench_main' });
  const target = await seed({ api: apis.main, databaseUrl: database.url, adminToken, missKeys: SETTINGS.missKeys, log });
  const bodyFile = path.join(rigDir, 'bare-body.json');
  fs.writeFileSync(bodyFile, JSON.stringify(await realBody(apis, target)));
  await Promise.all([
    start('l2', { CACHE_KEY_PREFIX: 'bench_l2', CACHE_L1_ENABLED: 'false' }),
    start('off', { CACHE_ENABLED: 'false' }),
    start('bare', { BENCH_BARE_BODY_FILE: bodyFile }, 'bare'),
  ]);
  if (ABLATION) {
    // What each per-request duty costs: fresh copies of main as deployed, with request logs off,
    // with the rate limit off, and with both off. All four start together and serve only their
    // own rows, so none carries main's history (the seeding, the other rows' heap and L1).
    await Promise.all([
      start('asis', { CACHE_KEY_PREFIX: 'bench_asis' }),
      start('nolog', { CACHE_KEY_PREFIX: 'bench_nolog', LOG_REQUESTS: 'false' }),
      start('nolimit', { CACHE_KEY_PREFIX: 'bench_nolimit', RATE_LIMIT_ENABLED: 'false' }),
      start('lean', { CACHE_KEY_PREFIX: 'bench_lean', LOG_REQUESTS: 'false', RATE_LIMIT_ENABLED: 'false' }),
      // The request line as it was before it left header sets out by default.
      start('headers', { CACHE_KEY_PREFIX: 'bench_headers', LOG_REQUEST_HEADERS: 'true' }),
    ]);
  }

  let rows = await prepareRows(apis, target, { cleanup, log });
  if (ONLY) rows = rows.filter((row) => row.id === 'bare' || ONLY.includes(row.id));
  const redisPort = Number(new URL(redis.url).port);
  const levels = await measure(rows, target, { settings: SETTINGS, log, redisPort });
  const profiles = PROFILE ? await profileRows(rows, target, { settings: SETTINGS, log, redisPort }) : undefined;
  if (ONLY) {
    for (const name of Object.keys(apis)) await apis[name].stop();
    await cleanup.run();
    process.stdout.write(renderText({ mode: 'partial', settings: SETTINGS, target, levels, profiles, machine: machineInfo(database), loadAverage: loadAverage(), serverWarnings: Object.fromEntries(Object.values(apis).map((api) => [api.name, api.warnings])), micro: [], targets: evaluateTargets({ levels, micro: [] }) }) + '\n');
    return 0;
  }
  const second = await start('second', { CACHE_KEY_PREFIX: 'bench_main' });
  const stampede = await runStampede(apis.main, second, target, SETTINGS, log);
  for (const name of Object.keys(apis)) await apis[name].stop();

  log('library microbenchmark');
  const { contenders: micro, l2Floor } = await runMicro(redis.url);
  await cleanup.run();

  const results = {
    mode: QUICK ? 'quick' : 'full',
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `npm run bench${QUICK || PROFILE || ABLATION ? ` --${QUICK ? ' --quick' : ''}${PROFILE ? ' --profile' : ''}${ABLATION ? ' --ablation' : ''}` : ''}`,
    settings: SETTINGS,
    target: { kind: target.kind, route: target.route, bytesPerResponse: rows.find((r) => r.id === 'l1').bytes },
    machine: machineInfo(database),
    source,
    loadAverage: loadAverage(),
    levels,
    profiles,
    serverWarnings: Object.fromEntries(Object.values(apis).map((api) => [api.name, api.warnings])),
    stampede,
    micro,
    l2Floor,
  };
  harness.stopLoadSampler();
  results.targets = evaluateTargets(results);
  const base = QUICK ? 'quick' : 'latest';
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${base}.json`), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(RESULTS_DIR, `${base}.md`), renderMarkdown(results));
  process.stdout.write(renderText(results) + '\n');
  log(`wrote ${path.join(RESULTS_DIR, base)}.{json,md} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  const broken = levels.flatMap((l) => l.rows).filter((row) => row.requests === 0 || row.errors > 0);
  if (broken.length > 0) {
    log(`rows with errors: ${broken.map((r) => r.label).join(', ')}`);
    return 1;
  }
  return 0;
}

/** --head: the same bench, run from an export of HEAD, so uncommitted work neither breaks nor skews it. */
async function runOnHead() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-cache-bench-head-'));
  try {
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    const exported = spawnSync('sh', ['-c', 'git archive --format=tar HEAD | tar -x -C "$1"', 'sh', dir], { cwd: ROOT, stdio: 'inherit' });
    if (exported.status !== 0) throw new Error('git archive HEAD failed');
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    log(`measuring commit ${commit}, exported to ${dir}`);
    const args = process.argv.slice(2).filter((arg) => arg !== '--head');
    const child = spawn(process.execPath, [path.join(dir, 'apps', 'bench', 'run.js'), ...args], {
      cwd: dir,
      stdio: 'inherit',
      env: { ...process.env, BENCH_SOURCE_COMMIT: commit, BENCH_RESULTS_DIR: RESULTS_DIR },
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    return await new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runMicro(redisUrl) {
  const settings = { redisUrl, rounds: SETTINGS.microRounds, measureMs: SETTINGS.microMeasureMs };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, 'micro.mjs'), JSON.stringify(settings)], { cwd: ROOT, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`microbenchmark failed: ${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

exitWhenDone(main, { log, cleanup });
