'use strict';
// How many Jest workers a run will use, read from the arguments passed through to Jest, so the
// rig can start one PGlite per worker.
const os = require('node:os');

function parseWorkers(value, cores) {
  const text = String(value).trim();
  if (text.endsWith('%')) return Math.floor((cores * Number.parseFloat(text)) / 100);
  return Number.parseInt(text, 10);
}

/**
 * @param {string[]} args Jest CLI arguments
 * @param {{ maxWorkers?: number | string }} config jest.config.js
 */
function workerCount(args, config) {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  let value = config.maxWorkers ?? Math.max(cores - 1, 1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-i' || arg === '--runInBand' || arg === '--runInBand=true') return 1;
    const inline = /^(?:--maxWorkers|-w)=(.+)$/.exec(arg);
    if (inline) value = inline[1];
    else if ((arg === '--maxWorkers' || arg === '-w') && i + 1 < args.length) value = args[++i];
  }
  const count = parseWorkers(value, cores);
  return Number.isFinite(count) && count >= 1 ? count : 1;
}

module.exports = { workerCount };
