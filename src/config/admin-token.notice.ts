import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { appConfig, type AppConfigType } from './app.config';

/** Prints the operator token made for this run when ADMIN_TOKEN is unset (never in production). */
@Injectable()
export class AdminTokenNotice implements OnApplicationBootstrap {
  private readonly logger = new Logger('Config');

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfigType) {}

  onApplicationBootstrap(): void {
    if (!this.config.adminTokenGenerated) return;
    this.logger.warn(
      `ADMIN_TOKEN is not set; operator token for this run: ${this.config.adminToken} ` +
        '(set ADMIN_TOKEN to keep one across restarts)',
    );
  }
}
