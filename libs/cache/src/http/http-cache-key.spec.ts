import { httpCacheId } from './http-cache-key';

describe(httpCacheId.name, () => {
  it('is http: and a hash', () => {
    expect(httpCacheId('/users', {}, [])).toMatch(/^http:[A-Za-z0-9_-]{16}$/);
  });

  it('ignores the order of query parameters', () => {
    expect(httpCacheId('/users?page=2&limit=5', {}, [])).toBe(httpCacheId('/users?limit=5&page=2', {}, []));
  });

  it('keeps the order of a repeated parameter, and tells values apart', () => {
    expect(httpCacheId('/x?t=a&t=b', {}, [])).not.toBe(httpCacheId('/x?t=b&t=a', {}, []));
    expect(httpCacheId('/x?page=1', {}, [])).not.toBe(httpCacheId('/x?page=2', {}, []));
    expect(httpCacheId('/x', {}, [])).not.toBe(httpCacheId('/x?page=1', {}, []));
  });

  it('reads the path as sent: // does not start a host', () => {
    expect(httpCacheId('//a/b', {}, [])).not.toBe(httpCacheId('//c/b', {}, []));
  });

  it('varies by the named headers only', () => {
    const en = httpCacheId('/x', { 'accept-language': 'en', 'user-agent': 'a' }, ['accept-language']);
    expect(httpCacheId('/x', { 'accept-language': 'en', 'user-agent': 'b' }, ['accept-language'])).toBe(en);
    expect(httpCacheId('/x', { 'accept-language': 'fr' }, ['accept-language'])).not.toBe(en);
    expect(httpCacheId('/x', {}, ['accept-language'])).not.toBe(en);
  });
});
