import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DOMAIN_CACHE_TTLS, domainCacheTtlsFromEnv } from './cache/domain-cache-ttls';
import { DatabaseErrorFilter } from './filters/database-error.filter';

/** App-wide plumbing of the API: the database error filter and the domain cache TTLs. */
@Global()
@Module({
  providers: [
    { provide: APP_FILTER, useClass: DatabaseErrorFilter },
    { provide: DOMAIN_CACHE_TTLS, useFactory: () => domainCacheTtlsFromEnv(process.env) },
  ],
  exports: [DOMAIN_CACHE_TTLS],
})
export class CommonModule {}
