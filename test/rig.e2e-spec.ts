// Proves the services `npm test` provisions are what the other suites are told they are.
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { Client } from 'pg';
import { createServer } from 'node:net';
import { startClusterNode } from '../scripts/lib/redis-cluster';
import { getFreePort } from '../scripts/lib/ports';
import { createTestDatabase } from './support/database';
import { startRedisServer } from './support/redis-server';
import { closeClient, connectionError, failFast } from './support/redis-client';
import {
  databaseKind,
  databaseUrl,
  redisClusterNodes,
  redisTlsCa,
  redisTlsUrl,
  redisUrl,
} from './support/env';

describe('test rig', () => {
  const key = `rig:${randomUUID()}`;

  it('provides a standalone redis-server', async () => {
    const sut = new Redis(redisUrl());
    try {
      await expect(sut.ping()).resolves.toBe('PONG');
      await sut.set(key, 'standalone', 'EX', 60);
      await expect(sut.get(key)).resolves.toBe('standalone');
    } finally {
      await closeClient(sut);
    }
  });

  it('provides a TLS redis-server that needs the rig CA and the password', async () => {
    const sut = new Redis(redisTlsUrl(), { tls: { ca: redisTlsCa() } });
    try {
      await sut.set(key, 'tls', 'EX', 60);
      await expect(sut.get(key)).resolves.toBe('tls');
    } finally {
      await closeClient(sut);
    }

    const withoutPassword = redisTlsUrl().replace(/\/\/:[^@]*@/, '//');
    const anonymous = new Redis(withoutPassword, { ...failFast, tls: { ca: redisTlsCa() } });
    expect((await connectionError(anonymous)).message).toMatch(/NOAUTH/);

    const untrusting = new Redis(redisTlsUrl(), { ...failFast, tls: {} });
    expect((await connectionError(untrusting)).message).toMatch(/certificate/i);
  });

  it('provides a 3-master Redis Cluster that spreads keys over its nodes', async () => {
    const nodes = redisClusterNodes();
    expect(nodes).toHaveLength(3);
    const sut = new Cluster(nodes);
    try {
      const keys = 'abcdefghij'.split('').map((tag) => `rig:{${tag}}:${randomUUID()}`);
      for (const k of keys) await sut.set(k, k, 'EX', 60);
      await expect(Promise.all(keys.map((k) => sut.get(k)))).resolves.toEqual(keys);

      const slots = (await sut.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      const ownerOf = async (k: string): Promise<number> => {
        const slot = (await sut.cluster('KEYSLOT', k)) as number;
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`no node serves slot ${slot}`);
        return range[2][1];
      };
      const owners = await Promise.all(keys.map(ownerOf));
      expect(new Set(owners).size).toBe(3);

      // Each key really is on the node that owns its slot.
      const direct = new Redis({ port: owners[0] });
      try {
        await expect(direct.get(keys[0])).resolves.toBe(keys[0]);
      } finally {
        await closeClient(direct);
      }
    } finally {
      await sut.quit();
    }
  });

  it('starts a cluster node again on a new bus port when the one found free was taken meanwhile', async () => {
    // A port held by someone else, handed out as "free" first (the race a busy machine loses).
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (holder.address() as { port: number }).port;
    const offered: number[] = [];
    const ports = async (): Promise<number> => {
      const port = offered.length === 0 ? taken : await getFreePort();
      offered.push(port);
      return port;
    };
    try {
      const node = await startClusterNode((args: string[]) => startRedisServer({ args }), ports, 1_000);
      try {
        expect(offered[0]).toBe(taken);
        expect(offered.length).toBe(2);
        const client = new Redis(node.url);
        try {
          expect(String(await client.call('CLUSTER', 'MYID'))).toMatch(/^[0-9a-f]{40}$/); // a cluster node
        } finally {
          client.disconnect();
        }
      } finally {
        await node.kill();
      }
    } finally {
      holder.close();
    }
  });

  it('provides a Postgres database', async () => {
    const sut = new Client({ connectionString: databaseUrl() });
    await sut.connect();
    try {
      const { rows } = await sut.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await sut.end();
    }
  });

  it('creates and drops a database of a suite its own', async () => {
    const database = await createTestDatabase();
    const sut = new Client({ connectionString: database.url });
    await sut.connect();
    try {
      await sut.query('CREATE TABLE rig_probe (id int PRIMARY KEY)');
      await sut.query('INSERT INTO rig_probe VALUES ($1)', [7]);
      const { rows } = await sut.query<{ id: number }>('SELECT id FROM rig_probe');
      expect(rows).toEqual([{ id: 7 }]);
      await sut.query('DROP TABLE rig_probe');
    } finally {
      await sut.end();
      await database.drop();
    }

    if (databaseKind() === 'postgres') {
      const gone = new Client({ connectionString: database.url });
      await expect(gone.connect()).rejects.toThrow(/does not exist/);
    }
  });
});
