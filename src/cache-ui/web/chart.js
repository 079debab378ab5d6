// Hit ratio and read rate over the last minutes, computed here from successive /cache/stats
// polls (the API keeps counters since the last reset, not a history) and drawn with uPlot,
// loaded by index.html from the app itself as a classic script (window.uPlot). In the fleet
// view each instance's rate is taken between two of its own reports (`lastSeenAt`), so
// instances publishing out of step with the page's polls add up to a steady fleet rate.

import { byId } from './dom.js';

/** How far back the chart goes. */
const WINDOW_SECONDS = 10 * 60;

/** Reads served: hits, stale hits and misses, the denominator of the API's hitRatio. */
const served = (totals) => totals.hits + totals.stale + totals.misses;

/** @type {typeof import('uplot')} */
const uPlot = /** @type {any} */ (window).uPlot;

export class RateChart {
  constructor(containerId) {
    this.container = byId(containerId);
    /** Per instance: its last counters, when they were reported, and its last interval's reads and hits per second. */
    this.previous = new Map();
    this.times = [];
    this.ratios = [];
    this.rates = [];
    this.plot = new uPlot(this.options(), [this.times, this.ratios, this.rates], this.container);
    window.addEventListener('resize', () => this.plot.setSize(this.size()));
  }

  /**
   * Adds a point for the poll at `atMs` from a /cache/stats answer: the fleet's instances, or
   * this instance alone. An instance whose counters went down (a stats reset, a restart) starts
   * a new baseline instead of a negative rate; one that has not reported since the last poll
   * keeps its last rate; one that left the fleet is forgotten.
   */
  add(stats, atMs) {
    const instances = stats.instances ?? [{ id: stats.instance?.id ?? 'this', lastSeenAt: new Date(atMs).toISOString(), totals: stats.totals }];
    const seen = new Set();
    let reads = 0;
    let hits = 0;
    let rated = 0;
    for (const instance of instances) {
      seen.add(instance.id);
      const at = Date.parse(instance.lastSeenAt);
      const before = this.previous.get(instance.id);
      const now = { totals: instance.totals, at, readRate: before?.readRate ?? null, hitRate: before?.hitRate ?? null };
      if (before !== undefined && at > before.at) {
        const readDelta = served(instance.totals) - served(before.totals);
        const hitDelta = instance.totals.hits + instance.totals.stale - (before.totals.hits + before.totals.stale);
        const seconds = (at - before.at) / 1000;
        if (readDelta < 0 || hitDelta < 0) {
          now.readRate = null;
          now.hitRate = null;
        } else {
          now.readRate = readDelta / seconds;
          now.hitRate = hitDelta / seconds;
        }
      } else if (before !== undefined && at < before.at) {
        now.at = before.at; // an older report read late: keep the newer baseline
        now.totals = before.totals;
      }
      this.previous.set(instance.id, now);
      if (now.readRate !== null) {
        reads += now.readRate;
        hits += now.hitRate;
        rated += 1;
      }
    }
    for (const id of [...this.previous.keys()]) if (!seen.has(id)) this.previous.delete(id);
    if (rated === 0) return;
    this.times.push(atMs / 1000);
    this.ratios.push(reads === 0 ? null : Math.round((hits / reads) * 1000) / 10);
    this.rates.push(Math.round(reads * 10) / 10);
    while (this.times.length > 0 && this.times[0] < atMs / 1000 - WINDOW_SECONDS) {
      this.times.shift();
      this.ratios.shift();
      this.rates.shift();
    }
    this.container.dataset.points = String(this.times.length);
    this.plot.setData([this.times, this.ratios, this.rates]);
  }

  /** Forgets the baselines and the drawn points, e.g. after a stats reset or a change of scope. */
  restart() {
    this.previous = new Map();
    this.times.length = 0;
    this.ratios.length = 0;
    this.rates.length = 0;
    this.container.dataset.points = '0';
    this.plot.setData([this.times, this.ratios, this.rates]);
  }

  size() {
    return { width: Math.max(300, this.container.clientWidth), height: 240 };
  }

  /** @returns {import('uplot').Options} */
  options() {
    return {
      ...this.size(),
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // At least the last minute, so the first points do not spread over a few seconds (or, for
        // one point alone, 1000 days: a day in uPlot's ms units).
        x: {
          time: true,
          range: (u, min, max) => {
            const last = u.data[0].length > 0 ? u.data[0][u.data[0].length - 1] : max;
            return /** @type {[number, number]} */ ([Math.min(min, last - MIN_SPAN_SECONDS), last]);
          },
        },
        ratio: { range: /** @type {[number, number]} */ ([0, 100]) },
        rate: { range: (_u, _min, max) => /** @type {[number, number]} */ ([0, Math.max(1, max * 1.1)]) },
      },
      series: [
        { label: 'Time', value: (_u, seconds) => (seconds === null ? '–' : clock(seconds)) },
        { label: 'Hit ratio %', scale: 'ratio', stroke: '#15803d', width: 2, fill: 'rgba(21, 128, 61, 0.08)', spanGaps: false },
        { label: 'Reads/s', scale: 'rate', stroke: '#2563eb', width: 2 },
      ],
      axes: [
        // Wall-clock ticks (14:05:30) at whole 10 s, 15 s, 30 s, minute... steps: never fractions of a second.
        {
          incrs: TICK_STEPS_SECONDS,
          space: 70,
          values: (_u, ticks) => {
            const labels = ticks.map((tick) => clock(tick));
            this.container.dataset.xTicks = labels.join(' '); // what the axis shows, for the browser test
            return labels;
          },
        },
        { scale: 'ratio', label: 'Hit ratio %', values: (_u, ticks) => ticks.map((tick) => `${tick}%`) },
        { scale: 'rate', label: 'Reads/s', side: 1, grid: { show: false } },
      ],
    };
  }
}

/** The narrowest time span the chart shows. */
const MIN_SPAN_SECONDS = 60;
const TICK_STEPS_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** Seconds since the epoch as the local time of day, 14:05:30. */
function clock(seconds) {
  return clockFormat.format(new Date(seconds * 1000));
}
