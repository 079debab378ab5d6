import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DatabaseErrorFilter } from './filters/database-error.filter';

/** App-wide plumbing of the API: the database error filter. */
@Module({
  providers: [{ provide: APP_FILTER, useClass: DatabaseErrorFilter }],
})
export class CommonModule {}
