import { CacheKeyPatternError, checkInvalidationPattern, toFullKeyGlob } from './cache-key-pattern';

describe(toFullKeyGlob.name, () => {
  it.each([
    ['*', 'app:{*}:*'],
    ['*:users:*', 'app:{*}:users:*'],
    ['org-1:dashboard:*', 'app:{org-1}:dashboard:*'],
    ['org-1:', 'app:{org-1}:*'],
    ['o?:users:[ab]*', 'app:{o?}:users:[ab]*'],
    ['a\\:b:users:*', 'app:{a\\:b}:users:*'],
  ])('translates %s to %s', (pattern, expected) => {
    expect(toFullKeyGlob('app', pattern)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(257), /256/],
    ['*:users:\n*', /control/],
    ['users', /org:namespace:id/],
    [':users:*', /organization/],
    ['*}:*', /\{ or \}/],
    ['{other}:*', /\{ or \}/],
  ])('refuses %j', (pattern, message) => {
    expect(() => toFullKeyGlob('app', pattern)).toThrow(CacheKeyPatternError);
    expect(() => toFullKeyGlob('app', pattern)).toThrow(message);
  });

  it('always keeps the literal prefix in front, so another app is out of reach', () => {
    for (const pattern of ['*', '*:*:*', 'x*:*']) expect(toFullKeyGlob('app', pattern).startsWith('app:{')).toBe(true);
  });
});

describe(checkInvalidationPattern.name, () => {
  it('accepts a namespace glob with or without an org', () => {
    expect(checkInvalidationPattern('users:*', undefined)).toBe('users:*');
    expect(checkInvalidationPattern('*', 'org-1')).toBe('*');
  });

  it('refuses a match-everything pattern without an org, and braces', () => {
    expect(() => checkInvalidationPattern('*', undefined)).toThrow(/every organization/);
    expect(() => checkInvalidationPattern('*:*', undefined)).toThrow(/every organization/);
    expect(() => checkInvalidationPattern('users:{x}', undefined)).toThrow(/\{ or \}/);
    expect(() => checkInvalidationPattern('users:{x}', 'o')).toThrow(/\{ or \}/);
    expect(() => checkInvalidationPattern('', 'o')).toThrow(/empty/);
  });
});

describe('match-everything patterns, judged by what they match', () => {
  it.each(['*', '?*', '**', '*?', '*:*', '?*:*', '*[:]*', '[^:]*', '[!-~]*', '[-a-zA-Z0-9_.]*', '*\\:*'])(
    'refuses %j without an org',
    (pattern) => {
      expect(() => checkInvalidationPattern(pattern, undefined)).toThrow(/every organization/);
      expect(checkInvalidationPattern(pattern, 'org-1')).toBe(pattern);
    },
  );

  it.each(['users:*', 'u*', '*:http:*', '?', '??*:?*x', '[^u]*', '*:*:*', '[a-z]*', 'users', ':*', '*:', '\\*'])('accepts %j without an org: it spares some entries', (pattern) => {
    expect(checkInvalidationPattern(pattern, undefined)).toBe(pattern);
  });
});

