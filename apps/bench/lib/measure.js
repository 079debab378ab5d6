'use strict';
// The measurements: each row checked once, then warm-up and interleaved rounds of load (every
// row once per round, so drift hits all rows alike), and the two-instance stampede.
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { sendCommand } = require('../../../scripts/lib/resp');
const { request, expectStatus } = require('./http');
const { runLoad } = require('./load');
const { topFrames } = require('./profile');
const { summarize } = require('./stats');

const SPREAD_KEYS = 1_000;

/** A real response of the measured route: the body the ceilings and the bare Nest app return. */
async function realBody(apis, target) {
  return (await expectStatus(200, apis.main.baseUrl + target.realPath, { headers: target.headers })).json();
}

/** The rows, each checked once (200, size) before any load; the ceilings are given a real response. */
async function prepareRows(apis, target, { cleanup, log }) {
  const headers = target.headers;
  const body = await realBody(apis, target);
  for (const api of [apis.main, apis.l2]) {
    await expectStatus(204, `${api.baseUrl}/bench/ceiling`, { method: 'POST', body });
  }
  const pathsFile = (name, paths) => {
    const file = path.join(os.tmpdir(), `bench-${name}-paths-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(paths));
    cleanup.add(`remove ${name} paths`, () => fs.rmSync(file, { force: true }));
    return file;
  };
  // A hot key's concurrent L2 reads share one GET in the tiered store; over 1,000 keys they rarely meet.
  const spreadPaths = target.missPaths.slice(0, SPREAD_KEYS);
  // bare first: every row is reported as a ratio of it.
  const rows = [
    { id: 'bare', label: 'bare Nest, same body (the ceiling)', api: apis.bare, path: '/bare' },
    { id: 'live', label: 'GET /health/live', api: apis.main, path: '/health/live', sameSize: false },
    { id: 'ceiling', label: 'app ceiling (guards, logs, metrics; constant body)', api: apis.main, path: target.ceilingPath },
    { id: 'uncached', label: 'uncached (CACHE_ENABLED=false)', api: apis.off, path: target.realPath },
    { id: 'uncached-query', label: 'uncached query, key lookup cached', api: apis.main, path: target.uncachedQueryPath },
    { id: 'l1', label: 'L1 hit', api: apis.main, path: target.realPath },
    { id: 'l2', label: 'L2 hit (CACHE_L1_ENABLED=false)', api: apis.l2, path: target.realPath },
    { id: 'ceiling-l2', label: 'ceiling in the L1-off process', api: apis.l2, path: target.ceilingPath },
    { id: 'l2-spread', label: `L2 hit, ${SPREAD_KEYS.toLocaleString('en-US')} keys`, api: apis.l2, path: spreadPaths[0], pathsFile: pathsFile('spread', spreadPaths) },
    { id: 'miss', label: 'miss path (unique keys)', api: apis.main, path: target.missPaths[0], pathsFile: pathsFile('miss', target.missPaths), clearFirst: true, nextTo: 'uncached-query' },
    { id: 'peer', label: 'peer (@nestjs/cache-manager, Keyv Redis)', api: apis.main, path: target.peerPath },
  ];
  // --ablation: fresh copies of main, as deployed and without one duty or two (run.js starts them).
  if (apis.asis) {
    rows.push(
      { id: 'live-asis', label: 'GET /health/live, fresh copy as deployed', api: apis.asis, path: '/health/live', sameSize: false },
      { id: 'l1-asis', label: 'L1 hit, fresh copy as deployed', api: apis.asis, path: target.realPath },
      { id: 'uncached-query-asis', label: 'uncached query, fresh copy as deployed', api: apis.asis, path: target.uncachedQueryPath },
      { id: 'miss-asis', label: 'miss path, fresh copy as deployed', api: apis.asis, path: target.missPaths[0], pathsFile: pathsFile('miss-asis', target.missPaths), clearFirst: true, nextTo: 'uncached-query-asis' },
      { id: 'live-nolog', label: 'GET /health/live, LOG_REQUESTS=false', api: apis.nolog, path: '/health/live', sameSize: false },
      { id: 'l1-nolog', label: 'L1 hit, LOG_REQUESTS=false', api: apis.nolog, path: target.realPath },
      { id: 'l1-nolimit', label: 'L1 hit, RATE_LIMIT_ENABLED=false', api: apis.nolimit, path: target.realPath },
      { id: 'l1-lean', label: 'L1 hit, both off', api: apis.lean, path: target.realPath },
      { id: 'live-headers', label: 'GET /health/live, LOG_REQUEST_HEADERS=true', api: apis.headers, path: '/health/live', sameSize: false },
      { id: 'l1-headers', label: 'L1 hit, LOG_REQUEST_HEADERS=true', api: apis.headers, path: target.realPath },
    );
  }
  for (const row of rows) {
    const response = await expectStatus(200, row.api.baseUrl + row.path, { headers });
    row.bytes = response.bytes;
  }
  const sizes = rows.filter((r) => r.sameSize !== false).map((r) => r.bytes);
  if (Math.max(...sizes) - Math.min(...sizes) > 64) log(`response sizes differ: ${rows.map((r) => `${r.id} ${r.bytes} B`).join(', ')}`);
  return rows;
}

/** Calls per Redis command so far (INFO commandstats); commands run inside Lua scripts count too. */
async function redisCommandCalls(redisPort) {
  const info = await sendCommand({ port: redisPort, timeoutMs: 2000 }, 'INFO', 'commandstats');
  const calls = {};
  for (const match of String(info).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return calls;
}

/** CPU seconds redis-server has used (INFO cpu: its main thread and the rest, user and system). */
async function redisCpuSeconds(redisPort) {
  const info = String(await sendCommand({ port: redisPort, timeoutMs: 2000 }, 'INFO', 'cpu'));
  const field = (name) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** CPU µs the API process has used (its control port's GET /cpu). */
async function apiCpuMicros(api) {
  const usage = (await expectStatus(200, `${api.controlUrl}/cpu`)).json();
  return usage.userMicros + usage.systemMicros;
}

/**
 * One load run of a row; records the Redis commands it caused per request, the CPU the API
 * process and redis-server spent per request, and for the miss path the loads.
 */
async function loadRow(row, target, connections, durationSeconds, redisPort) {
  if (row.clearFirst) await expectStatus(204, `${row.api.baseUrl}/bench/cache/clear`, { method: 'POST' });
  const before = row.clearFirst ? (await expectStatus(200, `${row.api.baseUrl}/bench/stats`)).json() : undefined;
  const callsBefore = await redisCommandCalls(redisPort);
  const [apiCpuBefore, redisCpuBefore] = [await apiCpuMicros(row.api), await redisCpuSeconds(redisPort)];
  const result = await runLoad({ url: row.api.baseUrl + row.path, connections, durationSeconds, headers: target.headers, pathsFile: row.pathsFile });
  const [apiCpuAfter, redisCpuAfter] = [await apiCpuMicros(row.api), await redisCpuSeconds(redisPort)];
  if (result.total > 0) {
    result.apiCpuMicrosPerRequest = (apiCpuAfter - apiCpuBefore) / result.total;
    result.redisCpuMicrosPerRequest = ((redisCpuAfter - redisCpuBefore) * 1e6) / result.total;
  }
  const callsAfter = await redisCommandCalls(redisPort);
  result.redisCommandsPerRequest = {};
  for (const [command, calls] of Object.entries(callsAfter)) {
    const delta = calls - (callsBefore[command] ?? 0) - (command === 'info' ? 1 : 0);
    if (delta > 0 && result.total > 0) result.redisCommandsPerRequest[command] = +(delta / result.total).toFixed(2);
  }
  if (before) {
    const after = (await expectStatus(200, `${row.api.baseUrl}/bench/stats`)).json();
    result.cacheLoads = after.loads - before.loads;
  }
  return result;
}

/**
 * Warm-up, then for each connection count its rounds. A round loads the bare app between every
 * two rows (bare, row 1, bare, row 2, ..., bare): each row's run is paired with the bare runs just
 * before and after it, and its "× bare" is the median over rounds of its req/s over theirs (and
 * of their CPU per request over its own). This machine's speed swings by a quarter within minutes;
 * a pair spans seconds, so the ratio reads the code, not the moment. The rows' order turns by one
 * each round, so no row always follows the same one.
 */
async function measure(rows, target, { settings, log, redisPort }) {
  if (settings.warmupSeconds > 0) {
    log(`warm-up: ${settings.warmupSeconds} s per row`);
    for (const row of rows) await loadRow(row, target, 50, settings.warmupSeconds, redisPort);
  }
  const bare = rows.find((row) => row.id === 'bare');
  const others = rows.filter((row) => row !== bare);
  const levels = [];
  for (const connections of settings.connections) {
    const rounds = new Map(rows.map((row) => [row.id, []]));
    const run = async (row, round) => {
      const result = await loadRow(row, target, connections, settings.durationSeconds, redisPort);
      rounds.get(row.id).push(result);
      log(`${connections} conns, round ${round}: ${row.id} ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99} ms, errors ${result.errors}` +
        (result.cacheLoads !== undefined ? `, loads ${result.cacheLoads}/${result.total}` : ''));
      return result;
    };
    const roundCount = settings.rounds[connections];
    for (let round = 1; round <= roundCount; round++) {
      let before = await run(bare, round);
      for (const row of roundOrder(others, round)) {
        const result = await run(row, round);
        const after = await run(bare, round);
        result.paired = pairedRatios(result, [before, after]);
        before = after;
      }
    }
    levels.push({
      connections,
      rounds: roundCount,
      rows: rows.map((row) => ({
        id: row.id,
        label: row.label,
        ...summarize(rounds.get(row.id)),
        ...(row.id === 'miss' ? { loadsPerRequest: rounds.get(row.id).map((r) => +(r.cacheLoads / r.total).toFixed(3)) } : {}),
      })),
    });
  }
  return levels;
}

/**
 * The rows' order in a round: turned by one each round, except that a row with `nextTo` always
 * runs right after that row (one bare run between them), since it is compared with it: the miss
 * path with the uncached query, whose quotient otherwise mixed moments up to a minute apart.
 */
function roundOrder(rows, round) {
  const followers = rows.filter((row) => row.nextTo !== undefined && rows.some((other) => other.id === row.nextTo));
  const leaders = rows.filter((row) => !followers.includes(row));
  const shift = (round - 1) % leaders.length;
  const order = [...leaders.slice(shift), ...leaders.slice(0, shift)];
  for (const follower of followers) order.splice(order.findIndex((row) => row.id === follower.nextTo) + 1, 0, follower);
  return order;
}

/**
 * A row's run against the bare runs around it: req/s over theirs (mean), and their API CPU per
 * request over its own (so that, like req/s, above 1 means cheaper than bare).
 */
function pairedRatios(result, bares) {
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const bareRps = mean(bares.map((r) => r.requestsPerSecond));
  const bareCpu = bares.map((r) => r.apiCpuMicrosPerRequest);
  return {
    rps: bareRps > 0 ? result.requestsPerSecond / bareRps : NaN,
    cpu: bareCpu.every(Number.isFinite) && Number.isFinite(result.apiCpuMicrosPerRequest) ? mean(bareCpu) / result.apiCpuMicrosPerRequest : NaN,
  };
}

/**
 * --profile: after the measured rounds (the profiler slows what it watches), one more run of
 * each row at 50 connections under the V8 sampling profiler of the process serving it; the
 * row's top frames and packages by self time, as shares of the process' busy samples.
 */
async function profileRows(rows, target, { settings, log, redisPort }) {
  const profiles = {};
  for (const row of rows) {
    const { recording: profile } = await recordedRun(row, 'profile', () => loadRow(row, target, 50, settings.durationSeconds, redisPort));
    profiles[row.id] = topFrames(profile, 25);
    // The whole profile too, for DevTools, when BENCH_CPU_PROF_DIR names a folder.
    if (process.env.BENCH_CPU_PROF_DIR) {
      fs.mkdirSync(process.env.BENCH_CPU_PROF_DIR, { recursive: true });
      fs.writeFileSync(path.join(process.env.BENCH_CPU_PROF_DIR, `row-${row.id}.cpuprofile`), JSON.stringify(profile));
    }
    // And where the row allocates (V8's sampling heap profiler, garbage included), when
    // BENCH_HEAP_PROF_DIR names a folder: one more run of the row.
    if (process.env.BENCH_HEAP_PROF_DIR) {
      const { recording: heap, result } = await recordedRun(row, 'heap', () => loadRow(row, target, 50, settings.durationSeconds, redisPort));
      heap.requests = result.total; // to read the samples as bytes per request
      fs.mkdirSync(process.env.BENCH_HEAP_PROF_DIR, { recursive: true });
      fs.writeFileSync(path.join(process.env.BENCH_HEAP_PROF_DIR, `row-${row.id}.heapprofile`), JSON.stringify(heap));
    }
    const top = profiles[row.id].frames.slice(0, 3).map((f) => `${f.frame} ${(f.share * 100).toFixed(1)} %`);
    log(`profile ${row.id}: ${top.join('; ')}`);
  }
  return profiles;
}

/**
 * Runs `load` while the process serving `row` records with its control server's `kind` recorder
 * ('profile': the CPU profiler, 'heap': the sampling heap profiler); the recording is stopped and
 * fetched however the load ends.
 */
async function recordedRun(row, kind, load) {
  await expectStatus(200, `${row.api.controlUrl}/${kind}/start`, { method: 'POST' });
  let result;
  let recording;
  try {
    result = await load();
  } finally {
    recording = (await expectStatus(200, `${row.api.controlUrl}/${kind}/stop`, { method: 'POST' })).json();
  }
  return { recording, result };
}

/** Cold keys read by a few hundred concurrent requests split over two instances; loads counted by both caches. */
async function runStampede(first, second, target, settings, log) {
  const instances = [first, second];
  const loads = async () => {
    const totals = await Promise.all(instances.map((api) => expectStatus(200, `${api.baseUrl}/bench/stats`).then((r) => r.json().loads)));
    return totals.reduce((a, b) => a + b, 0);
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const trials = [];
  for (let trial = 0; trial < settings.stampedeTrials; trial++) {
    const coldPath = target.stampedePaths[trial];
    const before = await loads();
    const responses = await Promise.all(
      Array.from({ length: settings.stampedeConcurrency }, (_, i) =>
        request(instances[i % 2].baseUrl + coldPath, { headers: target.headers, agent }).catch(() => ({ status: 0 })),
      ),
    );
    const after = await loads();
    trials.push({ path: coldPath, loads: after - before, failed: responses.filter((r) => r.status !== 200).length });
    log(`stampede ${trial + 1}: ${after - before} load(s) for ${settings.stampedeConcurrency} concurrent reads`);
  }
  agent.destroy();
  return { concurrency: settings.stampedeConcurrency, instances: 2, trials };
}

module.exports = { realBody, prepareRows, measure, profileRows, runStampede };
