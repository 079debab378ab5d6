import { Controller, Get, Injectable, Param, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheModule } from '../cache.module';
import { CacheService } from '../cache.service';
import { CacheRoute } from '../http/cache-route.decorator';
import { httpCacheId } from '../http/http-cache-key';
import { CacheRouteWarmer } from './cache-route.warmer';
import { CacheWarmerModule } from './cache-warmer.module';

@Controller('api/things')
class ThingsController {
  @Get(':id')
  @CacheRoute({ namespace: 'things', ttlMs: 60_000, tags: (request) => ['things', `thing:${request.params.id}`] })
  one(@Param('id') _id: string, @Query() _query: object): object {
    return {};
  }

  @Get()
  list(): object {
    return {};
  }
}

@Injectable()
class Holder {}

async function setup() {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ ttlJitter: 0 }), CacheWarmerModule.forRoot({ cron: false })],
    providers: [Holder],
  }).compile();
  moduleRef.useLogger(false);
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { sut: app.get(CacheRouteWarmer), cache: app.get(CacheService), close: () => app.close() };
}

describe(CacheRouteWarmer.name, () => {
  let env: Awaited<ReturnType<typeof setup>>;

  beforeEach(async () => {
    env = await setup();
  });

  afterEach(async () => {
    await env.close();
  });

  it("stores the answer under the interceptor's key, with the route's tags and TTL", async () => {
    const stored = await env.sut.warm({ controller: ThingsController, handler: 'one', org: 'o1', params: { id: '42' }, query: { b: 2, a: 'x' } }, async () => ({ id: 42 }));

    expect(stored).toBe(true);
    const key = env.cache.keys.entry('o1', 'things', httpCacheId('/api/things/:id', { params: { id: '42' }, query: { a: 'x', b: 2 } }, {}, []));
    const info = await env.cache.inspect(key);
    expect(info).toMatchObject({ tags: ['things', 'thing:42'] });
    expect(info!.ttlMs).toBeGreaterThan(59_000);
    const hit = await env.cache.lookupFullKey(key, () => 'loader must not run', { org: 'o1', namespace: 'things' });
    expect(hit.status).toBe('hit');
    expect(hit.value).toEqual({ json: '{"id":42}', etag: expect.stringMatching(/^"/) });
  });

  it('stores nothing when an invalidation of its tags lands while the answer is computed', async () => {
    const stored = await env.sut.warm({ controller: ThingsController, handler: 'one', org: 'o1', params: { id: '7' } }, async () => {
      await env.cache.invalidateTags(['thing:7'], { org: 'o1' });
      return { id: 7, stale: true };
    });

    expect(stored).toBe(false);
    const key = env.cache.keys.entry('o1', 'things', httpCacheId('/api/things/:id', { params: { id: '7' }, query: {} }, {}, []));
    expect(await env.cache.inspect(key)).toBeUndefined();
  });

  it('refuses a route without @CacheRoute or a missing path parameter', async () => {
    await expect(env.sut.warm({ controller: ThingsController, handler: 'list', org: 'o1' }, async () => ({}))).rejects.toThrow(/no @CacheRoute/);
    await expect(env.sut.warm({ controller: ThingsController, handler: 'one', org: 'o1' }, async () => ({}))).rejects.toThrow(/:id/);
  });
});
