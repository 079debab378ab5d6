import type { IncomingHttpHeaders } from 'node:http';
import { stableHash } from '../keys/stable-hash';

/**
 * The id of a GET answer within its namespace and organization: `http:` and a stable hash of
 * the path, the query with its parameters sorted by name (so `?a=1&b=2` and `?b=2&a=1` share
 * an entry, while repeated values keep their order) and the values of the varied headers.
 * The path is taken as sent, never resolved against a base: `//a/b` is not `/b`.
 *
 * @example
 * httpCacheId('/users?page=2&limit=5', req.headers, ['accept-language']) // 'http:Qm9Xb...'
 */
export function httpCacheId(url: string, headers: IncomingHttpHeaders, varyHeaders: readonly string[]): string {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query = mark < 0 ? [] : [...new URLSearchParams(url.slice(mark + 1))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const varied = varyHeaders.map((name) => [name, headers[name.toLowerCase()]]);
  return `http:${stableHash([path, query, varied])}`;
}
