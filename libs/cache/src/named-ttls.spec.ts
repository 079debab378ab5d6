import { Controller, Get, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { CacheMetadataAccessor } from './cache-metadata.accessor';
import { CacheModule } from './cache.module';
import { CacheEvict } from './decorators/cache-evict.decorator';
import { Cacheable } from './decorators/cacheable.decorator';
import { CacheRoute } from './http/cache-route.decorator';
import { startDecoratedProviders } from './testing/cache-test-app';

const TTLS = { 'things.one': 42_000, 'things.list': 7_000 };

@Controller('things')
class ThingsController {
  @Get()
  @CacheRoute({ namespace: 'things', ttl: 'things.list' })
  list(): string[] {
    return [];
  }
}

@Controller('typo')
class TypoController {
  @Get()
  @CacheRoute({ namespace: 'things', ttl: 'things.lsit' })
  list(): string[] {
    return [];
  }
}

@Injectable()
class ThingsService {
  calls = 0;

  @Cacheable({ namespace: 'things', key: 'thing:{0}', ttl: 'things.one', tags: ['thing:{0}'], org: () => 'acme' })
  async get(id: string): Promise<string> {
    this.calls += 1;
    return `thing ${id}`;
  }

  @CacheEvict({ org: () => 'acme', tags: (id: string) => [`thing:${id}`] })
  async rename(_id: string): Promise<void> {}
}

@Injectable()
class TypoService {
  @Cacheable({ namespace: 'things', ttl: 'nope' })
  async get(): Promise<string> {
    return 'x';
  }
}

describe('named TTLs (the cache module\'s ttls option)', () => {
  it('resolves a route\'s ttl name to the module\'s TTL, once per decorator', () => {
    const sut = new CacheMetadataAccessor(new Reflector(), { ttls: TTLS });

    const policy = sut.routePolicy(ThingsController.prototype.list, ThingsController);

    expect(policy).toMatchObject({ kind: 'cache', options: { namespace: 'things', ttlMs: 7_000 } });
    expect(sut.routePolicy(ThingsController.prototype.list, ThingsController)).toEqual(policy);
  });

  it('names an unknown TTL and the known ones', () => {
    const sut = new CacheMetadataAccessor(new Reflector(), { ttls: TTLS });

    expect(() => sut.routePolicy(TypoController.prototype.list, TypoController)).toThrow(
      'Unknown cache TTL "things.lsit": the cache module\'s ttls option names things.one, things.list',
    );
    expect(sut.ttlMsOf({ ttlMs: 5 })).toBe(5);
    expect(sut.ttlMsOf({})).toBeUndefined();
  });

  it('refuses a @CacheRoute naming neither or both of ttlMs and ttl', () => {
    expect(() => CacheRoute({ namespace: 'x' })).toThrow('@CacheRoute: name exactly one of ttlMs and ttl');
    expect(() => CacheRoute({ namespace: 'x', ttlMs: 1, ttl: 'a' })).toThrow('@CacheRoute: name exactly one of ttlMs and ttl');
  });

  it('stores a @Cacheable result for its named TTL, and a @CacheEvict write evicts it', async () => {
    const instance = await startDecoratedProviders([ThingsService], { ttls: TTLS, ttlJitter: 0 });
    try {
      const service = instance.get(ThingsService);
      expect(await service.get('t1')).toBe('thing t1');
      expect(await service.get('t1')).toBe('thing t1');
      expect(service.calls).toBe(1);
      const ttl = await instance.cache.ttl('thing:t1', { org: 'acme', namespace: 'things' });
      expect(ttl).toBeGreaterThan(41_000);
      expect(ttl).toBeLessThanOrEqual(42_000);

      await service.rename('t1');

      expect(instance.evictions).toEqual(['evict thing:t1 in acme']);
      expect(await instance.cache.has('thing:t1', { org: 'acme', namespace: 'things' })).toBe(false);
      expect(await service.get('t1')).toBe('thing t1');
      expect(service.calls).toBe(2);
    } finally {
      await instance.close();
    }
  });

  it('stops the start naming the method when a @Cacheable names an unknown TTL', async () => {
    await expect(startDecoratedProviders([TypoService], { ttls: TTLS })).rejects.toThrow(
      'TypoService.get: Unknown cache TTL "nope": the cache module\'s ttls option names things.one, things.list',
    );
  });

  it('refuses a TTL that is not positive', async () => {
    await expect(startDecoratedProviders([], { ttls: { 'things.one': 0 } })).rejects.toThrow('ttls must be positive (things.one)');
  });
});

describe('a @CacheRoute naming an unknown TTL', () => {
  it('stops the start naming the route', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CacheModule.forRoot({ ttls: TTLS })], controllers: [TypoController] }).compile();
    moduleRef.useLogger(false);
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await expect(app.init()).rejects.toThrow('TypoController.list: Unknown cache TTL "things.lsit"');
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});
