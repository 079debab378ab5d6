// A redis-server per test and the cache instances started on it, for suites that kill, pause or
// restart Redis: registers the hooks that start the server before each test and, after it, close
// the instances and stop the server (resumed first, in case the test left it paused).
import type { CacheModuleOptions } from '../../libs/cache/src/cache-options.interface';
import { startCacheInstance, type CacheTestInstance } from '../../libs/cache/src/testing/cache-test-app';
import { startRedisServer, type RedisServerHandle } from './redis-server';

export interface DisposableRedis {
  /** This test's server. */
  server(): RedisServerHandle;
  /** A cache instance closed after the test. */
  start(options: CacheModuleOptions): Promise<CacheTestInstance>;
  /** Closes one of them now (a restart, say). */
  close(instance: CacheTestInstance): Promise<void>;
}

export function useDisposableRedis(): DisposableRedis {
  let server: RedisServerHandle | undefined;
  const instances: CacheTestInstance[] = [];

  beforeEach(async () => {
    server = await startRedisServer();
  });

  afterEach(async () => {
    server?.resume();
    await Promise.all(instances.splice(0).map((instance) => instance.close()));
    await server?.stop();
  });

  return {
    server: () => {
      if (server === undefined) throw new Error('no server outside a test');
      return server;
    },
    async start(options) {
      const instance = await startCacheInstance(options);
      instances.push(instance);
      return instance;
    },
    async close(instance) {
      instances.splice(instances.indexOf(instance), 1);
      await instance.close();
    },
  };
}
