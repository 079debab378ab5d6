'use strict';
// The report: one table of the HTTP rows (each as a ratio of the bare Nest app serving the same
// body, and of the peer, from the paired rounds: lib/stats.js pairedAgainst), the rows' top
// frames when profiled, the stampede count, the library microbenchmark, and which of the issues'
// targets hold. Targets are reported, never asserted.
const { pairedAgainst } = require('./stats');
const fmtRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const fmtInt = (value) => Math.round(value).toLocaleString('en-US');
const fmtMs = (value) => (Number.isFinite(value) ? String(value) : '–');
const fmtCpu = (value) => (Number.isFinite(value) ? fmtInt(value) : '–');

/** Rows of the HTTP table, per connection count. */
function httpRows(results) {
  const rows = [];
  for (const level of results.levels) {
    const bare = level.rows.find((row) => row.id === 'bare');
    const peer = level.rows.find((row) => row.id === 'peer');
    for (const row of level.rows) {
      rows.push([
        row.label,
        String(level.connections),
        fmtInt(row.requestsPerSecond),
        fmtMs(row.p50),
        fmtMs(row.p99),
        String(row.errors),
        fmtRatio(pairedAgainst(row, bare)),
        fmtRatio(pairedAgainst(row, bare, 'cpu')),
        fmtRatio(pairedAgainst(row, peer)),
        fmtCpu(row.apiCpuMicrosPerRequest),
        fmtCpu(row.redisCpuMicrosPerRequest),
      ]);
    }
  }
  return rows;
}

const HTTP_HEADER = ['row', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× bare', '× bare by CPU', '× peer', 'API CPU µs/req', 'Redis CPU µs/req'];
const MICRO_HEADER = ['library', 'tier', 'sequential ops/s', '100 concurrent ops/s'];

function microRows(results) {
  return results.micro.map((m) => [m.library, m.tier, fmtInt(m.sequentialOpsPerSecond), fmtInt(m.concurrentOpsPerSecond)]);
}

function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Each target of the issue with the measured figure and whether it holds. */
function evaluateTargets(results) {
  const targets = [];
  const at = (connections) => results.levels.find((l) => l.connections === connections);
  const row = (level, id) => level?.rows.find((r) => r.id === id);
  const add = (name, value, holds) => targets.push({ target: name, measured: value, holds });
  const fifty = at(50);
  // Every comparison comes from the paired rounds (a row against the bare runs around it): the
  // median over rounds of row / base, by req/s and by the API process's CPU per request.
  // `floor`: the ratio must reach it; 'above' (the peer rows): it must exceed 1.
  const compare = (level, name, id, baseId, floor, { cpu = true, suffix = '' } = {}) => {
    const [subject, base] = [row(level, id), row(level, baseId)];
    if (!subject || !base) return;
    const holds = (value) => (floor === 'above' ? value > 1 : value >= floor);
    const value = pairedAgainst(subject, base);
    add(name, `${fmtRatio(value)}${suffix}`, holds(value));
    const byCpu = pairedAgainst(subject, base, 'cpu');
    if (cpu && Number.isFinite(byCpu)) add('  by API CPU per request', `${fmtRatio(byCpu)}${suffix}`, holds(byCpu));
  };
  if (fifty) {
    // Issue 14: against the bare Nest app serving the same body.
    compare(fifty, '50 conns: cached route as deployed (L1 hit: key auth, rate limit, metrics, request logs) ≥ 0.75 × bare Nest', 'l1', 'bare', 0.75);
    compare(fifty, '50 conns: GET /health/live ≥ 0.9 × bare Nest', 'live', 'bare', 0.9);
    compare(fifty, '50 conns: miss path ≥ 0.9 × the uncached route (same process, key lookup cached)', 'miss', 'uncached-query', 0.9);
    compare(fifty, '  (same, against CACHE_ENABLED=false, where the key lookup is a query too)', 'miss', 'uncached', 0.9);
    // Issue 5, against the app's own ceiling (same guards and logs, constant body).
    compare(fifty, 'issue 5: 50 conns: L1 hit ≥ 0.95 × app ceiling', 'l1', 'ceiling', 0.95);
    compare(fifty, '50 conns: L2 hit ≥ 0.92 × ceiling', 'l2', 'ceiling', 0.92);
    compare(fifty, '  (same, against the L1-off process\'s own ceiling, whose key lookup is an L2 hit too)', 'l2', 'ceiling-l2', 0.92, { cpu: false });
    compare(fifty, '  (same, L2 hit over 1,000 keys, where concurrent reads rarely share a GET)', 'l2-spread', 'ceiling', 0.92);
    // "Above the peer": more than 1.00× of it.
    compare(fifty, '50 conns: L1 hit above the peer', 'l1', 'peer', 'above', { suffix: ' of peer' });
    compare(fifty, '50 conns: L2 hit above the peer', 'l2', 'peer', 'above', { suffix: ' of peer' });
    compare(fifty, '  (same, L2 hit over 1,000 keys)', 'l2-spread', 'peer', 'above', { cpu: false, suffix: ' of peer' });
  }
  const ten = at(10);
  if (ten) {
    compare(ten, '10 conns: cached read (L1 hit) ≥ 3.5 × uncached', 'l1', 'uncached', 3.5, { cpu: false });
    compare(ten, '  (same, against the uncached query with the key lookup cached)', 'l1', 'uncached-query', 3.5, { cpu: false });
  }
  for (const level of results.levels) {
    compare(level, `${level.connections} conns: miss path within 5 % of uncached`, 'miss', 'uncached', 0.95);
    compare(level, '  (same, against the uncached query with the key lookup cached)', 'miss', 'uncached-query', 0.95);
  }
  if (results.stampede) {
    const loads = results.stampede.trials.map((t) => t.loads);
    add(`stampede: one load (${results.stampede.concurrency} concurrent reads, 2 instances)`, `loads per trial: ${loads.join(', ')}`, loads.every((n) => n === 1));
  }
  const micro = (library, tier) => results.micro.find((m) => m.library === library && m.tier === tier);
  const ourL1 = micro('@app/cache', 'L1');
  const ourL2 = micro('@app/cache', 'L2');
  const bareGet = micro('ioredis GET + JSON.parse (no cache)', 'L2');
  if (results.l2Floor) {
    // Paired runs (micro.mjs): ours against the bare GET runs just before and after it.
    const floor = results.l2Floor;
    add(`library: L2 getOrSet sequential ≥ 0.95 × a bare ioredis GET + JSON.parse (median of ${floor.ratios.length} paired runs)`, fmtRatio(floor.median), floor.median >= 0.95);
  }
  if (ourL2 && bareGet) {
    add('  (same, from the rounds\' medians, seconds apart)', fmtRatio(ourL2.sequentialOpsPerSecond / bareGet.sequentialOpsPerSecond), ourL2.sequentialOpsPerSecond >= 0.95 * bareGet.sequentialOpsPerSecond);
  }
  if (ourL1) {
    add('library: L1 getOrSet, 100 concurrent same-key calls ≥ 2 M ops/s', fmtInt(ourL1.concurrentOpsPerSecond), ourL1.concurrentOpsPerSecond >= 2_000_000);
  }
  if (ourL1 && ourL2) {
    add('library: L1 getOrSet ≥ 1 M ops/s sequential', fmtInt(ourL1.sequentialOpsPerSecond), ourL1.sequentialOpsPerSecond >= 1_000_000);
    add('library: L2 getOrSet ≥ 14 k ops/s sequential', fmtInt(ourL2.sequentialOpsPerSecond), ourL2.sequentialOpsPerSecond >= 14_000);
    add('library: L2 getOrSet ≥ 0.5 M ops/s, 100 concurrent', fmtInt(ourL2.concurrentOpsPerSecond), ourL2.concurrentOpsPerSecond >= 500_000);
  }
  return targets;
}

function stampedeLine(results) {
  const s = results.stampede;
  if (!s) return 'stampede: not run';
  return `stampede: ${s.concurrency} concurrent reads of a cold key over 2 instances, ${s.trials.length} trial(s): ` +
    `loads ${s.trials.map((t) => t.loads).join(', ')} (CacheService.stats().totals.loads summed), non-200 ${s.trials.reduce((n, t) => n + t.failed, 0)}`;
}

/** Warnings the API processes logged: a Redis circuit that opened means an L2 row measured the fallback. */
function warningLines(results) {
  const lines = [];
  for (const [name, warnings] of Object.entries(results.serverWarnings ?? {})) {
    if (warnings.length > 0) lines.push(`${name} logged ${warnings.length} warning(s), first: ${warnings[0]}`);
  }
  return lines.length > 0 ? lines : ['no server warnings (the Redis circuit never opened)'];
}

/** Each profiled row's top frames and packages by self time (share of the process' busy samples). */
function profileLines(results) {
  if (!results.profiles) return [];
  const lines = ['top frames by self time, one run per row at 50 conns under the profiler (share of busy samples):'];
  for (const [id, profile] of Object.entries(results.profiles)) {
    const label = results.levels[0]?.rows.find((r) => r.id === id)?.label ?? id;
    lines.push(`  ${label} (${profile.samples} samples)`);
    lines.push(`    packages: ${profile.packages.slice(0, 6).map((p) => `${p.name} ${pct(p.share)}`).join(', ')}`);
    for (const frame of profile.frames.slice(0, 8)) lines.push(`    ${pct(frame.share).padStart(6)}  ${frame.frame}`);
  }
  return lines;
}

const pct = (share) => `${(share * 100).toFixed(1)} %`;

function targetLines(targets) {
  return targets.map((t) => `${t.holds ? 'met   ' : 'MISSED'}  ${t.target}: ${t.measured}`);
}

function machineLine(machine) {
  return `${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memory}, Node ${machine.node}, ${machine.database}, redis-server ${machine.redis}`;
}

/** The paired L2 floor runs of the microbenchmark (micro.mjs). */
function floorLine(results) {
  const floor = results.l2Floor;
  if (!floor) return 'L2 floor pairs: not run';
  return `L2 floor, paired: our L2 getOrSet over the bare GET + JSON.parse runs around it, ${floor.ratios.length} runs of ${floor.pairMs} ms: ` +
    `${floor.ratios.map((r) => r.toFixed(2)).join(', ')}; median ${fmtRatio(floor.median)}`;
}

/** "5 rounds at 50 conns, 3 at 10". */
function roundsText(results) {
  return results.levels.map((level) => `${level.rounds} round(s) at ${level.connections} conns`).join(', ');
}

/** What run.js prints at the end. */
function renderText(results) {
  return [
    `${results.target.route}: ${results.mode} run, ${roundsText(results)} of ${results.settings.durationSeconds} s per row, each between two runs of bare; medians (× columns: of the per-round ratios)`,
    '',
    textTable(HTTP_HEADER, httpRows(results)),
    '',
    ...profileLines(results).flatMap((line, i, all) => (i === all.length - 1 ? [line, ''] : [line])),
    stampedeLine(results),
    ...warningLines(results),
    '',
    textTable(MICRO_HEADER, microRows(results)),
    floorLine(results),
    '',
    'targets (reported, not asserted):',
    ...targetLines(results.targets),
    '',
    `machine: ${machineLine(results.machine)}; load average ${results.loadAverage.before} before, ${results.loadAverage.max ?? '?'} at most, ${results.loadAverage.after} after`,
  ].join('\n');
}

/** The Markdown written beside the JSON (and pasted into apps/bench/README.md). */
function renderMarkdown(results) {
  return [
    `Route: \`${results.target.route}\` (${results.target.bytesPerResponse} B responses); ${results.mode} run of ` +
      `${results.startedAt}, ${roundsText(results)} of ${results.settings.durationSeconds} s per row, each row's run between ` +
      'two runs of the bare app; medians, errors summed over rounds. The × columns are medians of per-round ratios: a row ' +
      'against the bare runs just before and after it (by req/s, and by API CPU per request: theirs over its own).',
    '',
    markdownTable(HTTP_HEADER, httpRows(results)),
    '',
    ...(results.profiles ? ['```', ...profileLines(results), '```', ''] : []),
    stampedeLine(results).replace(/^stampede:/, '**Stampede**:'),
    '',
    ...warningLines(results).map((line) => `Servers: ${line}.`),
    '',
    'Library microbenchmark, `getOrSet` on one hot key (same Redis):',
    '',
    markdownTable(MICRO_HEADER, microRows(results)),
    '',
    floorLine(results),
    '',
    'Targets (reported, not asserted):',
    '',
    ...results.targets.map((t) => `- ${t.holds ? 'met' : '**missed**'}: ${t.target}: ${t.measured}`),
    '',
    `Machine: ${machineLine(results.machine)}; 1-minute load average ${results.loadAverage.before} before the run, ${results.loadAverage.max ?? '?'} at most during it, ${results.loadAverage.after} after.`,
    '',
    `Source: commit ${results.source.commit}` +
      (results.source.uncommittedSources.length > 0 ? ` plus uncommitted changes to ${results.source.uncommittedSources.join(', ')}.` : ', no uncommitted changes.'),
    '',
  ].join('\n');
}

module.exports = { evaluateTargets, renderText, renderMarkdown };
