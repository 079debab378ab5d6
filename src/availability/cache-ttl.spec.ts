import { ttlMsFromEnv } from './cache-ttl';

describe(ttlMsFromEnv.name, () => {
  it('keeps the default when the variable is unset or empty', () => {
    expect(ttlMsFromEnv('CACHE_TTL_X', 120_000, {})).toBe(120_000);
    expect(ttlMsFromEnv('CACHE_TTL_X', 120_000, { CACHE_TTL_X: '' })).toBe(120_000);
  });

  it('reads seconds', () => {
    expect(ttlMsFromEnv('CACHE_TTL_X', 120_000, { CACHE_TTL_X: '30' })).toBe(30_000);
  });

  it.each(['0', '-5', '1.5', 'soon'])('refuses %s, naming the variable', (value) => {
    expect(() => ttlMsFromEnv('CACHE_TTL_X', 1, { CACHE_TTL_X: value })).toThrow(
      'Invalid configuration: CACHE_TTL_X must be a positive integer (seconds)',
    );
  });
});
