import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheWarmerOptions } from './cache-warm.types';

export const {
  ConfigurableModuleClass: ConfigurableCacheWarmerModule,
  MODULE_OPTIONS_TOKEN: CACHE_WARMER_OPTIONS,
} = new ConfigurableModuleBuilder<CacheWarmerOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
