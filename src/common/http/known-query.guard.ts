import { declaredQueryParameters } from '@app/cache';
import { BadRequestException, type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

/**
 * Query parameters a route does not define are 400, on every route (docs/api.md), so no caller
 * can mint cache entries or database loads with junk parameters. Routes taking a whole
 * `@Query()` DTO are left to the ValidationPipe (whitelist + forbidNonWhitelisted says the
 * same); for the others the allowed names are their `@Query('name')` parameters, often none.
 * Global (APP_GUARD), after the rate limiter, so refused requests are still counted.
 */
@Injectable()
export class KnownQueryGuard implements CanActivate {
  /** Each handler's declared names (null: a whole DTO takes them), read from its metadata once. */
  private readonly declaredByHandler = new WeakMap<Function, ReadonlySet<string> | null>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let declared = this.declaredByHandler.get(handler);
    if (declared === undefined) {
      declared = declaredQueryParameters(context.getClass(), handler.name) ?? null;
      this.declaredByHandler.set(handler, declared);
    }
    if (declared === null) return true;
    const request = context.switchToHttp().getRequest<{ url?: string; query?: Record<string, unknown> }>();
    // No query string, no parameters: Express parses `query` anew on each read, so it is read only when there is one.
    if (request.url !== undefined && !request.url.includes('?')) return true;
    const query = request.query ?? {};
    const unknown = Object.keys(query).filter((name) => !declared.has(name));
    if (unknown.length > 0) throw new BadRequestException(unknown.map((name) => `property ${name} should not exist`));
    return true;
  }
}
