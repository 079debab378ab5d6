'use strict';
// Runs one autocannon load in a child process (apps/bench/load-worker.js) and returns its figures.
const { execFile } = require('node:child_process');
const path = require('node:path');

const WORKER = path.join(__dirname, '..', 'load-worker.js');

/**
 * @param {{ url: string, connections: number, durationSeconds: number, headers?: object, pathsFile?: string }} settings
 * @returns {Promise<{ requestsPerSecond: number, p50: number, p99: number, errors: number, total: number, bytesPerResponse: number, pathsCycled: boolean }>}
 */
function runLoad(settings) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WORKER, JSON.stringify(settings)],
      { timeout: (settings.durationSeconds + 30) * 1000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`load worker failed on ${settings.url}: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      },
    );
  });
}

module.exports = { runLoad };
