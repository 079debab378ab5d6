// Proves test/support/redis-server.ts gives suites a redis-server they can break and mend.
import { Redis } from 'ioredis';
import { closeClient, connectionError, failFast } from './support/redis-client';
import { getFreePort, startRedisServer, type RedisServerHandle } from './support/redis-server';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRedisServer', () => {
  let sut: RedisServerHandle;
  const clients: Redis[] = [];
  const connect = async (commandTimeout?: number): Promise<Redis> => {
    const client = new Redis(sut.url, { ...failFast, commandTimeout });
    clients.push(client);
    await client.connect();
    return client;
  };

  beforeEach(async () => {
    sut = await startRedisServer({ password: 'p@ss word' });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeClient));
    await sut.stop();
  });

  it('starts a server on a free loopback port that needs its password', async () => {
    expect(sut.host).toBe('127.0.0.1');
    expect(sut.url).toBe(`redis://:p%40ss%20word@127.0.0.1:${sut.port}`);
    const client = await connect();
    await expect(client.ping()).resolves.toBe('PONG');

    const anonymous = new Redis({ ...failFast, port: sut.port });
    expect((await connectionError(anonymous)).message).toMatch(/NOAUTH/);
  });

  it('pause() makes it unresponsive and resume() brings it back', async () => {
    const client = await connect(300);
    sut.pause();
    await expect(client.ping()).rejects.toThrow(/timed out/i);
    sut.resume();
    await expect(client.ping()).resolves.toBe('PONG');
  });

  it('kill() ends the process so connections are refused', async () => {
    const { pid } = sut;
    await sut.kill();
    expect(isRunning(pid)).toBe(false);
    expect((await connectionError(new Redis(sut.url, failFast))).message).toMatch(/ECONNREFUSED/);
  });

  it('stop() shuts it down gracefully', async () => {
    const { pid } = sut;
    await sut.stop();
    expect(isRunning(pid)).toBe(false);
    expect((await connectionError(new Redis(sut.url, failFast))).message).toMatch(/ECONNREFUSED/);
  });

  it('restart() serves again on the same port with empty data', async () => {
    const { port, pid } = sut;
    const before = await connect();
    await before.set('survives', 'no');
    await closeClient(before);

    await sut.restart();

    expect(sut.port).toBe(port);
    expect(sut.pid).not.toBe(pid);
    const after = await connect();
    await expect(after.ping()).resolves.toBe('PONG');
    await expect(after.get('survives')).resolves.toBeNull();
  });

  it('restart() also revives a killed or paused server', async () => {
    await sut.kill();
    await sut.restart();
    await expect((await connect()).ping()).resolves.toBe('PONG');

    sut.pause();
    await sut.restart();
    await expect((await connect()).ping()).resolves.toBe('PONG');
  });
});

describe(getFreePort.name, () => {
  it('returns a port nothing listens on', async () => {
    const port = await getFreePort();
    const server = await startRedisServer({ port });
    try {
      expect(server.port).toBe(port);
    } finally {
      await server.stop();
    }
  });
});
