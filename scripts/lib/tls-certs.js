'use strict';
// A throw-away certificate authority and a server certificate for 127.0.0.1/localhost, made
// with openssl for each run so no key material is ever committed.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function openssl(args, cwd) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = error.stderr ? error.stderr.toString() : error.message;
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`);
  }
}

/**
 * Writes ca.crt, ca.key, server.crt and server.key into `dir` (P-256 keys: fast to make).
 * @param {string} dir
 * @returns {{ caFile: string, certFile: string, keyFile: string }}
 */
function generateTlsCertificates(dir) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
    '-subj', '/CN=nest-cache test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);
  // redis-server reads the key as whatever user runs it; keep it private to that user.
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return {
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
  };
}

module.exports = { generateTlsCertificates };
