import { Module } from '@nestjs/common';
import { CacheAdminController } from './cache-admin.controller';
import { CacheAdminService } from './cache-admin.service';

/** Operator-only `/cache` routes over `@app/cache` (the cache and warmer modules are global). */
@Module({
  controllers: [CacheAdminController],
  providers: [CacheAdminService],
})
export class CacheAdminModule {}
