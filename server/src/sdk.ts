/**
 * `GET /sdk/omni.js`: the browser SDK (sdk/src), bundled by esbuild into one script the first
 * time it is asked for, then kept in memory. `window.Omni.init({ host, writeKey })`.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { App } from './platform/context';

const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sdk/src/index.ts');

let bundle: Promise<{ code: string; etag: string }> | undefined;

export function sdkBundle(): Promise<{ code: string; etag: string }> {
  bundle ??= build({ entryPoints: [ENTRY], bundle: true, write: false, format: 'iife', globalName: 'Omni', target: 'es2019', minify: true, legalComments: 'none' }).then((r) => {
    const code = r.outputFiles[0]!.text;
    return { code, etag: `"${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}"` };
  });
  bundle.catch(() => (bundle = undefined));
  return bundle;
}

export async function sdkRoutes(app: App): Promise<void> {
  app.get('/sdk/omni.js', { schema: { tags: ['store'], summary: 'The browser SDK (analytics and the live cart), one script', security: [] } }, async (request, reply) => {
    const { code, etag } = await sdkBundle();
    reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(code);
  });
}
