/**
 * The server's OpenAPI document, and the console's API types generated from it.
 *
 *   npm run api:types                          (from the repo root) rewrites console/src/api/schema.d.ts
 *   npm run --silent openapi -w server         prints the OpenAPI document (JSON)
 *   npm run --silent openapi -w server -- --types <file>   writes the TypeScript types to <file>
 *
 * The app is built without listening, over a throwaway embedded database (never the one in
 * DATA_DIR or DATABASE_URL: the environment is not read), with the demo and workers off.
 * server/src/openapi.test.ts fails when the committed schema.d.ts is stale.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../app';
import { loadConfig } from '../config';

/** Where the console's generated types live, relative to the repo root. */
export const SCHEMA_TYPES_PATH = 'console/src/api/schema.d.ts';

const HEADER = `/**
 * GENERATED FILE: do not edit. The console's API types, made by openapi-typescript from the
 * server's OpenAPI document (the routes' TypeBox schemas).
 * Regenerate after changing a route's schema: \`npm run api:types\` (from the repo root).
 * server/src/openapi.test.ts fails while this file is stale.
 */

`;

/** Build the app (not listening) over a throwaway PGlite data dir and return its OpenAPI document. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-openapi-'));
  try {
    const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0' }, { dataDir, demo: false, runWorkers: false });
    const { app } = await buildApp({ config, logger: false });
    try {
      return app.swagger() as unknown as Record<string, unknown>;
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The TypeScript source of schema.d.ts for this document (header included, LF line endings). */
export async function schemaTypes(document: Record<string, unknown>): Promise<string> {
  // A dev dependency (of the console workspace): loaded only when types are asked for.
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]);
  return HEADER + astToString(ast).replace(/\r\n/g, '\n');
}

async function main(argv: string[]): Promise<void> {
  const document = await openApiDocument();
  const at = argv.indexOf('--types');
  if (at === -1) {
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
    return;
  }
  const out = argv[at + 1];
  if (!out) throw new Error('--types needs a file name');
  const file = path.resolve(out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await schemaTypes(document));
  process.stderr.write(`openapi: wrote ${file}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`openapi: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
