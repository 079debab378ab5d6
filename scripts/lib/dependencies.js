'use strict';
// Installs the project's npm dependencies when they are missing or older than the lock file, so
// that `npm start` and `npm test` are the only commands a newcomer needs. CI calls it too.
//
// `npm ci` is tried first. The registry this project's machines reach does not serve other
// platforms' optional binaries (e.g. @swc/core-darwin-arm64 answers 404), so the lock file cannot
// list them and npm ci's sync check reports each as "Missing: NAME@ from lock file" (no version)
// and refuses. Only in exactly that case it installs from the same lock file with
// `npm install --no-save`, which resolves what the lock pins and writes nothing; any other
// failure stops with npm's own message.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const UNFETCHABLE = /^npm error Missing: (@[^/@ ]+\/)?[^@ ]+@ from lock file$/;
const SYNC_ERROR = /^npm error (Missing|Invalid): /;

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

function npm(args) {
  return spawnSync(NPM, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
}

/** Installs dependencies if needed; throws with npm's message when installing fails. */
function ensureDependencies(log = (message) => process.stderr.write(`${message}\n`)) {
  if (dependenciesCurrent()) return;
  log('installing npm dependencies (npm ci)…');
  const ci = npm(['ci', '--no-audit', '--no-fund']);
  const stderr = ci.stderr ?? '';
  process.stderr.write(stderr.split('\n').filter((line) => !line.startsWith('npm warn EBADENGINE')).join('\n'));
  if (ci.status === 0) return;
  const syncErrors = stderr.split('\n').filter((line) => SYNC_ERROR.test(line));
  if (syncErrors.length === 0 || !syncErrors.every((line) => UNFETCHABLE.test(line))) {
    throw new Error(`npm ci failed (exit ${ci.status})`);
  }
  log(`npm ci refused only over ${syncErrors.length} optional packages this registry does not serve; installing from the lock file with npm install --no-save`);
  const install = npm(['install', '--no-save', '--no-audit', '--no-fund']);
  process.stderr.write(install.stderr ?? '');
  if (install.status !== 0) throw new Error(`npm install failed (exit ${install.status})`);
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
