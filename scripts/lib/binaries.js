'use strict';
// Makes sure the programs the rig runs are installed: as root it installs the missing Debian
// packages with apt-get; otherwise it stops and says what to install.
const { execFileSync, spawnSync } = require('node:child_process');

/** program -> Debian package that ships it */
const REQUIRED = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  openssl: 'openssl',
};

function isInstalled(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * @param {(message: string) => void} log
 * @param {Record<string, string>} [extra]  more programs -> their Debian package (the tests' Chromium)
 */
function ensureBinaries(log, extra = {}) {
  const required = { ...REQUIRED, ...extra };
  const missing = Object.keys(required).filter((program) => !isInstalled(program));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((program) => required[program]))];
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `Missing ${missing.join(', ')}. Install the Debian packages first: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  log(`installing ${packages.join(' ')} (missing ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  const stillMissing = missing.filter((program) => !isInstalled(program));
  if (stillMissing.length > 0) throw new Error(`apt-get did not provide ${stillMissing.join(', ')}`);
}

module.exports = { ensureBinaries };
