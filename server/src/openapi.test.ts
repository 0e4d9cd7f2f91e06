import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DB_KIND } from '../test/helpers';
import { openApiDocument, schemaTypes, SCHEMA_TYPES_PATH } from './cli/openapi';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('console API types (console/src/api/schema.d.ts)', () => {
  // The OpenAPI document comes from the route schemas, not the database (it is built over a
  // throwaway PGlite either way), so checking it once, in the pglite project, is enough.
  it.skipIf(DB_KIND !== 'pglite')('match the OpenAPI document the routes make (else run `npm run api:types`)', async () => {
    const expected = await schemaTypes(await openApiDocument());
    const committed = fs.readFileSync(path.join(repoRoot, SCHEMA_TYPES_PATH), 'utf8').replace(/\r\n/g, '\n');
    // One boolean first, so a stale file fails with the fix in the message rather than a 20k-line diff.
    expect(committed === expected, `${SCHEMA_TYPES_PATH} is stale: run \`npm run api:types\` from the repo root and commit the result`).toBe(true);
  }, 120_000); // a new embedded database (initdb) and the whole app: slow on a loaded 2-core machine
});
