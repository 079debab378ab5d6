import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { DatabaseErrorFilter } from './filters/database-error.filter';
import { KnownQueryGuard } from './http/known-query.guard';

/** App-wide plumbing of the API: the database error filter, and 400 for query parameters a route does not define. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: DatabaseErrorFilter },
    { provide: APP_GUARD, useClass: KnownQueryGuard },
  ],
})
export class CommonModule {}
