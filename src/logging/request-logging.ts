import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { runWithRequestId } from './request-context';
import { assignRequestId } from './request-id';

/** A Connect/Express middleware. */
export type HttpMiddleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * Express middleware giving every request an id (`X-Request-Id`, honoured or generated, and
 * echoed) and, when `logRequests` is on (LOG_REQUESTS), one JSON line when its response ends.
 * Headers are logged with credentials redacted (see REDACTED_PATHS).
 */
export function requestLogging(logger: Logger, logRequests: boolean): HttpMiddleware {
  if (!logRequests) {
    // Only the id: pino-http's per-request work (child logger, timers, listeners) buys nothing here.
    return (request, response, next) => runWithRequestId(assignRequestId(request, response), next);
  }
  const http = pinoHttp({
    logger,
    genReqId: assignRequestId,
    customLogLevel: (_req, res, error) => (error !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
    // A 5xx answer (a 503 readiness probe, say) is not an exception: pino-http would attach a
    // made-up Error and its stack to every such line. Nest logs real exceptions itself.
    customErrorObject: (_req, _res, error, value: Record<string, unknown>) =>
      error.message.startsWith('failed with status code ') ? { ...value, err: undefined } : value,
    customErrorMessage: (_req, res) => `request failed with status ${res.statusCode}`,
    // The URL without its query string: queries may carry search terms a tenant considers private.
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
        headers: req.headers,
        remoteAddress: req.remoteAddress,
      }),
    },
  });
  return (request, response, next) => {
    http(request, response);
    runWithRequestId(String((request as IncomingMessage & { id: unknown }).id), next);
  };
}
