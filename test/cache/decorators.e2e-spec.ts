import {
  CacheContext,
  CacheEvict,
  CacheModule,
  CachePut,
  CacheService,
  Cacheable,
  type CacheModuleOptions,
} from '@app/cache';
import { stableHash } from '@app/cache/internals';
import { Injectable, Logger, Scope, SetMetadata, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { deferred, sleep } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { redisUrl } from '../support/env';

interface User {
  id: string;
  name: string;
}

/** The "database": shared by every app instance of a test, rows per organization, reads counted. */
class UsersTable {
  readonly rows = new Map<string, string>();
  reads = 0;

  row(id: string): User | null {
    this.reads++;
    const name = this.rows.get(`${CacheContext.org() ?? '-'}/${id}`);
    return name === undefined ? null : { id, name };
  }

  write(id: string, name: string): void {
    this.rows.set(`${CacheContext.org() ?? '-'}/${id}`, name);
  }
}

@Injectable()
class UsersService {
  constructor(private readonly table: UsersTable) {}

  @Cacheable({
    namespace: 'users',
    key: 'user:{0}',
    ttlMs: 60_000,
    tags: ['users', 'user:{0}'],
    condition: (id: string) => !id.startsWith('live-'),
    unless: (user: User | null) => user === null,
  })
  @SetMetadata('test:marker', 'kept')
  async findOne(id: string): Promise<User | null> {
    return this.table.row(id);
  }

  @Cacheable({ namespace: 'users', ttlMs: 60_000, tags: ['users'] })
  async search(filter: { q: string; page: number }): Promise<string[]> {
    this.table.reads++;
    return [`${filter.q}:${filter.page}`];
  }

  @Cacheable({ namespace: 'reports', key: 'report:{1}', org: (org: string) => org })
  async report(org: string, id: string): Promise<string> {
    this.table.reads++;
    return `${org}/${id}`;
  }

  @CacheEvict({ tags: ['user:{0}'] })
  async rename(id: string, name: string, committed: Promise<void> = Promise.resolve()): Promise<void> {
    await committed;
    this.table.write(id, name);
  }

  @CacheEvict({ tags: ['user:{0}'] })
  async renameFailing(id: string): Promise<void> {
    throw new Error(`write of ${id} failed`);
  }

  @CacheEvict({ tags: ['user:{0}'], beforeInvocation: true })
  async renameFailingEvictingFirst(id: string): Promise<void> {
    throw new Error(`write of ${id} failed`);
  }

  @CachePut({ namespace: 'users', key: 'user:{0.id}', tags: ['users', 'user:{0.id}'] })
  async save(user: User): Promise<User> {
    this.table.write(user.id, user.name);
    return user;
  }

  @CacheEvict({ namespace: 'users', allEntries: true })
  async importAll(): Promise<void> {}
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestService {
  @Cacheable({ namespace: 'users' })
  async find(): Promise<string> {
    return 'x';
  }
}

interface Instance {
  app: INestApplication;
  users: UsersService;
  cache: CacheService;
}

async function start(options: CacheModuleOptions, table: UsersTable, extraProviders: (typeof PerRequestService)[] = []): Promise<Instance> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot(options)],
    providers: [UsersService, { provide: UsersTable, useValue: table }, ...extraProviders],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, users: app.get(UsersService), cache: app.get(CacheService) };
}

const inOrg = <T>(org: string, fn: () => Promise<T>): Promise<T> => CacheContext.run({ org }, fn);

const stores: [string, () => Partial<CacheModuleOptions>][] = [
  ['the in-process store', () => ({})],
  ['Redis', () => ({ redis: { url: redisUrl(), commandTimeoutMs: 1_000 } })],
];

describe.each(stores)('cache decorators on %s', (_name, storeOptions) => {
  let table: UsersTable;
  let sut: Instance;

  beforeEach(async () => {
    table = new UsersTable();
    sut = await start({ keyPrefix: uniquePrefix(), ttlJitter: 0, ...storeOptions() }, table);
    await inOrg('acme', async () => table.write('1', 'Ada'));
  });

  afterEach(async () => {
    await sut.cache.clear();
    await sut.app.close();
  });

  it('loads on the first call and answers the second from the cache', async () => {
    await inOrg('acme', async () => {
      expect(await sut.users.findOne('1')).toEqual({ id: '1', name: 'Ada' });
      expect(await sut.users.findOne('1')).toEqual({ id: '1', name: 'Ada' });
    });
    expect(table.reads).toBe(1);
  });

  it('builds the key from the arguments: a template, or ClassName.method and their stable hash', async () => {
    await inOrg('acme', async () => {
      await sut.users.findOne('1');
      await sut.users.search({ q: 'a', page: 1 });
      await sut.users.search({ page: 1, q: 'a' }); // same arguments, other key order
      await sut.users.search({ q: 'a', page: 2 });
    });
    expect(table.reads).toBe(3);
    const scope = { org: 'acme', namespace: 'users' };
    expect(await sut.cache.get('user:1', scope)).toEqual({ id: '1', name: 'Ada' });
    expect(await sut.cache.get(`UsersService.search:${stableHash([{ q: 'a', page: 2 }])}`, scope)).toEqual(['a:2']);
  });

  it('evicts tags once the write resolved, so the next read sees it', async () => {
    const committed = deferred<void>();
    await inOrg('acme', async () => {
      await sut.users.findOne('1');
      const write = sut.users.rename('1', 'Grace', committed.promise);
      await sleep(20);
      expect(await sut.users.findOne('1')).toEqual({ id: '1', name: 'Ada' }); // not committed yet: still cached
      committed.resolve();
      await write;
      expect(await sut.users.findOne('1')).toEqual({ id: '1', name: 'Grace' });
    });
    expect(table.reads).toBe(2);
  });

  it('does not evict when the method throws', async () => {
    await inOrg('acme', async () => {
      await sut.users.findOne('1');
      await expect(sut.users.renameFailing('1')).rejects.toThrow('write of 1 failed');
      await sut.users.findOne('1');
    });
    expect(table.reads).toBe(1);
  });

  it('evicts before the call with beforeInvocation, even when the method then throws', async () => {
    await inOrg('acme', async () => {
      await sut.users.findOne('1');
      await expect(sut.users.renameFailingEvictingFirst('1')).rejects.toThrow('write of 1 failed');
      await sut.users.findOne('1');
    });
    expect(table.reads).toBe(2);
  });

  it('neither reads nor stores when condition is false', async () => {
    await inOrg('acme', async () => {
      await sut.users.findOne('live-1');
      await sut.users.findOne('live-1');
    });
    expect(table.reads).toBe(2);
    expect(await sut.cache.get('user:live-1', { org: 'acme', namespace: 'users' })).toBeUndefined();
  });

  it('returns but does not store a result that unless rejects', async () => {
    await inOrg('acme', async () => {
      expect(await sut.users.findOne('404')).toBeNull();
      expect(await sut.users.findOne('404')).toBeNull();
    });
    expect(table.reads).toBe(2);
  });

  it('stores the result of @CachePut under its key, so the next read is a hit with the new value', async () => {
    await inOrg('acme', async () => {
      await sut.users.findOne('1');
      await sut.users.save({ id: '1', name: 'Put' });
      expect(await sut.users.findOne('1')).toEqual({ id: '1', name: 'Put' });
    });
    expect(table.reads).toBe(1);
  });

  it('evicts the whole namespace with allEntries', async () => {
    await inOrg('acme', async () => {
      await sut.users.findOne('1');
      await sut.users.search({ q: 'a', page: 1 });
      await sut.users.importAll();
      await sut.users.findOne('1');
      await sut.users.search({ q: 'a', page: 1 });
    });
    expect(table.reads).toBe(4);
  });

  it('keeps organizations apart: same key, own values, own evictions', async () => {
    await inOrg('globex', async () => table.write('1', 'Bob'));
    expect(await inOrg('acme', () => sut.users.findOne('1'))).toEqual({ id: '1', name: 'Ada' });
    expect(await inOrg('globex', () => sut.users.findOne('1'))).toEqual({ id: '1', name: 'Bob' });
    await inOrg('globex', () => sut.users.rename('1', 'Bobby'));
    expect(await inOrg('acme', () => sut.users.findOne('1'))).toEqual({ id: '1', name: 'Ada' });
    expect(await inOrg('globex', () => sut.users.findOne('1'))).toEqual({ id: '1', name: 'Bobby' });
    expect(table.reads).toBe(3);
    expect(await sut.cache.get('user:1', { namespace: 'users' })).toBeUndefined(); // nothing in the global org
  });

  it('lets an org option computed from the arguments override the context', async () => {
    expect(await inOrg('acme', () => sut.users.report('initech', 'r1'))).toBe('initech/r1');
    expect(await sut.users.report('initech', 'r1')).toBe('initech/r1');
    expect(table.reads).toBe(1);
    expect(await sut.cache.get('report:r1', { org: 'initech', namespace: 'reports' })).toBe('initech/r1');
  });

  it('keeps the method name, `this` and the other decorators\' metadata on the wrapper', async () => {
    const { findOne } = sut.users;
    expect(findOne.name).toBe('findOne');
    expect(Reflect.getMetadata('test:marker', findOne)).toBe('kept');
    expect(findOne).not.toBe(UsersService.prototype.findOne);
    await expect(inOrg('acme', () => findOne.call(sut.users, '1'))).resolves.toEqual({ id: '1', name: 'Ada' });
  });
});

describe('cache decorators on a request-scoped provider', () => {
  it('leaves the method alone and says why', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const sut = await start({ keyPrefix: uniquePrefix() }, new UsersTable(), [PerRequestService]);
    try {
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Cannot cache PerRequestService\.find: .*request-scoped/));
    } finally {
      warn.mockRestore();
      await sut.app.close();
    }
  });
});

describe('cache decorators on two app instances sharing Redis', () => {
  let table: UsersTable;
  let a: Instance;
  let b: Instance;

  beforeEach(async () => {
    table = new UsersTable();
    const options = { keyPrefix: uniquePrefix(), ttlJitter: 0, redis: { url: redisUrl(), commandTimeoutMs: 1_000 } };
    a = await start(options, table);
    b = await start(options, table);
    await inOrg('acme', async () => table.write('1', 'Ada'));
  });

  afterEach(async () => {
    await a.cache.clear();
    await Promise.all([a.app.close(), b.app.close()]);
  });

  it('serves one instance the value the other loaded, and a fresh read after the other evicts', async () => {
    await inOrg('acme', async () => {
      expect(await a.users.findOne('1')).toEqual({ id: '1', name: 'Ada' });
      expect(await b.users.findOne('1')).toEqual({ id: '1', name: 'Ada' }); // from Redis, then in B's L1
      expect(table.reads).toBe(1);
      await a.users.rename('1', 'Grace');
      expect(await b.users.findOne('1')).toEqual({ id: '1', name: 'Grace' });
    });
    expect(table.reads).toBe(2);
  });
});
