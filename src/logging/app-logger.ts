import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { LOG_BACKLOG_MAX_BYTES, LOG_BATCH_MAX_CHARS, LineBatcher } from './line-batcher';
import { currentRequestId } from './request-context';

/** Nest's levels, least severe last, and the pino level each one writes at. */
const PINO_LEVELS: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const NEST_ORDER: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Paths never written: credentials in headers, cookies, and API keys in bodies or objects a
 * caller logs (`POST /admin/orgs` answers with a fresh `apiKey`). The request lines
 * (request-logging.ts) are built without pino's serializers and hide the same header paths themselves.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'apiKey',
  '*.apiKey',
  'adminToken',
  '*.adminToken',
  'password',
  '*.password',
];

/** The pino level matching Nest's `logger` option: `false` is silent, a list its least severe level. */
export function pinoLevelFor(levels: readonly LogLevel[] | false | undefined): Level | 'silent' {
  if (levels === false) return 'silent';
  if (levels === undefined || levels.length === 0) return 'info';
  const least = [...levels].sort((a, b) => NEST_ORDER.indexOf(b) - NEST_ORDER.indexOf(a))[0];
  return PINO_LEVELS[least];
}

/**
 * The process's JSON logger: one line per record, with secrets redacted. A line written while
 * serving a request carries its `reqId`, also from code that only has `new Logger(context)`.
 *
 * By default it writes to stdout asynchronously, in batches: the lines of up to 20 ms are handed
 * over together (LineBatcher), and what queued while one write was in flight goes out in the
 * next, so a busy process makes one write per batch of lines instead of one blocking write per
 * line. What is still queued is written when the process exits.
 */
export function createRootLogger(level: Level | 'silent', destination: DestinationStream = defaultDestination()): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    mixin: (): Record<string, string> => {
      const reqId = currentRequestId();
      return reqId === undefined ? {} : { reqId };
    },
  };
  return pino(options, destination);
}

/** stdout, written asynchronously by pino's destination (sonic-boom), a batch of lines at a time. */
function defaultDestination(): DestinationStream {
  // maxWrite: a batch (LOG_BATCH_MAX_CHARS, up to 3 bytes each in UTF-8) in one write, not 16 KB slices.
  // maxLength: a bounded backlog; beyond it batches are dropped and counted (see LineBatcher).
  return new LineBatcher(pino.destination({ dest: 1, sync: false, maxWrite: 3 * LOG_BATCH_MAX_CHARS, maxLength: LOG_BACKLOG_MAX_BYTES }));
}

/** Nest's LoggerService on pino, so Nest's own lines and `new Logger(ctx)` calls are JSON too. */
export class AppLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes `(message, context)` or, for errors, `(message, stack, context)`. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const strings = params.filter((p): p is string => typeof p === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    const stack = level === 'error' || level === 'fatal' ? (strings.length > 1 ? strings[0] : undefined) : undefined;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
