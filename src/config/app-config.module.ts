import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AdminTokenNotice } from './admin-token.notice';
import { appConfig } from './app.config';

/**
 * Loads `.env` (if present; not under Jest, whose NODE_ENV is `test`, so a developer's file
 * cannot change test runs) and registers the validated `appConfig` namespace globally.
 */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      load: [appConfig],
      ignoreEnvFile: process.env.NODE_ENV === 'test',
    }),
  ],
  providers: [AdminTokenNotice],
})
export class AppConfigModule {}
