import type { IncomingHttpHeaders } from 'node:http';

/**
 * The opaque tags of an `If-None-Match` field (RFC 9110 §8.8.3, §13.1.2): `*`, or a list of
 * entity-tags `[W/]"..."` separated by commas (which may also appear inside a tag's quotes).
 * Returns '*' for the wildcard, the tags' quoted values otherwise, and undefined when the
 * field is malformed (then it is ignored, as a recipient may do with an invalid precondition).
 */
export function parseIfNoneMatch(field: string): '*' | string[] | undefined {
  const text = field.trim();
  if (text === '*') return '*';
  const tags: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (text[i] === ',') {
      i++; // empty list elements are allowed (RFC 9110 §5.6.1)
      continue;
    }
    if (text.startsWith('W/', i)) i += 2;
    if (text[i] !== '"') return undefined;
    const close = text.indexOf('"', i + 1);
    if (close < 0) return undefined;
    tags.push(text.slice(i, close + 1));
    i = close + 1;
    skipSpace();
    if (i < text.length && text[i] !== ',') return undefined;
  }
  return tags.length > 0 ? tags : undefined;
}

/** The opaque part of an entity-tag, without a `W/` prefix, for weak comparison. */
function opaque(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

/**
 * Whether `If-None-Match` is false for a representation with `etag` (so a GET gets 304):
 * `*` matches any current representation, a list matches when one of its tags is weakly equal
 * to `etag` (RFC 9110 §8.8.3.2: `W/"x"` and `"x"` are the same). The request's own
 * `Cache-Control` plays no part: Node's and browsers' fetch add `no-cache` to conditional requests.
 */
export function ifNoneMatchMatches(field: string | string[] | undefined, etag: string | undefined): boolean {
  if (field === undefined) return false;
  const parsed = parseIfNoneMatch(Array.isArray(field) ? field.join(', ') : field);
  if (parsed === undefined) return false;
  if (parsed === '*') return true;
  if (etag === undefined) return false;
  const current = opaque(etag);
  return parsed.some((tag) => opaque(tag) === current);
}

/**
 * Whether a GET or HEAD may be answered 304 with the response's validators, evaluated as
 * RFC 9110 §13.2.2 orders it: `If-None-Match` when present (If-Modified-Since is then ignored),
 * else `If-Modified-Since` against `Last-Modified`; only for a 2xx (or already 304) answer.
 */
export function isFresh(
  method: string,
  headers: IncomingHttpHeaders,
  statusCode: number,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (!((statusCode >= 200 && statusCode < 300) || statusCode === 304)) return false;
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) return ifNoneMatchMatches(noneMatch, etag);
  const modifiedSince = headers['if-modified-since'];
  if (modifiedSince === undefined || lastModified === undefined) return false;
  const since = Date.parse(modifiedSince);
  const modified = Date.parse(lastModified);
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

interface FreshnessRequest {
  method: string;
  headers: IncomingHttpHeaders;
  res?: { statusCode: number; getHeader(name: string): unknown };
}

/** Marks a request, or a request prototype, whose `fresh` is already `isFresh`. */
const RFC_FRESHNESS = Symbol('rfcFreshness');

function rfcFresh(this: FreshnessRequest): boolean {
  const response = this.res;
  // Most requests are not conditional: no response header to read then.
  if (response === undefined || (this.headers['if-none-match'] === undefined && this.headers['if-modified-since'] === undefined)) return false;
  const header = (name: string) => {
    const value = response.getHeader(name);
    return typeof value === 'string' ? value : undefined;
  };
  return isFresh(this.method, this.headers, response.statusCode, header('ETag'), header('Last-Modified'));
}

/**
 * Replaces Express's `req.fresh` with `isFresh`, so `res.send` answers 304 by RFC 9110 whatever
 * request `Cache-Control` the client sent (Express's own treats `no-cache` as "send the body").
 * On one request, or once for all on an app's request prototype (`expressApp.request`); a
 * request that already has it is left alone. Harmless on other servers: it only defines a property.
 */
export function useRfcFreshness(target: object): void {
  if ((target as { [RFC_FRESHNESS]?: true })[RFC_FRESHNESS] === true) return;
  Object.defineProperty(target, 'fresh', { configurable: true, enumerable: false, get: rfcFresh });
  Object.defineProperty(target, RFC_FRESHNESS, { configurable: true, enumerable: false, value: true });
}
