import { defineConfig } from 'vitest/config';

/**
 * The suite runs twice: against PGlite (embedded) and against the PostgreSQL at
 * OMNI_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres). Each test file gets its own
 * database (PGlite: a copy of a migrated template; PostgreSQL: one database per run) and each
 * test creates its own workspace.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The server's tests and the browser journeys through the console and the demo pages.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', '../e2e/**/*.test.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'pglite', globalSetup: ['./test/global-setup.ts'], env: { OMNI_TEST_DB: 'pglite' } },
      },
      {
        extends: true,
        test: { name: 'postgres', globalSetup: ['./test/global-setup.ts'], env: { OMNI_TEST_DB: 'postgres' } },
      },
    ],
  },
});
