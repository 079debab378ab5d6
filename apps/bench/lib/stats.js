'use strict';
// Medians and the figures the report derives from the rounds.

function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One table row from a row's rounds: median req/s, p50 and p99, errors summed. */
function summarize(rounds) {
  return {
    requestsPerSecond: Math.round(median(rounds.map((r) => r.requestsPerSecond))),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    requests: rounds.reduce((sum, r) => sum + r.total, 0),
    bytesPerResponse: median(rounds.map((r) => r.bytesPerResponse)),
    rounds: rounds.map((r) => Math.round(r.requestsPerSecond)),
    redisCommandsPerRequest: rounds[rounds.length - 1]?.redisCommandsPerRequest ?? {},
    // CPU per request of the API process and of redis-server: what a row costs, a view less
    // tied than req/s to whatever else the machine was doing meanwhile (not free of it).
    apiCpuMicrosPerRequest: roundTo(median(rounds.map((r) => r.apiCpuMicrosPerRequest).filter(Number.isFinite)), 1),
    redisCpuMicrosPerRequest: roundTo(median(rounds.map((r) => r.redisCpuMicrosPerRequest).filter(Number.isFinite)), 1),
    // Each round's run against the bare runs just before and after it (lib/measure.js): req/s
    // over theirs, and their CPU per request over its own. One entry per round, in order (null
    // for bare's own runs, whose ratio is 1 by definition).
    paired: {
      rps: rounds.map((r) => roundTo(r.paired?.rps ?? NaN, 3)),
      cpu: rounds.map((r) => roundTo(r.paired?.cpu ?? NaN, 3)),
    },
  };
}

/**
 * `row` against `base` from the paired rounds: the median over rounds of the two rows' ratios to
 * their bare runs. Bare's own ratio is 1 by definition (its runs carry none), so a row against
 * bare is its paired ratio, and bare against a row the inverse. `kind`: 'rps' or 'cpu'.
 */
function pairedAgainst(row, base, kind = 'rps') {
  if (!row || !base) return NaN;
  if (row.id === 'bare' && base.id === 'bare') return 1;
  const ratioOf = (subject, round) => (subject.id === 'bare' ? 1 : subject.paired[kind][round]);
  const rounds = (row.id === 'bare' ? base : row).paired[kind].length;
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const [value, baseValue] = [ratioOf(row, round), ratioOf(base, round)];
    if (Number.isFinite(value) && Number.isFinite(baseValue) && baseValue > 0) ratios.push(value / baseValue);
  }
  return median(ratios);
}

function roundTo(value, digits) {
  return Number.isFinite(value) ? +value.toFixed(digits) : null;
}

module.exports = { median, summarize, pairedAgainst };
