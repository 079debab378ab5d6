import { CacheKeyBuilder } from '../keys/cache-key.builder';
import { stableHash } from '../keys/stable-hash';
import { compileKeyTemplate, keyRenderer, keysRenderer, tagsRenderer } from './cache-key-template';

describe(compileKeyTemplate.name, () => {
  it.each([
    ['user:{0}', ['u1'], 'user:u1'],
    ['{0}:{1}', ['a', 2], 'a:2'],
    ['order:{0.id}:items', [{ id: 'o9' }], 'order:o9:items'],
    ['{1.user.id}/{0}', [true, { user: { id: 7 } }], '7/true'],
    ['list:{0.tags.1}', [{ tags: ['x', 'y'] }], 'list:y'],
    ['big:{0}', [10n], 'big:10'],
    ['plain', ['ignored'], 'plain'],
  ])('renders %p with %p as %p', (template, args, expected) => {
    expect(compileKeyTemplate(template)(args)).toBe(expected);
  });

  it('writes Dates as ISO strings', () => {
    expect(compileKeyTemplate('day:{0}')([new Date('2024-05-01T00:00:00Z')])).toBe('day:2024-05-01T00:00:00.000Z');
  });

  it('writes objects, arrays, null and undefined as their stable hash, whatever the key order', () => {
    const sut = compileKeyTemplate('q:{0}');
    expect(sut([{ a: 1, b: 2 }])).toBe(`q:${stableHash({ b: 2, a: 1 })}`);
    expect(sut([[1, 2]])).toBe(`q:${stableHash([1, 2])}`);
    expect(sut([null])).not.toBe(sut([undefined]));
  });

  it('reads a property of a missing argument as undefined instead of throwing', () => {
    expect(compileKeyTemplate('u:{0.id}')([])).toBe(`u:${stableHash(undefined)}`);
  });

  it('keeps braces that are not placeholders', () => {
    expect(compileKeyTemplate('{x}:{0}:{}')(['a'])).toBe('{x}:a:{}');
  });
});

describe(keyRenderer.name, () => {
  it('calls a key function with the arguments spread', () => {
    const sut = keyRenderer((id: string, page: number) => `list:${id}:${page}`);
    expect(sut(['u1', 3])).toBe('list:u1:3');
  });
});

describe(tagsRenderer.name, () => {
  it('renders each template, or calls the function, or renders nothing', () => {
    expect(tagsRenderer(['users', 'user:{0}'])(['u1'])).toEqual(['users', 'user:u1']);
    expect(tagsRenderer((u: { id: string }) => [`user:${u.id}`])([{ id: 'u2' }])).toEqual(['user:u2']);
    expect(tagsRenderer(undefined)(['u1'])).toEqual([]);
  });
});

describe(keysRenderer.name, () => {
  it('accepts one template, a list, or a function returning one key or several', () => {
    expect(keysRenderer('user:{0}')(['u1'])).toEqual(['user:u1']);
    expect(keysRenderer(['a:{0}', 'b:{0}'])(['1'])).toEqual(['a:1', 'b:1']);
    expect(keysRenderer((id: string) => `user:${id}`)(['u1'])).toEqual(['user:u1']);
    expect(keysRenderer((id: string) => [`a:${id}`, `b:${id}`])(['1'])).toEqual(['a:1', 'b:1']);
    expect(keysRenderer(undefined)([])).toEqual([]);
  });
});

describe('default key of an undecorated id (entryForArgs)', () => {
  const sut = new CacheKeyBuilder('app');

  it('is ClassName.method and a hash of the arguments that ignores object key order', () => {
    const a = sut.entryForArgs('acme', 'users', 'UsersService.search', [{ q: 'x', page: 1 }]);
    const b = sut.entryForArgs('acme', 'users', 'UsersService.search', [{ page: 1, q: 'x' }]);
    expect(a).toBe(b);
    expect(a).toBe(`app:{acme}:users:UsersService.search:${stableHash([{ q: 'x', page: 1 }])}`);
  });

  it('differs for different arguments and for different organizations', () => {
    const one = sut.entryForArgs('acme', 'users', 'S.m', [1]);
    expect(sut.entryForArgs('acme', 'users', 'S.m', [2])).not.toBe(one);
    expect(sut.entryForArgs('other', 'users', 'S.m', [1])).not.toBe(one);
  });
});
