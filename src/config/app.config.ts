import { type ConfigType, registerAs } from '@nestjs/config';
import type { AppConfig } from './app-config.interface';
import { validateAppConfig } from './app-config.validation';

/**
 * The typed configuration as a `@nestjs/config` namespace. Inject it with
 * `@Inject(appConfig.KEY) config: AppConfigType`. The factory runs once per application, when the
 * container is built, so a bad environment fails `NestFactory.create` / `Test.compile()`.
 */
export const appConfig = registerAs('app', (): AppConfig => validateAppConfig(process.env));

export type AppConfigType = ConfigType<typeof appConfig>;
