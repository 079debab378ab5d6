import type { IncomingHttpHeaders } from 'node:http';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The credentials of `Authorization: Bearer <token>`, or undefined when absent or malformed. */
export function bearerToken(request: { headers: IncomingHttpHeaders }): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return BEARER.exec(header)?.[1];
}
