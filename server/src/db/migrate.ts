/** Runs the Drizzle migrations in db/migrations, identically on PGlite and PostgreSQL. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database } from './client';

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** A fixed key so concurrent starts against one PostgreSQL migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_271_001;

export async function runMigrations(db: Database): Promise<void> {
  if (db.kind === 'pglite') {
    await migratePglite(db.orm as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  await db.withExclusiveConnection(MIGRATION_LOCK_KEY, (orm) =>
    migratePg(orm as unknown as NodePgDatabase, { migrationsFolder }),
  );
}
