'use strict';
// Fails when package.json and package-lock.json disagree: npm resolves the lock again from
// package.json (`npm install --package-lock-only --ignore-scripts`) in a scratch copy of the two
// files, and the lock it writes must equal the committed one byte for byte. That covers a
// dependency added to package.json without the lock, a version range the lock no longer
// satisfies, and a lock missing other platforms' optional packages (which makes `npm ci` refuse
// on a clean machine). The checkout itself is never written to. Exit 0 when in step, 1 otherwise.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const FILES = ['package.json', 'package-lock.json', '.npmrc'];

/** Returns undefined when the lock is in step, else a message saying what differs and how to fix it. */
function checkLock(root = ROOT) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-check-'));
  try {
    for (const file of FILES) {
      if (fs.existsSync(path.join(root, file))) fs.copyFileSync(path.join(root, file), path.join(scratch, file));
    }
    const committed = fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8');
    const npm = spawnSync(NPM, ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: scratch,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (npm.error) return `could not run npm: ${npm.error.message}`;
    if (npm.status !== 0) return `npm install --package-lock-only failed (exit ${npm.status ?? npm.signal}); npm's message is above`;
    const resolved = fs.readFileSync(path.join(scratch, 'package-lock.json'), 'utf8');
    if (resolved === committed) return undefined;
    const before = Object.keys(JSON.parse(committed).packages ?? {});
    const after = Object.keys(JSON.parse(resolved).packages ?? {});
    const added = after.filter((name) => !before.includes(name));
    const removed = before.filter((name) => !after.includes(name));
    const detail = [
      added.length ? `missing from the lock: ${added.slice(0, 10).join(', ')}${added.length > 10 ? ` and ${added.length - 10} more` : ''}` : '',
      removed.length ? `in the lock but no longer needed: ${removed.slice(0, 10).join(', ')}${removed.length > 10 ? ` and ${removed.length - 10} more` : ''}` : '',
      !added.length && !removed.length ? 'entries differ in version, integrity or flags' : '',
    ].filter(Boolean);
    return [
      'package-lock.json is out of step with package.json',
      ...detail.map((line) => `  ${line}`),
      'Fix: run `npm install --package-lock-only --ignore-scripts` and commit package-lock.json.',
    ].join('\n');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { checkLock };

if (require.main === module) {
  const problem = checkLock();
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  process.stderr.write('package-lock.json is in step with package.json\n');
}
