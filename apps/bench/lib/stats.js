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
  };
}

function roundTo(value, digits) {
  return Number.isFinite(value) ? +value.toFixed(digits) : null;
}

module.exports = { median, summarize };
