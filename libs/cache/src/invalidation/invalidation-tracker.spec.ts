import { CacheKeyBuilder } from '../keys/cache-key.builder';
import { globToRegExp } from '../keys/glob';
import type { InvalidationTarget } from '../stores/cache-store.interface';
import { InvalidationTracker } from './invalidation-tracker';

const keys = new CacheKeyBuilder('app');
const KEY = keys.entry('o1', 'users', '42');
const keyMatches = (pattern: string, key: string) => globToRegExp(pattern).test(key);

describe(InvalidationTracker.name, () => {
  let sut: InvalidationTracker;

  beforeEach(() => {
    sut = new InvalidationTracker();
  });

  describe('invalidations that end a load', () => {
    it.each<[string, InvalidationTarget]>([
      ['its key', { kind: 'keys', keys: [keys.entry('o1', 'users', '1'), KEY] }],
      ['its org', { kind: 'org', org: 'o1' }],
      ['a pattern over it', { kind: 'pattern', pattern: keys.pattern('o1', 'users:*') }],
      ['a pattern over every org', { kind: 'pattern', pattern: keys.pattern(undefined, '*:42') }],
      ['everything', { kind: 'all' }],
    ])('%s kills the record', (_name, target) => {
      const record = sut.openRecord(KEY, 'o1');
      sut.notify(target, keyMatches);
      expect(record.dead).toBe(true);
      expect(sut.allows(record, [])).toBe(false);
    });
  });

  describe('invalidations that leave a load alone', () => {
    it.each<[string, InvalidationTarget]>([
      ['another key', { kind: 'keys', keys: [keys.entry('o1', 'users', '43')] }],
      ['the same id in another org', { kind: 'keys', keys: [keys.entry('o2', 'users', '42')] }],
      ['another org', { kind: 'org', org: 'o2' }],
      ['a pattern over other keys', { kind: 'pattern', pattern: keys.pattern('o1', 'lists:*') }],
      ['a pattern over another org', { kind: 'pattern', pattern: keys.pattern('o2', '*') }],
      ['tags of another org', { kind: 'tags', org: 'o2', tags: ['users'] }],
    ])('%s does not kill the record', (_name, target) => {
      const record = sut.openRecord(KEY, 'o1');
      sut.notify(target, keyMatches);
      expect(record.dead).toBe(false);
      expect(sut.allows(record, ['users'])).toBe(true);
    });
  });

  describe('tag invalidations', () => {
    it.each<[string, string | undefined]>([
      ['its org', 'o1'],
      ['every org', undefined],
    ])('of %s block writes carrying those tags only', (_name, org) => {
      const record = sut.openRecord(KEY, 'o1');
      sut.notify({ kind: 'tags', org, tags: ['users', 'admins'] }, keyMatches);
      expect(record.dead).toBe(false);
      expect(sut.allows(record, ['users'])).toBe(false);
      expect(sut.allows(record, ['lists', 'admins'])).toBe(false);
      expect(sut.allows(record, ['lists'])).toBe(true);
      expect(sut.allows(record, [])).toBe(true);
    });

    it('accumulate over several invalidations', () => {
      const record = sut.openRecord(KEY, 'o1');
      sut.notify({ kind: 'tags', org: 'o1', tags: ['a'] }, keyMatches);
      sut.notify({ kind: 'tags', org: undefined, tags: ['b'] }, keyMatches);
      expect([sut.allows(record, ['a']), sut.allows(record, ['b']), sut.allows(record, ['c'])]).toEqual([false, false, true]);
    });

    it('kill the record once it would remember too many tags', () => {
      const record = sut.openRecord(KEY, 'o1');
      const tags = Array.from({ length: 256 }, (_, i) => `t${i}`);
      sut.notify({ kind: 'tags', org: 'o1', tags }, keyMatches);
      expect(record.dead).toBe(false);
      sut.notify({ kind: 'tags', org: 'o1', tags: ['one-more'] }, keyMatches);
      expect(record.dead).toBe(true);
      expect(sut.allows(record, ['unrelated'])).toBe(false);
    });
  });

  it('shows each invalidation to every open record', () => {
    const first = sut.openRecord(KEY, 'o1');
    const second = sut.openRecord(KEY, 'o1');
    const other = sut.openRecord(keys.entry('o2', 'users', '42'), 'o2');
    sut.notify({ kind: 'keys', keys: [KEY] }, keyMatches);
    expect([first.dead, second.dead, other.dead]).toEqual([true, true, false]);
  });

  it('forgets closed records', () => {
    const record = sut.openRecord(KEY, 'o1');
    sut.close(record);
    sut.notify({ kind: 'all' }, keyMatches);
    sut.notify({ kind: 'tags', org: 'o1', tags: ['users'] }, keyMatches);
    expect(record.dead).toBe(false);
    expect(sut.allows(record, ['users'])).toBe(true);
  });

  it('does not match patterns when no record is open', () => {
    const matcher = jest.fn(keyMatches);
    sut.notify({ kind: 'pattern', pattern: '*' }, matcher);
    expect(matcher).not.toHaveBeenCalled();
  });

  it('allows a fresh record to write', () => {
    expect(sut.allows(sut.openRecord(KEY, 'o1'), ['users'])).toBe(true);
  });
});
