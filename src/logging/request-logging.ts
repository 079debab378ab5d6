import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import { runWithRequestId } from './request-context';
import { assignRequestId } from './request-id';

/** A Connect/Express middleware. */
export type HttpMiddleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/** What the request line holds (see `requestLogging`). */
export interface RequestLogOptions {
  /** One line per request (LOG_REQUESTS). */
  requests: boolean;
  /** Also the request's and the response's header sets, credentials redacted (LOG_REQUEST_HEADERS). */
  headers: boolean;
}

/**
 * Express middleware giving every request an id (`X-Request-Id`, honoured or generated, and
 * echoed) and, when `options.requests` is on (LOG_REQUESTS), one JSON line when its response
 * ends: `request completed` (info), `request failed with status N` (error, for 5xx) or `request
 * aborted` (the client left first). The line names the request (id, method, path without its
 * query, client address, user agent) and the answer (status, length, `X-Cache`, time); with
 * `options.headers` (LOG_REQUEST_HEADERS) it also carries both header sets, credentials redacted
 * (the header paths of REDACTED_PATHS). Off by default: copying and serializing two header sets
 * was most of what the line cost, on every request.
 *
 * The line is the root logger's (same destination, level, `pid` and `reqId` fields as its
 * other lines) but built here with one JSON.stringify: no child logger, no bindings serialized
 * per request, no path-by-path redaction of every record. The destination writes
 * asynchronously (see createRootLogger).
 */
export function requestLogging(logger: Logger, options: RequestLogOptions): HttpMiddleware {
  if (!options.requests) {
    return (request, response, next) => runWithRequestId(assignRequestId(request, response), next);
  }
  const destination = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  const withHeaders = options.headers;
  return (request, response, next) => {
    const id = assignRequestId(request, response);
    const started = performance.now();
    // 'close' follows 'finish' for a completed response and comes alone for an aborted one: one
    // listener. A response closes once, so `on`: no once-wrapper to allocate and remove per request.
    response.on('close', () => logRequest(logger, destination, withHeaders, request, response, id, started));
    runWithRequestId(id, next);
  };
}

const REDACTED = '[redacted]';
const LEVEL_INFO = 30;
const LEVEL_ERROR = 50;

/** One request line: `withHeaders` puts both header sets (redacted) where the default names the user agent, length and cache status. */
function logRequest(logger: Logger, destination: DestinationStream, withHeaders: boolean, request: IncomingMessage, response: ServerResponse, id: string, started: number): void {
  const status = response.statusCode;
  const failed = status >= 500;
  if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
  const url = request.url ?? '';
  const query = url.indexOf('?');
  // The URL without its query string: queries may carry search terms a tenant considers private.
  const path = query < 0 ? url : url.slice(0, query);
  const remoteAddress = request.socket?.remoteAddress;
  let req: Record<string, unknown>;
  let res: Record<string, unknown>;
  if (withHeaders) {
    req = { id, method: request.method, path, headers: redactedRequestHeaders(request.headers), remoteAddress };
    res = { statusCode: status, headers: redactedResponseHeaders(response.getHeaders()) };
  } else {
    const length = response.getHeader('content-length');
    req = { id, method: request.method, path, remoteAddress, userAgent: request.headers['user-agent'] };
    res = { statusCode: status, contentLength: length === undefined ? undefined : Number(length), cache: response.getHeader('x-cache') };
  }
  const line = JSON.stringify({
    level: failed ? LEVEL_ERROR : LEVEL_INFO,
    time: Date.now(),
    pid: process.pid,
    reqId: id,
    req,
    res,
    responseTime: Math.round(performance.now() - started),
    msg: !response.writableFinished ? 'request aborted' : failed ? `request failed with status ${status}` : 'request completed',
  });
  destination.write(`${line}\n`);
}

/** The request's headers, with a copy only when there is a credential to hide. */
function redactedRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  if (headers.authorization === undefined && headers.cookie === undefined && headers['x-api-key'] === undefined) return headers;
  const copy = { ...headers };
  if (copy.authorization !== undefined) copy.authorization = REDACTED;
  if (copy.cookie !== undefined) copy.cookie = REDACTED;
  if (copy['x-api-key'] !== undefined) copy['x-api-key'] = REDACTED;
  return copy;
}

/** The response's headers (already a copy) with cookies set hidden. */
function redactedResponseHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  if (headers['set-cookie'] !== undefined) headers['set-cookie'] = REDACTED;
  return headers;
}
