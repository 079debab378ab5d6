import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { HostPort } from '../config/app-config.interface';
import { EMBEDDED_POOL_SIZE } from './database-options';
import { DataDirLock } from './data-dir.lock';

/**
 * Runs PGlite (Postgres compiled to WebAssembly, in this process) on a folder of its own and serves
 * it on a free loopback port through pglite-socket, so TypeORM talks to it with its ordinary
 * postgres driver, exactly as it talks to a real server. Used when DATABASE_URL is not set.
 */
@Injectable()
export class EmbeddedPostgresService implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedPostgresService.name);
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private lock?: DataDirLock;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Opens (or creates) the database in `dataDir` and returns where its socket listens. */
  async start(dataDir: string): Promise<HostPort> {
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
      this.server = new PGLiteSocketServer({
        db: this.db,
        host: '127.0.0.1',
        port: 0,
        maxConnections: EMBEDDED_POOL_SIZE + 1,
      });
      await this.server.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    return parseEndpoint(this.server.getServerConn());
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
