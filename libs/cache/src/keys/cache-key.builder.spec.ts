import { DEFAULT_NAMESPACE, GLOBAL_ORG } from '../cache.constants';
import { CacheKeyBuilder } from './cache-key.builder';
import { stableHash } from './stable-hash';

/** The Redis Cluster hash tag of a key: what sits between its first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  return key.slice(open + 1, key.indexOf('}', open + 1));
}

describe(CacheKeyBuilder.name, () => {
  const sut = new CacheKeyBuilder('app');

  describe('entry', () => {
    it('builds {prefix}:{{org}}:{namespace}:{id} with the org as hash tag', () => {
      const key = sut.entry('acme', 'users', '42');
      expect(key).toBe('app:{acme}:users:42');
      expect(hashTag(key)).toBe('acme');
    });

    it.each([undefined, ''])('puts a key of no org (%p) in the global org', (org) => {
      expect(sut.entry(org, 'users', '42')).toBe(`app:{${GLOBAL_ORG}}:users:42`);
    });

    it.each([undefined, ''])('uses the default namespace when none (%p) is named', (namespace) => {
      expect(sut.entry('acme', namespace, '42')).toBe(`app:{acme}:${DEFAULT_NAMESPACE}:42`);
    });

    it.each(['a}b', 'a{b', 'a:b', 'a b', 'é', 'x'.repeat(129)])('rejects the org %p', (org) => {
      expect(() => sut.entry(org, 'users', '1')).toThrow(/Invalid organization/);
    });

    it.each(['a:b', 'a}b', 'a b', 'x'.repeat(129), '__tag', '__kv'])('rejects the namespace %p', (namespace) => {
      expect(() => sut.entry('acme', namespace, '1')).toThrow(/Invalid cache namespace/);
    });

    it('accepts letters, digits, _ . - up to 128 characters', () => {
      const org = `Org_1.a-${'x'.repeat(120)}`;
      expect(() => sut.entry(org, 'n_1.a-b', '1')).not.toThrow();
      expect(() => sut.entry('acme', '_single', '1')).not.toThrow();
    });

    it('hands back the same key for the same (org, namespace, id), and keeps rejecting what it rejected', () => {
      const builder = new CacheKeyBuilder('memo');
      const first = builder.entry('acme', 'users', '42');
      expect(builder.entry('acme', 'users', '42')).toBe(first);
      expect(builder.entry('acme', 'users', '43')).toBe('memo:{acme}:users:43');
      expect(builder.entry('acme', 'orders', '42')).toBe('memo:{acme}:orders:42');
      expect(builder.entry('other', 'users', '42')).toBe('memo:{other}:users:42');
      expect(builder.entry(undefined, undefined, '42')).toBe(`memo:{${GLOBAL_ORG}}:${DEFAULT_NAMESPACE}:42`);
      for (let i = 0; i < 2; i++) expect(() => builder.entry('a}b', 'users', '1')).toThrow(/Invalid organization/);
      // Past its bounds it forgets and builds the same keys again.
      for (let i = 0; i < 25_000; i++) builder.entry('acme', 'bulk', String(i));
      for (let i = 0; i < 6_000; i++) builder.entry(`org${i}`, 'users', '1');
      expect(builder.entry('acme', 'users', '42')).toBe('memo:{acme}:users:42');
      expect(builder.entry('acme', 'bulk', '7')).toBe('memo:{acme}:bulk:7');
    });
  });

  describe('parse', () => {
    it.each([
      ['acme', 'users', '42'],
      [undefined, undefined, 'plain'],
      ['acme', 'lists', 'page:2:sorted'],
      ['o.1', 'n-2', ''],
    ])('round-trips entry(%p, %p, %p)', (org, namespace, id) => {
      expect(sut.parse(sut.entry(org, namespace, id))).toEqual({
        org: org ?? GLOBAL_ORG,
        namespace: namespace ?? DEFAULT_NAMESPACE,
        id,
      });
    });

    it('reads a key without namespace as the default namespace', () => {
      expect(sut.parse('app:{acme}:only')).toEqual({ org: 'acme', namespace: DEFAULT_NAMESPACE, id: 'only' });
    });

    it.each(['other:{acme}:users:1', 'app:acme:users:1', 'app:{acme:users:1', 'app'])('rejects the foreign key %p', (key) => {
      expect(() => sut.parse(key)).toThrow(/Not a cache key of prefix app/);
    });
  });

  describe('isInternal', () => {
    it('is true for bookkeeping keys and false for entries', () => {
      const entry = sut.entry('acme', 'users', '1');
      expect(sut.isInternal(entry)).toBe(false);
      expect(sut.isInternal(sut.entry('acme', undefined, '__looks_internal'))).toBe(false);
      for (const key of [
        sut.tagSet('acme', 't'),
        sut.tagVersion('acme', 't'),
        sut.orgEpoch('acme'),
        sut.keyVersion(entry),
        sut.lock(entry),
      ]) {
        expect(sut.isInternal(key)).toBe(true);
      }
    });
  });

  it('publicForm drops the prefix and the hash-tag braces', () => {
    expect(sut.publicForm(sut.entry('acme', 'users', 'a:b'))).toBe('acme:users:a:b');
    expect(sut.publicForm(sut.entry(undefined, undefined, '1'))).toBe(`${GLOBAL_ORG}:${DEFAULT_NAMESPACE}:1`);
  });

  describe('pattern', () => {
    it('covers one org when one is named', () => {
      expect(sut.pattern('acme', 'users:*')).toBe('app:{acme}:users:*');
    });

    it('covers every org when none is named', () => {
      expect(sut.pattern(undefined, 'users:*')).toBe('app:{*}:users:*');
    });
  });

  describe('bookkeeping keys', () => {
    const entry = sut.entry('acme', 'users', '42');

    it("share the entry's org hash tag, so one Lua script may touch them all", () => {
      const keys = [
        sut.lock(entry),
        sut.keyVersion(entry),
        sut.tagSet('acme', 'users'),
        sut.tagVersion('acme', 'users'),
        sut.orgEpoch('acme'),
      ];
      expect(keys.map(hashTag)).toEqual(Array(keys.length).fill('acme'));
    });

    it('are distinct from each other and from the entry', () => {
      const keys = [entry, sut.lock(entry), sut.keyVersion(entry), sut.tagSet('acme', 't'), sut.tagVersion('acme', 't'), sut.orgEpoch('acme')];
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('name the entry they belong to', () => {
      expect(sut.lock(entry)).toBe('app:{acme}:__lock:users:42');
      expect(sut.keyVersion(entry)).toBe('app:{acme}:__kv:users:42');
      expect(sut.keyVersion(sut.entry('acme', 'users', '43'))).not.toBe(sut.keyVersion(entry));
    });

    it('put global-org tags in the global org', () => {
      expect(sut.tagSet(undefined, 't')).toBe(`app:{${GLOBAL_ORG}}:__tag:t`);
      expect(sut.orgEpoch('')).toBe(`app:{${GLOBAL_ORG}}:__ov`);
    });
  });

  describe('entryForArgs', () => {
    it('names the entry by the stable hash of its arguments', () => {
      expect(sut.entryForArgs('acme', 'users', 'list', [{ page: 1 }])).toBe(`app:{acme}:users:list:${stableHash([{ page: 1 }])}`);
    });

    it('gives the same key whatever the key order, another for other arguments', () => {
      const a = sut.entryForArgs('acme', 'users', 'list', [{ page: 1, sort: 'name' }]);
      expect(sut.entryForArgs('acme', 'users', 'list', [{ sort: 'name', page: 1 }])).toBe(a);
      expect(sut.entryForArgs('acme', 'users', 'list', [{ sort: 'name', page: 2 }])).not.toBe(a);
      expect(sut.entryForArgs('acme', 'users', 'count', [{ sort: 'name', page: 1 }])).not.toBe(a);
    });
  });
});
