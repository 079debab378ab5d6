import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfigType } from '../../config/app.config';
import { Organization } from '../../organizations/organization.entity';
import { runSeeders, seedSummary } from './seed';

/**
 * `npm start` on embedded defaults should be usable at once: on the first start of the embedded
 * database (no DATABASE_URL, and no organization in it yet) the demo seed runs through the
 * app's services, and what it made is returned for printing (API keys, operator token). An
 * external database, or an embedded one that already holds an organization, is left alone.
 */
export async function seedEmbeddedDatabaseOnFirstStart(app: INestApplicationContext, config: AppConfigType): Promise<string | undefined> {
  if (config.database.url !== undefined) return undefined;
  const organizations = app.get(DataSource).getRepository(Organization);
  if ((await organizations.count({ take: 1 })) > 0) return undefined;
  return seedSummary(await runSeeders(app), config, true);
}
