import { API_KEY_PREFIX_LENGTH, generateApiKey, hashApiKey } from './api-key.generator';

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
