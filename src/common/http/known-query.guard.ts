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
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const declared = declaredQueryParameters(context.getClass(), context.getHandler().name);
    if (declared === undefined) return true;
    const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {};
    const unknown = Object.keys(query).filter((name) => !declared.has(name));
    if (unknown.length > 0) throw new BadRequestException(unknown.map((name) => `property ${name} should not exist`));
    return true;
  }
}
