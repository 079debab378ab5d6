// Hit ratio and read rate over the last minutes, computed here from successive /cache/stats
// polls (the API keeps counters since the last reset, not a history) and drawn with uPlot,
// loaded by index.html from the app itself as a classic script (window.uPlot).

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
    this.previous = null;
    this.times = [];
    this.ratios = [];
    this.rates = [];
    this.plot = new uPlot(this.options(), [this.times, this.ratios, this.rates], this.container);
    window.addEventListener('resize', () => this.plot.setSize(this.size()));
  }

  /**
   * Adds the interval since the previous poll. Counters that went down (a stats reset, or a
   * restart behind a load balancer) start a new baseline instead of a negative rate.
   */
  add(totals, atMs) {
    const previous = this.previous;
    this.previous = { totals, atMs };
    if (previous === null || served(totals) < served(previous.totals) || totals.hits < previous.totals.hits) return;
    const seconds = (atMs - previous.atMs) / 1000;
    if (seconds <= 0) return;
    const reads = served(totals) - served(previous.totals);
    const hits = totals.hits + totals.stale - (previous.totals.hits + previous.totals.stale);
    this.times.push(atMs / 1000);
    this.ratios.push(reads === 0 ? null : Math.round((hits / reads) * 1000) / 10);
    this.rates.push(Math.round((reads / seconds) * 10) / 10);
    while (this.times.length > 0 && this.times[0] < atMs / 1000 - WINDOW_SECONDS) {
      this.times.shift();
      this.ratios.shift();
      this.rates.shift();
    }
    this.container.dataset.points = String(this.times.length);
    this.plot.setData([this.times, this.ratios, this.rates]);
  }

  /** Forgets the baseline, e.g. after the operator reset the stats. */
  restart() {
    this.previous = null;
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
        // One point alone makes uPlot span 1000 days after it (a day in its ms units): show the minute before it.
        x: {
          time: true,
          range: (u, min, max) => /** @type {[number, number]} */ (u.data[0].length === 1 ? [u.data[0][0] - 60, u.data[0][0]] : [min, max]),
        },
        ratio: { range: /** @type {[number, number]} */ ([0, 100]) },
        rate: { range: (_u, _min, max) => /** @type {[number, number]} */ ([0, Math.max(1, max * 1.1)]) },
      },
      series: [
        {},
        { label: 'Hit ratio %', scale: 'ratio', stroke: '#15803d', width: 2, fill: 'rgba(21, 128, 61, 0.08)', spanGaps: false },
        { label: 'Reads/s', scale: 'rate', stroke: '#2563eb', width: 2 },
      ],
      axes: [
        {},
        { scale: 'ratio', label: 'Hit ratio %', values: (_u, ticks) => ticks.map((tick) => `${tick}%`) },
        { scale: 'rate', label: 'Reads/s', side: 1, grid: { show: false } },
      ],
    };
  }
}
