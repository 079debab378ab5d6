import {
  CacheContext,
  CacheContextMiddleware,
  CacheModule,
  CacheRoute,
  CacheService,
  HttpCacheInterceptor,
  NoCache,
  type CacheModuleOptions,
} from '@app/cache';
import {
  Controller,
  Get,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
  UseInterceptors,
  Headers,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { sleep } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { redisUrl } from '../support/env';

/** How many times each handler ran, shared by the test and the controller. */
class Calls {
  readonly counts = new Map<string, number>();

  count(name: string): number {
    const n = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, n);
    return n;
  }

  of(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}

/** The tenant mechanism of these tests: the organization named by a header (never do this in an app). */
@Injectable()
class TestTenantMiddleware implements NestMiddleware {
  use(req: { headers: Record<string, string | string[] | undefined> }, _res: unknown, next: () => void): void {
    const org = req.headers['x-test-org'];
    if (typeof org === 'string') CacheContext.run({ org }, next);
    else next();
  }
}

@Controller('items')
@CacheRoute({ namespace: 'items', ttlMs: 60_000, tags: (req) => ['items', ...(req.params.id ? [`item:${req.params.id}`] : [])] })
class ItemsController {
  constructor(private readonly calls: Calls) {}

  @Get()
  list(@Query() query: Record<string, string>) {
    return { org: CacheContext.org(), query, call: this.calls.count('list') };
  }

  @Get('by-language')
  @CacheRoute({ namespace: 'items', ttlMs: 60_000, varyHeaders: ['Accept-Language'] })
  byLanguage(@Headers('accept-language') language: string | undefined) {
    return { language, call: this.calls.count('by-language') };
  }

  @Get('live')
  @NoCache()
  live() {
    return { call: this.calls.count('live') };
  }

  @Get('with-cookie')
  withCookie(@Res({ passthrough: true }) res: { setHeader(name: string, value: string): void }) {
    res.setHeader('Set-Cookie', 'session=abc');
    return { call: this.calls.count('with-cookie') };
  }

  @Get('short')
  @CacheRoute({ namespace: 'items', ttlMs: 600, graceMs: 30_000 })
  short() {
    return { call: this.calls.count('short') };
  }

  @Get(':id')
  one(@Param('id') id: string) {
    this.calls.count(`item:${id}`);
    if (id === 'missing') throw new NotFoundException(`No item ${id}`);
    return { id };
  }

  @Post()
  create() {
    return { call: this.calls.count('create') };
  }
}

function itemsModule(cacheOptions: CacheModuleOptions, calls: Calls): Type<unknown> {
  @Module({
    imports: [CacheModule.forRoot(cacheOptions)],
    controllers: [ItemsController],
    providers: [{ provide: Calls, useValue: calls }, { provide: APP_INTERCEPTOR, useExisting: HttpCacheInterceptor }],
  })
  class ItemsModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(TestTenantMiddleware).forRoutes(ItemsController);
    }
  }
  return ItemsModule;
}

async function startApp(module: Type<unknown>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const stores: [string, () => Partial<CacheModuleOptions>][] = [
  ['the in-process store', () => ({})],
  ['Redis', () => ({ redis: { url: redisUrl(), commandTimeoutMs: 1_000 } })],
];

describe.each(stores)('HTTP cache on %s', (_name, storeOptions) => {
  let app: INestApplication;
  let calls: Calls;
  let prefix: string;
  const get = (path: string, org = 'acme') => request(app.getHttpServer()).get(path).set('x-test-org', org);

  beforeEach(async () => {
    calls = new Calls();
    prefix = uniquePrefix();
    app = await startApp(itemsModule({ keyPrefix: prefix, ttlJitter: 0, ...storeOptions() }, calls));
  });

  afterEach(async () => {
    await app.get(CacheService).clear();
    await app.close();
  });

  it('answers MISS and stores, then HIT from the cache with the same body and ETag', async () => {
    const miss = await get('/items?a=1').expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['cache-status']).toBe(`${prefix}; fwd=miss; stored`);
    expect(miss.headers['x-cache-key']).toMatch(/^acme:items:http:[A-Za-z0-9_-]{16}$/);
    expect(miss.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(miss.headers['content-type']).toMatch(/^application\/json/);
    expect(miss.headers['age']).toBeUndefined();
    // For this caller only, and revalidated by clients on every reuse (this cache's invalidations cannot reach theirs).
    expect(miss.headers['cache-control']).toBe('private, no-cache');
    expect(miss.headers['vary']).toBe('Authorization');
    expect(miss.body).toEqual({ org: 'acme', query: { a: '1' }, call: 1 });

    const hit = await get('/items?a=1').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['cache-status']).toMatch(new RegExp(`^${prefix}; hit; ttl=(59|60)$`));
    expect(hit.headers['age']).toBe('0');
    expect(hit.headers['etag']).toBe(miss.headers['etag']);
    expect(hit.headers['x-cache-key']).toBe(miss.headers['x-cache-key']);
    expect(hit.headers['content-type']).toMatch(/^application\/json/);
    expect(hit.body).toEqual(miss.body);
    expect(calls.of('list')).toBe(1);
  });

  it('answers 304 with no body to a matching If-None-Match, on a hit and on a miss', async () => {
    const first = await get('/items').expect(200);
    const etag = first.headers['etag'] as string;
    const onHit = await get('/items').set('If-None-Match', etag).expect(304);
    expect(onHit.headers['x-cache']).toBe('HIT');
    expect(onHit.text).toBe('');

    await app.get(CacheService).invalidateTags(['items'], { org: 'acme' });
    calls.counts.clear(); // the handler answers as it did the first time, so the ETag is the same
    const onMiss = await get('/items').set('If-None-Match', etag).expect(304);
    expect(onMiss.headers['x-cache']).toBe('MISS');
    expect(onMiss.text).toBe('');

    await get('/items').set('If-None-Match', '"other"').expect(200);
  });

  it('shares an entry between orders of the same query parameters, not between different values', async () => {
    const first = await get('/items?page=2&limit=5').expect(200);
    const reordered = await get('/items?limit=5&page=2').expect(200);
    expect(reordered.headers['x-cache']).toBe('HIT');
    expect(reordered.headers['x-cache-key']).toBe(first.headers['x-cache-key']);
    const other = await get('/items?page=3&limit=5').expect(200);
    expect(other.headers['x-cache']).toBe('MISS');
    expect(other.headers['x-cache-key']).not.toBe(first.headers['x-cache-key']);
    expect(calls.of('list')).toBe(2);
  });

  it('varies by the headers the route names, and only those', async () => {
    const en = await get('/items/by-language').set('Accept-Language', 'en').set('User-Agent', 'a').expect(200);
    expect(en.headers['x-cache']).toBe('MISS');
    expect(en.headers['vary']).toBe('Authorization, accept-language');
    const enAgain = await get('/items/by-language').set('Accept-Language', 'en').set('User-Agent', 'b').expect(200);
    expect(enAgain.headers['x-cache']).toBe('HIT');
    const fr = await get('/items/by-language').set('Accept-Language', 'fr').expect(200);
    expect(fr.headers['x-cache']).toBe('MISS');
    expect(fr.body).toEqual({ language: 'fr', call: 2 });
  });

  it('never shares an answer between organizations', async () => {
    const acme = await get('/items', 'acme').expect(200);
    const globex = await get('/items', 'globex').expect(200);
    expect(globex.headers['x-cache']).toBe('MISS');
    expect(globex.body).toEqual({ org: 'globex', query: {}, call: 2 });
    expect(globex.headers['x-cache-key']).toMatch(/^globex:items:http:/);
    expect(globex.headers['x-cache-key']).not.toBe(acme.headers['x-cache-key']);
    expect((await get('/items', 'acme').expect(200)).body).toEqual(acme.body);
  });

  it('drops stored answers by the tags the route gives, within the organization', async () => {
    await get('/items/7').expect(200);
    await get('/items/7', 'globex').expect(200);
    await app.get(CacheService).invalidateTags(['item:7'], { org: 'acme' });
    expect((await get('/items/7').expect(200)).headers['x-cache']).toBe('MISS');
    expect((await get('/items/7', 'globex').expect(200)).headers['x-cache']).toBe('HIT');
  });

  it('never stores an answer that is not 2xx', async () => {
    await get('/items/missing').expect(404);
    const again = await get('/items/missing').expect(404);
    expect(again.headers['x-cache']).toBeUndefined();
    expect(again.body).toMatchObject({ statusCode: 404, message: 'No item missing' });
    expect(calls.of('item:missing')).toBe(2);
  });

  it('never stores an answer that sets a cookie', async () => {
    const first = await get('/items/with-cookie').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.headers['cache-status']).toBe(`${prefix}; fwd=miss`);
    const second = await get('/items/with-cookie').expect(200);
    expect(second.headers['x-cache']).toBe('MISS');
    expect(calls.of('with-cookie')).toBe(2);
  });

  it('leaves POST alone: the handler runs each time and nothing is stored', async () => {
    const first = await request(app.getHttpServer()).post('/items').set('x-test-org', 'acme').expect(201);
    await request(app.getHttpServer()).post('/items').set('x-test-org', 'acme').expect(201);
    expect(first.headers['x-cache']).toBeUndefined();
    expect(calls.of('create')).toBe(2);
  });

  it('answers BYPASS on a @NoCache route', async () => {
    const first = await get('/items/live').expect(200);
    const second = await get('/items/live').expect(200);
    expect(second.headers['x-cache']).toBe('BYPASS');
    expect(second.headers['cache-control']).toBe('private, no-cache');
    expect(second.headers['vary']).toBe('Authorization');
    expect(second.headers['cache-status']).toBe(`${prefix}; fwd=bypass`);
    expect([first.body, second.body]).toEqual([{ call: 1 }, { call: 2 }]);
  });

  it('serves a stale answer within grace (STALE, negative ttl) while one refresh runs', async () => {
    await get('/items/short').expect(200);
    await sleep(700);
    const stale = await get('/items/short').expect(200);
    expect(stale.headers['x-cache']).toBe('STALE');
    expect(stale.headers['cache-status']).toMatch(new RegExp(`^${prefix}; hit; ttl=-\\d+$`));
    expect(stale.headers['age']).toBeDefined();
    expect(stale.body).toEqual({ call: 1 });
    await waitFor(() => calls.of('short') === 2);
    // The refresh's handler has run; its answer is stored just after. Reads until then are still
    // STALE and start no second refresh.
    let fresh = await get('/items/short').expect(200);
    for (const deadline = Date.now() + 5_000; fresh.body.call !== 2 && Date.now() < deadline; ) {
      await sleep(10);
      fresh = await get('/items/short').expect(200);
    }
    expect([fresh.headers['x-cache'], fresh.body]).toEqual(['HIT', { call: 2 }]);
    expect(calls.of('short')).toBe(2);
  });

  it('serves uncached (BYPASS) when the cache cannot build a key for the organization', async () => {
    const res = await get('/items', 'not a valid org').expect(200);
    expect(res.headers['x-cache']).toBe('BYPASS');
    expect(res.body).toMatchObject({ org: 'not a valid org', call: 1 });
  });
});

/** A policy inherited from a base controller's `@CacheRoute`, on a handler that decorator never wrapped. */
@CacheRoute({ namespace: 'inherited', ttlMs: 60_000 })
class CachedBaseController {}

@Controller('inherited')
class InheritingController extends CachedBaseController {
  constructor(private readonly calls: Calls) {
    super();
  }

  @Get()
  added() {
    return { call: this.calls.count('added') };
  }
}

describe('HTTP cache on a handler with a policy but no @CacheRoute wrapper', () => {
  it('serves it uncached (BYPASS), headers set before the answer leaves, and runs the handler each time', async () => {
    const calls = new Calls();
    @Module({
      imports: [CacheModule.forRoot({ keyPrefix: uniquePrefix() })],
      controllers: [InheritingController],
      providers: [{ provide: Calls, useValue: calls }, { provide: APP_INTERCEPTOR, useExisting: HttpCacheInterceptor }],
    })
    class InheritingModule {}
    const app = await startApp(InheritingModule);
    try {
      const first = await request(app.getHttpServer()).get('/inherited').expect(200);
      const second = await request(app.getHttpServer()).get('/inherited').expect(200);
      expect([first.body, second.body]).toEqual([{ call: 1 }, { call: 2 }]);
      for (const res of [first, second]) {
        expect(res.headers['x-cache']).toBe('BYPASS');
        expect(res.headers['cache-status']).toMatch(/; fwd=bypass$/);
        expect(res.headers['x-cache-key']).toBeUndefined();
      }
    } finally {
      await app.close();
    }
  });
});

describe('HTTP cache with caching disabled', () => {
  it('answers BYPASS and runs the handler each time', async () => {
    const calls = new Calls();
    const app = await startApp(itemsModule({ enabled: false }, calls));
    try {
      const res = await request(app.getHttpServer()).get('/items').set('x-test-org', 'acme').expect(200);
      await request(app.getHttpServer()).get('/items').set('x-test-org', 'acme').expect(200);
      expect(res.headers['x-cache']).toBe('BYPASS');
      expect(calls.of('list')).toBe(2);
    } finally {
      await app.close();
    }
  });
});

/** A tenant guard: it learns the organization late (after an await), as a key lookup would. */
@Injectable()
class TestTenantGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    await sleep(1);
    const org = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-test-org'];
    CacheContext.setOrg(org);
    return true;
  }
}

@Controller('guarded')
@UseGuards(TestTenantGuard)
@UseInterceptors(HttpCacheInterceptor)
@CacheRoute({ namespace: 'guarded', ttlMs: 60_000 })
class GuardedController {
  constructor(private readonly calls: Calls) {}

  @Get()
  read() {
    return { org: CacheContext.org(), call: this.calls.count('guarded') };
  }
}

describe('HTTP cache with the organization set by a guard', () => {
  let app: INestApplication;
  let calls: Calls;

  beforeEach(async () => {
    calls = new Calls();
    @Module({
      imports: [CacheModule.forRoot({ keyPrefix: uniquePrefix(), redis: { url: redisUrl(), commandTimeoutMs: 1_000 } })],
      controllers: [GuardedController],
      providers: [{ provide: Calls, useValue: calls }],
    })
    class GuardedModule implements NestModule {
      configure(consumer: MiddlewareConsumer): void {
        consumer.apply(CacheContextMiddleware).forRoutes(GuardedController);
      }
    }
    app = await startApp(GuardedModule);
  });

  afterEach(async () => {
    await app.get(CacheService).clear();
    await app.close();
  });

  it('scopes entries to the organization the guard set (CacheContextMiddleware + CacheContext.setOrg)', async () => {
    const get = (org: string) => request(app.getHttpServer()).get('/guarded').set('x-test-org', org).expect(200);
    const acme = await get('acme');
    expect(acme.headers['x-cache-key']).toMatch(/^acme:guarded:http:/);
    expect((await get('globex')).body).toEqual({ org: 'globex', call: 2 });
    const again = await get('acme');
    expect([again.headers['x-cache'], again.body]).toEqual(['HIT', { org: 'acme', call: 1 }]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
