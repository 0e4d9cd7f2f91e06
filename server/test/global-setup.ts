/**
 * Once per run and project: a migrated PGlite template data dir (initdb takes seconds, copying
 * takes milliseconds), or a fresh PostgreSQL database for this run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDb } from '../src/db/client';
import { runMigrations } from '../src/db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    databaseUrl: string;
  }
}

export const ADMIN_PG_URL = process.env.OMNI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject) {
  if (project.name === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-pglite-template-'));
    const db = await openDb({ dataDir: dir, lock: false });
    await runMigrations(db);
    await db.close();
    project.provide('pgliteTemplate', dir);
    project.provide('databaseUrl', '');
    return () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const name = `omni_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${ADMIN_PG_URL} (${(err as Error).message}). ` +
        'Start it, point OMNI_TEST_PG_URL at one, or run only the embedded suite: npm test -- --project pglite',
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), dataDir: os.tmpdir() });
  await runMigrations(db);
  await db.close();
  project.provide('databaseUrl', url.toString());
  project.provide('pgliteTemplate', '');
  return async () => {
    const c = new pg.Client({ connectionString: ADMIN_PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
}
