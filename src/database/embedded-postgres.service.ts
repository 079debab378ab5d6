import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { HostPort } from '../config/app-config.interface';
import { EMBEDDED_POOL_SIZE } from './database-options';
import { DataDirLock } from './data-dir.lock';

/** The port number in the socket file's name, `.s.PGSQL.<port>`, which is how pg finds a Unix socket. */
const SOCKET_PORT = 5432;

/** Where the embedded database is served: `host` is a folder (Unix socket) or 127.0.0.1 (Windows only). */
export interface EmbeddedEndpoint extends HostPort {
  /** The Unix socket file, when there is one. */
  socketPath?: string;
}

/**
 * Runs PGlite (Postgres compiled to WebAssembly, in this process) on a folder of its own and serves
 * it through pglite-socket, so TypeORM talks to it with its ordinary postgres driver, exactly as
 * it talks to a real server. Used when DATABASE_URL is not set (never in production: the
 * configuration refuses it there).
 *
 * PGlite checks no password, so the socket is a Unix socket only this user can open: a file of
 * mode 0600 in a fresh folder of mode 0700 (mkdtemp) under the temporary directory, removed at
 * shutdown; pg reaches it with `host` set to that folder. No TCP port is opened, so other local
 * users and processes of other users cannot connect. On Windows, which has no Unix sockets
 * here, it falls back to a loopback port and says so.
 */
@Injectable()
export class EmbeddedPostgresService implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedPostgresService.name);
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private lock?: DataDirLock;
  private socketDir?: string;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Opens (or creates) the database in `dataDir` and returns where its socket listens. */
  async start(dataDir: string): Promise<EmbeddedEndpoint> {
    if (this.server !== undefined) throw new Error('The embedded database is already started');
    const folder = resolve(dataDir);
    mkdirSync(dirname(folder), { recursive: true });
    this.lock = new DataDirLock(`${folder}.lock`);
    this.lock.acquire();
    try {
      // btree_gist lets the appointments table keep its no-overlap exclusion constraint here too.
      this.db = await PGlite.create(folder, { extensions: { btree_gist } });
      // One more slot than the pool uses: a client the pool has just dropped may still hold its
      // slot for a moment after its replacement connects.
      const maxConnections = EMBEDDED_POOL_SIZE + 1;
      if (process.platform === 'win32') {
        this.logger.warn('No Unix sockets on Windows: the embedded database listens on a loopback port, open to every local user');
        this.server = new PGLiteSocketServer({ db: this.db, host: '127.0.0.1', port: 0, maxConnections });
        await this.server.start();
        return parseEndpoint(this.server.getServerConn());
      }
      // mkdtemp creates the folder with mode 0700; chmod again in case a umask or filesystem differs.
      this.socketDir = mkdtempSync(join(tmpdir(), 'nest-cache-pglite-'));
      chmodSync(this.socketDir, 0o700);
      const socketPath = join(this.socketDir, `.s.PGSQL.${SOCKET_PORT}`);
      this.server = new PGLiteSocketServer({ db: this.db, path: socketPath, maxConnections });
      await this.server.start();
      chmodSync(socketPath, 0o600);
      return { host: this.socketDir, port: SOCKET_PORT, socketPath };
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.db === undefined) return;
    // TypeORM's module closes its DataSource in the same shutdown phase, possibly after this
    // provider; close it first so its pool ends cleanly instead of seeing the socket vanish.
    const dataSource = this.findDataSource();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.stop();
    this.logger.log('Embedded database closed');
  }

  private findDataSource(): DataSource | undefined {
    try {
      return this.moduleRef.get(DataSource, { strict: false });
    } catch {
      return undefined; // never created: the app failed before TypeORM connected
    }
  }

  private async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
    if (this.socketDir !== undefined) rmSync(this.socketDir, { recursive: true, force: true });
    this.socketDir = undefined;
    if (this.db !== undefined && !this.db.closed) await this.db.close();
    this.db = undefined;
    this.lock?.release();
    this.lock = undefined;
  }
}

function parseEndpoint(connection: string): HostPort {
  const separator = connection.lastIndexOf(':');
  return { host: connection.slice(0, separator), port: Number(connection.slice(separator + 1)) };
}
