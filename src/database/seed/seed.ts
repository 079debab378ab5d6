import { describeError } from '@app/cache';
// `npm run seed`: demo data for a local start. Runs every seeder of SEEDERS, in order, against the
// database the app is configured for (DATABASE_URL, or the embedded one in DATABASE_DATA_DIR,
// which `npm start` must not hold open at the same time), through the app's own services, so
// caches are evicted as by any write. Safe to rerun: existing rows are found again, and each run
// issues new API keys (the old ones keep working).
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { availabilitySeeder } from '../../availability/availability.seeder';
import { appConfig, type AppConfigType } from '../../config/app.config';
import { ordersSeeder } from './orders.seeder';
import { organizationsSeeder } from './organizations.seeder';
import type { SeedContext, Seeder } from './seeder';
import { usersSeeder } from './users.seeder';

export type { SeedContext, SeededOrg, Seeder } from './seeder';

/** Every feature's seeder, in the order they run; a feature adds its own here. */
export const SEEDERS: Seeder[] = [organizationsSeeder, usersSeeder, ordersSeeder, availabilitySeeder];

/** Runs the seeders on an application context and returns what they made. */
export async function runSeeders(app: SeedContext['app'], seeders: readonly Seeder[] = SEEDERS): Promise<SeedContext> {
  const context: SeedContext = { app, orgs: [], ids: new Map(), notes: [] };
  for (const seeder of seeders) await seeder.run(context);
  return context;
}

/**
 * What a seed run prints: each organization with its new API key, the seeders' notes, and the
 * operator token. `inServer`: printed by the server itself (first start of the embedded
 * database), whose token is the one to use even when it was generated for this run.
 */
export function seedSummary(context: SeedContext, config: AppConfigType, inServer = false): string {
  const lines = ['', 'Seeded organizations (API keys are shown once):'];
  for (const org of context.orgs) lines.push(`  ${org.name} (${org.id})`, `    Authorization: Bearer ${org.apiKey}`);
  lines.push(...context.notes.map((note) => `  ${note}`), '');
  if (!config.adminTokenGenerated) lines.push(`Operator token (ADMIN_TOKEN): Authorization: Bearer ${config.adminToken}`);
  else if (inServer) lines.push(`Operator token for this run (ADMIN_TOKEN is not set): Authorization: Bearer ${config.adminToken}`);
  else lines.push('Operator token: ADMIN_TOKEN is not set, so each server start makes its own (printed at start); set ADMIN_TOKEN to fix one.');
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    const context = await runSeeders(app);
    process.stdout.write(seedSummary(context, app.get<AppConfigType>(appConfig.KEY)));
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    new Logger('Seed').error(describeError(error));
    process.exit(1);
  });
}
