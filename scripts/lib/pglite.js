'use strict';
// PGlite behind a socket, for machines without a Postgres server.
//
// What @electric-sql/pglite-socket 0.2.17 accepts: PGLiteSocketServer takes `maxConnections`
// (default 1) and answers any connection past it with "Too many connections" and a hang-up.
// Setting it higher is not safe: PGlite is ONE Postgres backend, and the server queues each
// protocol message on its own, so the Parse/Bind/Execute messages of two connections
// interleave ("portal does not exist", rows of the other connection's query) and two
// connections share one transaction and one session. So one connection at a time is the limit.
//
// To make that limit livable the rig:
//   - runs one PGlite per Jest worker (test/support/setup-env.ts points each worker at its own
//     one), so parallel suites do not share a session;
//   - puts a gate in front of each: it accepts any number of connections but lets one through
//     at a time, the others wait (their bytes held) until it closes. A suite that closes its
//     connection lets the next suite in instead of having it refused. Between connections the
//     session is reset (ROLLBACK if needed, DISCARD ALL).
// Tests must still use ONE connection at a time per worker: a pool of size 1 (TypeORM
// `extra: { max: 1 }`, pg `max: 1`), closed when the suite ends. A second connection held
// open at the same time waits for the first and the test times out; the gate says so on stderr.
const net = require('node:net');

const WAIT_WARNING_MS = 10_000;

class PgliteGate {
  /** @param {{ label: string, log: (message: string) => void }} options */
  constructor({ label, log }) {
    this.label = label;
    this.log = log;
    this.waiting = [];
    this.active = null;
    this.sockets = new Set();
  }

  async start() {
    const { PGlite } = require('@electric-sql/pglite');
    const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
    const { btree_gist } = require('@electric-sql/pglite/contrib/btree_gist');
    // As the app's embedded database does: the appointments' exclusion constraint needs it.
    this.db = await PGlite.create({ extensions: { btree_gist } });
    this.inner = new PGLiteSocketServer({ db: this.db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await this.inner.start();
    this.innerPort = Number(this.inner.getServerConn().split(':').pop());
    this.server = net.createServer((socket) => this.admit(socket));
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port: 0 }, resolve);
    });
    this.port = this.server.address().port;
    this.url = `postgres://postgres@127.0.0.1:${this.port}/postgres`;
    return this;
  }

  admit(socket) {
    this.sockets.add(socket);
    socket.pause();
    socket.on('error', () => {});
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.waiting = this.waiting.filter((entry) => entry.socket !== socket);
    });
    const entry = {
      socket,
      warning: setTimeout(() => {
        this.log(`${this.label}: a connection has waited ${WAIT_WARNING_MS / 1000}s for another to close. ` +
          'PGlite serves one connection at a time: use a pool of size 1 and close it when the suite ends.');
      }, WAIT_WARNING_MS),
    };
    this.waiting.push(entry);
    void this.pump();
  }

  async pump() {
    if (this.active || this.pumping) return;
    this.pumping = true;
    try {
      while (!this.active && this.waiting.length > 0) {
        const entry = this.waiting.shift();
        clearTimeout(entry.warning);
        if (entry.socket.destroyed) continue;
        try {
          await this.resetSession();
        } catch (error) {
          this.log(`${this.label}: could not reset the session before the next connection: ${error.message}`);
        }
        if (entry.socket.destroyed) continue;
        this.connect(entry.socket);
      }
    } finally {
      this.pumping = false;
    }
  }

  async resetSession() {
    // The inner server handles a hang-up asynchronously; wait until it has let go.
    const deadline = Date.now() + 5000;
    while (this.inner.getStats().activeConnections > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    await this.db.exec('DISCARD ALL');
  }

  connect(client) {
    const upstream = net.connect({ host: '127.0.0.1', port: this.innerPort });
    this.active = { client, upstream };
    upstream.on('error', () => {});
    const close = () => {
      if (this.active?.client !== client) return;
      client.destroy();
      upstream.destroy();
      this.active = null;
      void this.pump();
    };
    client.once('close', close);
    upstream.once('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  async stop() {
    for (const entry of this.waiting) clearTimeout(entry.warning);
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.inner?.stop().catch(() => {});
    await this.db?.close().catch(() => {});
  }
}

/**
 * Starts `count` PGlite instances (one per Jest worker), each behind its own gate.
 * @returns {Promise<{ urls: string[], stop(): Promise<void> }>}
 */
async function startPglite(count, log) {
  // In parallel: part of PGlite's start-up (compiling its WebAssembly) runs off the main thread.
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => new PgliteGate({ label: `PGlite #${i + 1}`, log }).start()),
  );
  const gates = started.filter((result) => result.status === 'fulfilled').map((result) => result.value);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(gates.map((gate) => gate.stop()));
    throw new Error(`PGlite did not start: ${failure.reason?.message ?? failure.reason}`);
  }
  return {
    urls: gates.map((gate) => gate.url),
    stop: () => Promise.all(gates.map((gate) => gate.stop())).then(() => undefined),
  };
}

module.exports = { startPglite };

// `node scripts/lib/pglite.js`: serves one gated PGlite, prints its URL on stdout, and stops
// when stdin closes or on SIGINT/SIGTERM. For trying the PGlite path by hand, and for tests:
// PGlite loads parts of itself with import(), which Jest's module sandbox cannot run.
if (require.main === module) {
  startPglite(1, (message) => process.stderr.write(`${message}\n`)).then(
    (servers) => {
      process.stdout.write(`${servers.urls[0]}\n`);
      const stop = () => servers.stop().then(() => process.exit(0));
      process.stdin.on('end', stop).resume();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
