import type { INestApplicationContext } from '@nestjs/common';

/** An organization the seed made (or found again) and the fresh key it issued for it. */
export interface SeededOrg {
  id: string;
  name: string;
  apiKey: string;
  /** Short name for other seeders, e.g. `barbers`. */
  slug: string;
}

/** What seeders share: the app (resolve any provider with `app.get(X, { strict: false })`), the orgs, and notes for the summary. */
export interface SeedContext {
  app: INestApplicationContext;
  orgs: SeededOrg[];
  /** Ids seeders leave for later ones, e.g. `users:<slug>` → user ids. */
  ids: Map<string, string[]>;
  /** Lines printed at the end. */
  notes: string[];
}

/**
 * One feature's demo data. Seeders run in list order (see seed.ts) and must be safe to rerun:
 * find what an earlier run made before creating it again.
 */
export interface Seeder {
  name: string;
  run(context: SeedContext): Promise<void>;
}
