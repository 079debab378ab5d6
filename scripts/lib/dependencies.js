'use strict';
// Installs the project's npm dependencies when they are missing or older than the lock file, so
// that `npm start` and `npm test` are the only commands a newcomer needs. CI calls it too.
//
// Always a plain `npm ci`: package-lock.json lists every platform's optional binaries (run
// `node scripts/lib/lock-check.js` to verify), so npm installs exactly what the lock pins. When
// npm fails, its own message is on stderr and the caller stops; nothing falls back to another
// kind of install that would hide a lock that drifted from package.json.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when node_modules reflects the lock file (npm writes node_modules/.package-lock.json). */
function dependenciesCurrent() {
  const installed = mtime(path.join(ROOT, 'node_modules', '.package-lock.json'));
  return installed > 0 && installed >= mtime(path.join(ROOT, 'package-lock.json'));
}

/** Installs dependencies if needed; throws when npm ci fails (npm has printed why). */
function ensureDependencies(log = (message) => process.stderr.write(`${message}\n`)) {
  if (dependenciesCurrent()) return;
  log('installing npm dependencies (npm ci)…');
  const ci = spawnSync(NPM, ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (ci.error) throw new Error(`could not run npm: ${ci.error.message}`);
  if (ci.status !== 0) throw new Error(`npm ci failed (exit ${ci.status ?? ci.signal}); npm's message is above`);
}

module.exports = { ensureDependencies, dependenciesCurrent };

if (require.main === module) {
  try {
    ensureDependencies();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
