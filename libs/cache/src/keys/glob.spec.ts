import { globToRegExp } from './glob';

/** Which of `keys` the glob selects; expectations below are what Redis 7 KEYS/SCAN MATCH returns. */
function select(glob: string, keys: string[]): string[] {
  const re = globToRegExp(glob);
  return keys.filter((k) => re.test(k));
}

describe(globToRegExp.name, () => {
  const sut = globToRegExp;

  it('anchors the whole key', () => {
    expect(sut('abc').test('abc')).toBe(true);
    expect(sut('abc').test('xabc')).toBe(false);
    expect(sut('abc').test('abcx')).toBe(false);
  });

  it('* matches any run of characters, including none and newlines', () => {
    expect(select('a*c', ['ac', 'abc', 'ab:{x}:c', 'a\nc', 'ab', 'xac'])).toEqual(['ac', 'abc', 'ab:{x}:c', 'a\nc']);
    expect(select('app:{*}:users:*', ['app:{o1}:users:1', 'app:{o1}:lists:1', 'other:{o1}:users:1'])).toEqual(['app:{o1}:users:1']);
  });

  it('? matches exactly one character', () => {
    expect(select('a?c', ['abc', 'a\nc', 'ac', 'abbc'])).toEqual(['abc', 'a\nc']);
  });

  it('[abc] matches one listed character', () => {
    expect(select('x[abc]', ['xa', 'xb', 'xc', 'xd', 'x', 'xab'])).toEqual(['xa', 'xb', 'xc']);
  });

  it('[^a] matches one character not listed', () => {
    expect(select('x[^a]', ['xa', 'xb', 'x^', 'x', 'xbb'])).toEqual(['xb', 'x^']);
  });

  it('[a-c] matches a range, also written backwards', () => {
    const keys = ['a', 'b', 'c', 'd', '-'];
    expect(select('[a-c]', keys)).toEqual(['a', 'b', 'c']);
    expect(select('[c-a]', keys)).toEqual(['a', 'b', 'c']);
    expect(select('[^a-c]', keys)).toEqual(['d', '-']);
  });

  it('\\ makes the next character literal, outside and inside a set', () => {
    expect(select('a\\*', ['a*', 'ab', 'a'])).toEqual(['a*']);
    expect(select('a\\?', ['a?', 'ab'])).toEqual(['a?']);
    expect(select('\\[a]', ['[a]', 'a'])).toEqual(['[a]']);
    expect(select('[\\]]', [']', '\\', '\\]'])).toEqual([']']);
    expect(select('[a\\-z]', ['a', '-', 'z', 'm'])).toEqual(['a', '-', 'z']);
  });

  it('treats regular-expression metacharacters literally', () => {
    const keys = ['a.b', 'axb', '(x)', 'x', 'a+', 'aa', '{1}', 'a{1}', '$^|/', 'a'];
    expect(select('a.b', keys)).toEqual(['a.b']);
    expect(select('(x)', keys)).toEqual(['(x)']);
    expect(select('a+', keys)).toEqual(['a+']);
    expect(select('{1}', keys)).toEqual(['{1}']);
    expect(select('a{1}', keys)).toEqual(['a{1}']);
    expect(select('$^|/', keys)).toEqual(['$^|/']);
    expect(select('[.]', ['.', 'a'])).toEqual(['.']);
  });

  it('follows Redis on odd sets instead of throwing', () => {
    expect(select('[]a]', ['a', ']', ']a]'])).toEqual([]); // `]` first closes an empty set
    expect(select('x[^]', ['xa', 'x]', 'x'])).toEqual(['xa', 'x]']);
    expect(select('x[ab', ['xa', 'xb', 'x[ab'])).toEqual(['xa', 'xb']); // unclosed: runs to the end
    expect(select('x[', ['x', 'x['])).toEqual([]);
  });

  it('a trailing backslash matches itself', () => {
    expect(select('a\\', ['a\\', 'a'])).toEqual(['a\\']);
  });
});
