import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { OperatorGuard } from './operator.guard';
import { OperatorTokenVerifier } from './operator-token.verifier';
import { TenantGuard } from './tenant.guard';

/**
 * API keys and the two guards. Global, so any feature module can put
 * `@UseGuards(TenantGuard)` or `@UseGuards(OperatorGuard)` on a controller without importing it.
 * Every request runs inside a `CacheContext` (AsyncLocalStorage), opened with the request's id by
 * the request middleware (src/logging/request-logging.ts, applied first in createApp), so that
 * `TenantGuard`, which cannot wrap the handler itself, can set its organization there.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey])],
  providers: [ApiKeysRepository, ApiKeysService, OperatorTokenVerifier, TenantGuard, OperatorGuard],
  exports: [ApiKeysService, OperatorTokenVerifier, TenantGuard, OperatorGuard],
})
export class AuthModule {}
