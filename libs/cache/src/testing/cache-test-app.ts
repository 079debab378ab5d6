import type { Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { CacheModuleOptions } from '../cache-options.interface';
import { CacheModule } from '../cache.module';
import { CacheService } from '../cache.service';
import { delay } from '../common/async';

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

/** Real time passing (the engine's `delay`), for tests that wait on timers they cannot fake. */
export const sleep = (ms: number): Promise<void> => delay(ms);

/** Providers as an application gets them, their cache decorators wired by `CacheModule`, and every tag invalidation recorded. */
export interface DecoratedProvidersInstance {
  get<T>(type: Type<T>): T;
  cache: CacheService;
  /** One line per `invalidateTags` call, in order: `evict <tags, comma-separated> in <org>`. */
  evictions: string[];
  close(): Promise<void>;
}

/**
 * Starts `providers` (fakes for their repositories among them) with `CacheModule.forRoot(options)`,
 * the in-process store unless the options name Redis, so `@Cacheable`/`@CacheEvict` run through
 * the real explorer and engine; `events`, when given, receives the evictions too, in order with
 * whatever else the test records there.
 */
export async function startDecoratedProviders(
  providers: Provider[],
  options: CacheModuleOptions = {},
  events: string[] = [],
): Promise<DecoratedProvidersInstance> {
  const moduleRef = await Test.createTestingModule({ imports: [CacheModule.forRoot(options)], providers }).compile();
  moduleRef.useLogger(false);
  const app = moduleRef.createNestApplication({ logger: false });
  const cache = app.get(CacheService);
  const evictions: string[] = [];
  const invalidateTags = cache.invalidateTags.bind(cache);
  cache.invalidateTags = async (tags, scope = {}) => {
    const line = `evict ${tags.join(',')} in ${String(scope.org)}`;
    evictions.push(line);
    events.push(line);
    return invalidateTags(tags, scope);
  };
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return { get: (type) => app.get(type), cache, evictions, close: () => app.close() };
}
