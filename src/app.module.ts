import { CacheModule, CacheWarmerModule } from '@app/cache';
import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { CacheAdminModule } from './cache-admin/cache-admin.module';
import { CacheUiModule } from './cache-ui/cache-ui.module';
import { AvailabilityModule } from './availability/availability.module';
import { CommonModule } from './common/common.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { AppConfigModule } from './config/app-config.module';
import { appConfig, type AppConfigType } from './config/app.config';
import { buildCacheOptions } from './config/cache-options';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    // Without Redis settings the library runs on its in-process store and says so in one line
    // at start ("No Redis configured: using the in-process cache store").
    CacheModule.forRootAsync({
      isGlobal: true,
      imports: [ConfigModule],
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => buildCacheOptions(config),
    }),
    // Warm jobs (@CacheWarmJob in dashboard/ and availability/) at start, on CACHE_WARM_CRON and on demand.
    CacheWarmerModule.forRootAsync({
      isGlobal: true,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => config.cacheWarm,
    }),
    HealthModule,
    MetricsModule,
    RateLimitModule,
    CommonModule,
    AuthModule,
    AdminModule,
    CacheAdminModule,
    CacheUiModule,
    UsersModule,
    OrdersModule,
    AvailabilityModule,
    DashboardModule,
  ],
})
export class AppModule {
  /**
   * The root module for one environment (read when the app is created, after `.env` is loaded):
   * the demo routes, a newcomer's example with an open read, exist only outside production, so
   * there they are 404 like any unknown path. `createApp` uses this; the bare `AppModule` has no demo.
   */
  static forEnvironment(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const production = (env.NODE_ENV ?? 'development') === 'production';
    return { module: AppModule, imports: production ? [] : [DemoModule] };
  }
}
