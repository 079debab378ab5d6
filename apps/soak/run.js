#!/usr/bin/env node
'use strict';
// `npm run soak`: issue #11's soak. Two instances of the API as deployed (built dist/,
// NODE_ENV=production, request log on, default cache and Redis settings) share one
// redis-server and one fresh Postgres database, both started for the run with the test rig's
// helpers (scripts/lib). A steady mixed load runs for the given time: 90 % reads of users and
// user lists over both instances, 10 % writes on the first, each followed right after its 2xx
// by a read of the same user on the second. A read that shows an older version than the last
// write acknowledged before it was sent is stale (apps/soak/lib/traffic.js). Meanwhile each
// process's RSS is sampled every 10 s, each instance's breaker (GET /cache/health) every 2 s,
// and the load average every 5 s.
//
//   npm run soak                          5 minutes at 60 req/s: apps/soak/results/latest.{json,md}
//   npm run soak -- --minutes 15 --rps 300   (a quiet machine: 60 is what a 2-core machine shared
//                                         with other work held; the report says when a rate was not held)
//   npm run soak -- --quick               ~20 s, proves the harness works: results/quick.{json,md}
//   npm run soak -- --no-build            use dist/ as it is (by default rebuilt when a source is newer)
//
// Exits 1 when any read was stale or any request failed. Every process it starts is stopped by
// its PID however the run ends (Ctrl-C included); a failed run keeps the two API logs in
// $TMPDIR/nest-cache-soak-logs-<pid>/ for reading.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { Cleanup } = require('../../scripts/lib/cleanup');
const { ProcessRegistry } = require('../../scripts/lib/processes');
const { warningsInLog, killApisNow } = require('../../scripts/lib/api-process');
const { machineInfo } = require('../bench/lib/environment');
const { startHarness, exitWhenDone } = require('../bench/lib/harness');
const { Traffic } = require('./lib/traffic');
const { setUp } = require('./lib/setup');
const { startFleet, SERVER_ENV } = require('./lib/fleet');
const { Samplers } = require('./lib/samplers');
const { memoryVerdict, classifyWarnings, breakerOutages, staleAgainstOutages, loadSummary, renderMarkdown } = require('./lib/report');

/** Info lines of the cache worth reporting beside the warnings: the circuit closing, L1 dropped. */
const CACHE_EVENTS = /Redis is back|Dropping the in-process tier/;
const RESULTS_DIR = process.env.SOAK_RESULTS_DIR ?? path.join(__dirname, 'results');

function log(message) {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const number = (flag, fallback) => {
    const at = argv.indexOf(flag);
    if (at < 0) return fallback;
    const value = Number(argv[at + 1]);
    if (!(value > 0)) throw new Error(`${flag} needs a positive number, got ${JSON.stringify(argv[at + 1])}`);
    return value;
  };
  const known = new Set(['--quick', '--no-build', '--minutes', '--rps', '--users']);
  for (let i = 0; i < argv.length; i++) {
    if (!known.has(argv[i])) throw new Error(`unknown argument ${argv[i]} (use --minutes N, --rps N, --users N, --quick, --no-build)`);
    if (['--minutes', '--rps', '--users'].includes(argv[i])) i += 1;
  }
  return {
    quick,
    build: !argv.includes('--no-build'),
    settings: {
      minutes: number('--minutes', quick ? 0.35 : 5),
      rps: number('--rps', 60),
      users: number('--users', 200),
      listShare: 0.1,
      listLimit: 50,
      maxInFlight: 100,
      rampSeconds: quick ? 3 : 10,
      rssEverySeconds: 10,
      healthEverySeconds: 2,
    },
  };
}

const cleanup = new Cleanup(log);
const registry = new ProcessRegistry();

async function main() {
  const { quick, build, settings } = parseArgs(process.argv.slice(2));
  const harness = await startHarness({
    name: 'soak',
    log,
    cleanup,
    registry,
    killApisNow,
    quick,
    build,
    busyWarning: 'the machine is busy, latencies will show it',
    quickSkipNote: '--quick skips the run',
    trackLoadMax: false, // the samplers read the load during the traffic (every 5 s)
  });
  if (harness === undefined) return 0; // --quick without Postgres
  const { startedAt, source, loadBefore, rigDir, redis, database } = harness;
  const { adminToken, apis } = await startFleet({ cleanup, rigDir, redis, database, log });
  const [writer, reader] = apis;
  const serverEnv = SERVER_ENV;

  const { apiKey, users } = await setUp(writer, adminToken, settings.users);
  log(`created an organization and ${users.length} users`);
  const traffic = new Traffic({
    instances: [writer, reader],
    apiKey,
    users,
    rps: settings.rps,
    listShare: settings.listShare,
    listLimit: settings.listLimit,
    maxInFlight: settings.maxInFlight,
    rampMs: settings.rampSeconds * 1000,
  });
  const samplers = new Samplers({
    apis,
    adminToken,
    rssEveryMs: settings.rssEverySeconds * 1000,
    healthEveryMs: settings.healthEverySeconds * 1000,
    loadEveryMs: 5_000,
    log,
  });
  const durationMs = settings.minutes * 60_000;
  log(`traffic: ${settings.rps} req/s for ${settings.minutes.toFixed(2)} min over ${users.length} users`);
  samplers.start();
  cleanup.add('stop sampling', () => samplers.stop()); // a run stopped early (Ctrl-C)
  await traffic.run(durationMs, (w) =>
    log(`t=${w.atSeconds} s: ${w.rps} req/s, p99 ${w.p99} ms, errors ${w.errors}, stale ${w.stale}; RSS ${apis.map((a) => `${a.name} ${samplers.rss[a.name].at(-1)?.mib} MiB`).join(', ')}; load ${os.loadavg()[0].toFixed(2)}`),
  );
  await samplers.stop();
  const summary = traffic.summary();
  for (const api of apis) await api.stop();

  const serverWarnings = {};
  const breakerOutagesByInstance = {};
  const endedAtWall = summary.startedAtWall + Math.round(summary.durationSeconds * 1000);
  for (const api of apis) {
    const lines = await warningsInLog(api.logFile, CACHE_EVENTS);
    serverWarnings[api.name] = classifyWarnings(lines);
    breakerOutagesByInstance[api.name] = breakerOutages(lines, summary.startedAtWall, endedAtWall);
  }
  const staleVsOutages = staleAgainstOutages(traffic.staleReads, breakerOutagesByInstance);
  const memory = Object.fromEntries(apis.map((api) => [api.name, memoryVerdict(samplers.rss[api.name], samplers.heap[api.name], summary.durationSeconds)]));
  const health = Object.fromEntries(
    Object.entries(samplers.health).map(([name, h]) => [name, { ...h, latencyMs: undefined, redisLatencyMaxMs: h.latencyMs.length ? Math.max(...h.latencyMs) : null }]),
  );
  const degradedSamples = Object.values(health).reduce((sum, h) => sum + h.degraded + h.down, 0);
  const failedHealthChecks = Object.values(health).reduce((sum, h) => sum + h.failed, 0);
  const verdicts = [
    `${summary.staleReads} stale read(s)`,
    `${summary.errors} failed request(s)`,
    `${degradedSamples} degraded breaker sample(s)${failedHealthChecks ? ` (+ ${failedHealthChecks} health check(s) unanswered)` : ''}`,
    ...apis.map((api) => `${api.name} memory ${memory[api.name].levelledOff === null ? 'not judged (short run)' : memory[api.name].levelledOff ? 'levelled off' : 'still growing'}`),
  ];
  // Not a failure of the soak, but it changes what it shows: the rate asked for was not held.
  if (summary.achievedRps < 0.9 * settings.rps || summary.skippedOverCap > 0) {
    verdicts.push(`saturated: ${summary.achievedRps} of ${settings.rps} req/s, ${summary.skippedOverCap} operation(s) dropped over the in-flight cap`);
  }
  const passed = summary.staleReads === 0 && summary.errors === 0;

  const results = {
    mode: quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    passed,
    verdicts,
    settings,
    serverEnv,
    machine: machineInfo(database),
    source,
    instances: apis.map((api) => ({ name: api.name, role: api === writer ? 'writes, reads' : 'follow-up reads, reads' })),
    loadAverage: loadSummary(samplers.load, loadBefore, os.loadavg()[0]),
    traffic: summary,
    health,
    degradedSamples,
    failedHealthChecks,
    memory,
    rss: samplers.rss,
    heap: samplers.heap,
    serverWarnings,
    breakerOutages: breakerOutagesByInstance,
    staleVsOutages,
  };
  const base = quick ? 'quick' : 'latest';
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${base}.json`), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(RESULTS_DIR, `${base}.md`), renderMarkdown(results));
  if (!passed) keepLogs(apis);
  await cleanup.run();
  log(`${passed ? 'PASS' : 'FAIL'}: ${verdicts.join('; ')}`);
  log(`${summary.requests} requests at ${summary.achievedRps} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms`);
  log(`wrote ${path.join(RESULTS_DIR, base)}.{json,md} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  return passed ? 0 : 1;
}

/** A failed run's API logs, moved out of the temp folder the cleanup removes. */
function keepLogs(apis) {
  const dir = path.join(os.tmpdir(), `nest-cache-soak-logs-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const api of apis) fs.copyFileSync(api.logFile, path.join(dir, path.basename(api.logFile)));
  log(`kept the API logs in ${dir}`);
}

exitWhenDone(main, { log, cleanup });
