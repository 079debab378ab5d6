import { Test } from '@nestjs/testing';
import type { CacheModuleOptions } from '../cache-options.interface';
import { CacheModule } from '../cache.module';
import { CacheService } from '../cache.service';

/** A CacheService as an application gets it: through `CacheModule.forRoot`, with lifecycle hooks run. */
export interface CacheTestInstance {
  sut: CacheService;
  close(): Promise<void>;
}

export async function startCacheInstance(options: CacheModuleOptions): Promise<CacheTestInstance> {
  const moduleRef = await Test.createTestingModule({ imports: [CacheModule.forRoot(options)] }).compile();
  moduleRef.useLogger(false);
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { sut: app.get(CacheService), close: () => app.close() };
}

/** A promise with its resolve/reject exposed, to hold a loader at a chosen point. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
