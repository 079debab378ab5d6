'use strict';
// Whether dist/ is older than what `nest build` reads: used by `npm start` and by the bench.
const fs = require('node:fs');
const path = require('node:path');

/**
 * Newest modification time under `target`, leaving out what the build does not read
 * (tsconfig.build.json excludes specs and testing/ folders; node_modules never counts).
 */
function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return target.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    if (entry === 'node_modules' || entry === 'testing') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** The first of `inputs` (paths relative to `root`) changed after `builtMs`, or undefined. */
function changedSince(root, inputs, builtMs) {
  return inputs.find((input) => newestMtime(path.join(root, input)) > builtMs);
}

module.exports = { changedSince };
