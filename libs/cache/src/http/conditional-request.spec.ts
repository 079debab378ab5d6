import { ifNoneMatchMatches, isFresh, parseIfNoneMatch } from './conditional-request';

describe(ifNoneMatchMatches.name, () => {
  const etag = '"abc"';

  it('matches the same tag, weakly (W/ on either side), anywhere in a list', () => {
    expect(ifNoneMatchMatches('"abc"', etag)).toBe(true);
    expect(ifNoneMatchMatches('W/"abc"', etag)).toBe(true);
    expect(ifNoneMatchMatches('"abc"', 'W/"abc"')).toBe(true);
    expect(ifNoneMatchMatches('"x", W/"abc" ,"y"', etag)).toBe(true);
    expect(ifNoneMatchMatches(['"x"', '"abc"'], etag)).toBe(true);
    expect(ifNoneMatchMatches('"a,b", "abc"', etag)).toBe(true);
  });

  it('matches any representation with *', () => {
    expect(ifNoneMatchMatches('*', etag)).toBe(true);
    expect(ifNoneMatchMatches(' * ', undefined)).toBe(true);
  });

  it('does not match other tags, malformed fields or a response without a tag', () => {
    expect(ifNoneMatchMatches('"abcd"', etag)).toBe(false);
    expect(ifNoneMatchMatches('abc', etag)).toBe(false);
    expect(ifNoneMatchMatches('"abc', etag)).toBe(false);
    expect(ifNoneMatchMatches('"abc"', undefined)).toBe(false);
    expect(ifNoneMatchMatches(undefined, etag)).toBe(false);
    expect(parseIfNoneMatch('"a" "b"')).toBeUndefined();
  });
});

describe(isFresh.name, () => {
  it('answers 304 to a matching If-None-Match whatever Cache-Control the request has', () => {
    const headers = { 'if-none-match': '"abc"', 'cache-control': 'no-cache', pragma: 'no-cache' };
    expect(isFresh('GET', headers, 200, '"abc"', undefined)).toBe(true);
    expect(isFresh('HEAD', headers, 200, '"abc"', undefined)).toBe(true);
    expect(isFresh('POST', headers, 200, '"abc"', undefined)).toBe(false);
    expect(isFresh('GET', headers, 404, '"abc"', undefined)).toBe(false);
  });

  it('ignores If-Modified-Since when If-None-Match is present, and reads it otherwise', () => {
    const modified = 'Wed, 01 Jan 2025 00:00:00 GMT';
    expect(isFresh('GET', { 'if-none-match': '"x"', 'if-modified-since': modified }, 200, '"abc"', modified)).toBe(false);
    expect(isFresh('GET', { 'if-modified-since': modified, 'cache-control': 'no-cache' }, 200, undefined, modified)).toBe(true);
    expect(isFresh('GET', { 'if-modified-since': 'Tue, 31 Dec 2024 00:00:00 GMT' }, 200, undefined, modified)).toBe(false);
  });
});
