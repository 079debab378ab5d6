'use strict';
// What the soak watches while the traffic runs: each API process's resident memory (VmRSS in
// /proc/<pid>/status) and V8 heap (nodejs_heap_size_* on GET /metrics: a heap that keeps
// growing is a leak, RSS alone may be V8 growing lazily), each instance's breaker (GET /cache/health, operator token), and the
// machine's load average (the machine is shared: the figures are read against it).
const fs = require('node:fs');
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const { request } = require('../../bench/lib/http');

/** VmRSS of a process, in MiB (one decimal); null when it cannot be read (gone, no /proc). */
function rssMiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

class Samplers {
  /**
   * @param {{ apis: { name: string, pid: number, baseUrl: string }[], adminToken: string,
   *   rssEveryMs: number, healthEveryMs: number, loadEveryMs: number, log: (m: string) => void }} options
   */
  constructor(options) {
    this.options = options;
    this.rss = Object.fromEntries(options.apis.map((api) => [api.name, []]));
    this.heap = Object.fromEntries(options.apis.map((api) => [api.name, []]));
    this.health = Object.fromEntries(options.apis.map((api) => [api.name, { samples: 0, healthy: 0, degraded: 0, down: 0, failed: 0, fallbackActive: 0, degradedAt: [], latencyMs: [] }]));
    this.load = [];
    this.timers = [];
  }

  start() {
    this.startedAt = performance.now();
    const { rssEveryMs, healthEveryMs, loadEveryMs } = this.options;
    this.sampleRss();
    this.sampleLoad();
    this.timers.push(setInterval(() => this.sampleRss(), rssEveryMs));
    void this.sampleHeap();
    this.timers.push(setInterval(() => void this.sampleHeap(), rssEveryMs));
    this.timers.push(setInterval(() => this.sampleLoad(), loadEveryMs));
    this.timers.push(setInterval(() => void this.sampleHealth(), healthEveryMs));
  }

  /** Stops sampling; takes a last RSS and load sample. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.healthInFlight;
    this.sampleRss();
    await this.sampleHeap();
    this.sampleLoad();
  }

  seconds() {
    return Math.round((performance.now() - this.startedAt) / 100) / 10;
  }

  sampleRss() {
    const at = this.seconds();
    for (const api of this.options.apis) {
      const mib = rssMiB(api.pid);
      if (mib !== null) this.rss[api.name].push({ atSeconds: at, mib });
    }
  }

  async sampleHeap() {
    const at = this.seconds();
    await Promise.all(
      this.options.apis.map(async (api) => {
        try {
          const text = (await request(`${api.baseUrl}/metrics`)).body;
          const gauge = (name) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1]) / 2 ** 20;
          const mib = (value) => (Number.isFinite(value) ? Math.round(value * 10) / 10 : null);
          this.heap[api.name].push({
            atSeconds: at,
            usedMiB: mib(gauge('nodejs_heap_size_used_bytes')),
            totalMiB: mib(gauge('nodejs_heap_size_total_bytes')),
            externalMiB: mib(gauge('nodejs_external_memory_bytes')),
          });
        } catch {
          // a busy moment: the next sample will do
        }
      }),
    );
  }

  sampleLoad() {
    const [one, five] = os.loadavg();
    this.load.push({ atSeconds: this.seconds(), one: +one.toFixed(2), five: +five.toFixed(2) });
  }

  sampleHealth() {
    if (this.healthInFlight) return; // the previous round is still waiting: skip, do not pile up
    const at = this.seconds();
    const headers = { authorization: `Bearer ${this.options.adminToken}` };
    this.healthInFlight = Promise.all(
      this.options.apis.map(async (api) => {
        const tally = this.health[api.name];
        tally.samples += 1;
        try {
          const response = await request(`${api.baseUrl}/cache/health`, { headers });
          const body = response.json();
          const status = body.status;
          if (status === 'healthy' || status === 'degraded' || status === 'down') tally[status] += 1;
          else tally.failed += 1;
          if (body.fallbackActive) tally.fallbackActive += 1;
          if (status !== 'healthy') {
            if (tally.degradedAt.length < 50) tally.degradedAt.push(at);
            this.options.log(`${api.name}: /cache/health ${status} at ${at} s (fallbackActive ${body.fallbackActive})`);
          }
          if (typeof body.redis?.latencyMs === 'number') tally.latencyMs.push(body.redis.latencyMs);
        } catch (error) {
          tally.failed += 1;
          this.options.log(`${api.name}: /cache/health failed at ${at} s: ${error.message}`);
        }
      }),
    ).finally(() => (this.healthInFlight = undefined));
  }
}

module.exports = { Samplers, rssMiB };
