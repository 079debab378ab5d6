import { strongEtag } from './http-cache-headers';

/**
 * A GET answer as the HTTP cache stores it: the body as sent, and its ETag, so a hit neither
 * serializes nor hashes. Shared by `HttpCacheInterceptor` and the route warmer, so a warmed
 * entry is exactly what the interceptor would have stored.
 */
export interface StoredAnswer {
  json: string;
  etag: string;
}

export function storedAnswer(json: string): StoredAnswer {
  return { json, etag: strongEtag(json) };
}
