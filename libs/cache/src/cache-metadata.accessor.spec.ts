import { Reflector } from '@nestjs/core';
import { CacheMetadataAccessor } from './cache-metadata.accessor';
import { CacheEvict } from './decorators/cache-evict.decorator';
import { CachePut } from './decorators/cache-put.decorator';
import { Cacheable } from './decorators/cacheable.decorator';
import { CacheRoute, NoCache } from './http/cache-route.decorator';

class UsersService {
  @Cacheable({ namespace: 'users', key: 'user:{0}', ttlMs: 1_000 })
  async findOne(id: string): Promise<string> {
    return id;
  }

  @CachePut({ namespace: 'users', key: 'user:{0}' })
  @CacheEvict({ tags: ['users'] })
  @CacheEvict({ namespace: 'users', keys: 'list:{0}', beforeInvocation: true })
  async update(id: string): Promise<string> {
    return id;
  }

  async plain(): Promise<void> {}
}

@CacheRoute({ namespace: 'users', ttlMs: 60_000, varyHeaders: ['Accept-Language', 'accept-language', 'X-B'] })
class UsersController {
  list(): void {}

  @NoCache()
  realtime(): void {}

  @CacheRoute({ namespace: 'user', ttlMs: 5_000 })
  one(): void {}
}

@NoCache()
class HealthController {
  @CacheRoute({ namespace: 'health', ttlMs: 1_000 })
  cached(): void {}

  live(): void {}
}

class PlainController {
  list(): void {}
}

describe(CacheMetadataAccessor.name, () => {
  const sut = new CacheMetadataAccessor(new Reflector());

  describe('methodMetadata', () => {
    it('reads @Cacheable options from the method', () => {
      expect(sut.methodMetadata(UsersService.prototype.findOne)).toEqual({
        cacheable: { namespace: 'users', key: 'user:{0}', ttlMs: 1_000 },
        put: undefined,
        evictions: [],
      });
    });

    it('reads @CachePut and every @CacheEvict of a method', () => {
      const metadata = sut.methodMetadata(UsersService.prototype.update);
      expect(metadata?.put).toEqual({ namespace: 'users', key: 'user:{0}' });
      expect(metadata?.evictions).toHaveLength(2);
      expect(metadata?.evictions).toEqual(
        expect.arrayContaining([{ tags: ['users'] }, { namespace: 'users', keys: 'list:{0}', beforeInvocation: true }]),
      );
    });

    it('is undefined for an undecorated method', () => {
      expect(sut.methodMetadata(UsersService.prototype.plain)).toBeUndefined();
    });
  });

  describe('routePolicy', () => {
    it("takes the controller's @CacheRoute, with varied headers lower-cased, deduplicated and sorted", () => {
      expect(sut.routePolicy(UsersController.prototype.list, UsersController)).toEqual({
        kind: 'cache',
        options: { namespace: 'users', ttlMs: 60_000, varyHeaders: ['accept-language', 'x-b'] },
      });
    });

    it("prefers the handler's @NoCache or @CacheRoute to the controller's", () => {
      expect(sut.routePolicy(UsersController.prototype.realtime, UsersController)).toEqual({ kind: 'bypass' });
      expect(sut.routePolicy(UsersController.prototype.one, UsersController)).toMatchObject({ kind: 'cache', options: { namespace: 'user' } });
      expect(sut.routePolicy(HealthController.prototype.cached, HealthController)).toMatchObject({ kind: 'cache', options: { namespace: 'health' } });
    });

    it("applies a controller's @NoCache to its undecorated handlers", () => {
      expect(sut.routePolicy(HealthController.prototype.live, HealthController)).toEqual({ kind: 'bypass' });
    });

    it('is undefined for a route with no cache decorators', () => {
      expect(sut.routePolicy(PlainController.prototype.list, PlainController)).toBeUndefined();
    });
  });
});

describe(CacheEvict.name, () => {
  it('refuses options that evict nothing', () => {
    expect(() => CacheEvict({ namespace: 'users' })).toThrow(/keys, tags or allEntries/);
  });

  it('refuses keys or allEntries without a namespace', () => {
    expect(() => CacheEvict({ keys: 'user:{0}' })).toThrow(/need a namespace/);
    expect(() => CacheEvict({ allEntries: true })).toThrow(/need a namespace/);
  });
});
