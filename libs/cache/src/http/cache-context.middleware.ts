import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CacheContext } from '../cache-context';

/**
 * Opens an empty `CacheContext` for the rest of the request, for apps whose organization is
 * known only in a guard (which then calls `CacheContext.setOrg`). Guards run inside
 * middleware's `next()`, but cannot wrap what follows them in a scope of their own.
 *
 * @example
 * configure(consumer: MiddlewareConsumer) { consumer.apply(CacheContextMiddleware).forRoutes('*'); }
 */
@Injectable()
export class CacheContextMiddleware implements NestMiddleware {
  use(_request: unknown, _response: unknown, next: (error?: unknown) => void): void {
    CacheContext.run({}, () => next());
  }
}
