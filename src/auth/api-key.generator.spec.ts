import { API_KEY_PREFIX_LENGTH, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key.generator';

describe(generateApiKey.name, () => {
  it('makes distinct high-entropy keys whose hash and prefix identify them', () => {
    const sut = generateApiKey();
    const other = generateApiKey();

    expect(sut.key).toMatch(/^ck_[A-Za-z0-9_-]{43}$/);
    expect(sut.key).not.toBe(other.key);
    expect(sut.prefix).toBe(sut.key.slice(0, API_KEY_PREFIX_LENGTH));
    expect(sut.hash).toBe(hashApiKey(sut.key));
    expect(sut.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe(isWellFormedApiKey.name, () => {
  it('accepts what generateApiKey makes', () => {
    for (let i = 0; i < 50; i++) expect(isWellFormedApiKey(generateApiKey().key)).toBe(true);
  });

  it.each([
    ['no mark', 'A'.repeat(46)],
    ['another mark', `sk_${'A'.repeat(43)}`],
    ['one character short', `ck_${'A'.repeat(42)}`],
    ['one character long', `ck_${'A'.repeat(44)}`],
    ['padding', `ck_${'A'.repeat(42)}=`],
    ['base64 rather than base64url', `ck_${'A'.repeat(42)}+`],
    ['a space', `ck_${'A'.repeat(21)} ${'A'.repeat(21)}`],
    ['a non-ASCII letter', `ck_${'A'.repeat(42)}é`],
    ['the empty string', ''],
  ])('refuses a key with %s', (_name, key) => {
    expect(isWellFormedApiKey(key)).toBe(false);
  });
});
