import { Module } from '@nestjs/common';
import { CacheAdminController } from './cache-admin.controller';
import { CacheAdminService } from './cache-admin.service';
import { OrganizationsModule } from '../organizations/organizations.module';
import { OrgNames } from './org-names';

/** Operator-only `/cache` routes over `@app/cache` (the cache and warmer modules are global). */
@Module({
  imports: [OrganizationsModule],
  controllers: [CacheAdminController],
  providers: [CacheAdminService, OrgNames],
})
export class CacheAdminModule {}
