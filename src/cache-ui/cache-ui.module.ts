import { Module } from '@nestjs/common';
import { CacheUiController } from './cache-ui.controller';

/** The operator dashboard page at `/cache/ui`; its data comes from the `/cache` routes (CacheAdminModule). */
@Module({
  controllers: [CacheUiController],
})
export class CacheUiModule {}
