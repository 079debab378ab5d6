import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCacheInstance } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { getFreePort, startRedisServer, type RedisServerHandle } from '../support/redis-server';

/** A Redis Sentinel of this file's own, watching `master` under the name `cache-master`. */
async function startSentinel(master: RedisServerHandle): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(process.env.TEST_RIG_DIR ?? tmpdir(), 'sentinel-'));
  const port = await getFreePort();
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor cache-master 127.0.0.1 ${master.port} 1`, 'sentinel down-after-milliseconds cache-master 1000', ''].join('\n'),
  );
  const child: ChildProcess = spawn('redis-server', [config, '--sentinel'], { cwd: dir, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port);
  return {
    port,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('through Redis Sentinel', () => {
  it('finds the master through the sentinel, caches there and reports the mode', async () => {
    const master = await startRedisServer();
    const sentinel = await startSentinel(master);
    const instance = await startCacheInstance({
      keyPrefix: uniquePrefix(),
      redis: { sentinel: { sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: 'cache-master' }, connectTimeoutMs: 10_000 },
    });
    try {
      expect(await instance.sut.health()).toMatchObject({ status: 'healthy', store: 'redis', redis: { connected: true, mode: 'sentinel' } });
      const loader = jest.fn(async () => 'v');
      await instance.sut.getOrSet('k', loader, { org: 'o1' });
      await instance.sut.getOrSet('k', loader, { org: 'o1' });
      expect(loader).toHaveBeenCalledTimes(1);
    } finally {
      await instance.close();
      await sentinel.stop();
      await master.stop();
    }
  });
});
