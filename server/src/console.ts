/**
 * The operator console (console/, React) built into console/dist and served at `/`: files under
 * /assets are content-hashed and cached for a year; every other browser path that is not an API
 * gets index.html, so deep links (/customers/…) work. API paths that match no route keep the JSON
 * 404 of the error model.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from './platform/context';
import { AppError } from './platform/errors';

export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');

/**
 * Paths that belong to an API, never to the console: a miss there is a JSON 404, not the
 * console's page. Besides Omni's own, the paths browser and mobile tracking libraries call
 * (Segment's settings and library, RudderStack's source config and beacon): a library that reads
 * HTML where it expects JSON fails in ways its owner cannot diagnose.
 */
const API_PREFIXES = ['/api/', '/v1/', '/store/', '/sdk/', '/docs', '/health', '/sourceConfig', '/beacon/', '/analytics.js/', '/analytics-next/'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The console page may run only its own scripts, talk only to its own origin and never be framed;
 * styles may be inline (the component library sets them), images may be data: URIs (the icon).
 */
export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Omni</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>Omni is running</h1><p>The console has not been built. Run <code>npm run build -w console</code> (or start Omni with <code>npm start</code>, which builds it), then reload.</p>
<p>The API is at <a href="/docs">/docs</a>.</p></body></html>`;

async function readFileOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch {
    return undefined;
  }
}

export function consoleRoutes(options: { dist?: string } = {}) {
  const dist = options.dist ?? CONSOLE_DIST;
  return async function routes(app: App): Promise<void> {
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      // Doubled slashes are collapsed first: `//api/v1/…` is an API path that matched no route.
      const urlPath = decodeURIComponent(request.url.split('?')[0] ?? '/').replace(/\/{2,}/g, '/');
      if (API_PREFIXES.some((p) => urlPath.startsWith(p))) {
        throw new AppError('not_found', `No route ${request.method} ${urlPath}`);
      }
      // A real file of the build (never outside dist).
      const file = path.resolve(dist, `.${urlPath}`);
      if (file.startsWith(dist + path.sep) && path.extname(file)) {
        const body = await readFileOrUndefined(file);
        if (body) {
          const immutable = urlPath.startsWith('/assets/');
          return reply
            .header('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream')
            .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
            .header('x-content-type-options', 'nosniff')
            .send(body);
        }
        if (urlPath.startsWith('/assets/')) throw new AppError('not_found', `No file ${urlPath}`);
      }
      const index = await readFileOrUndefined(path.join(dist, 'index.html'));
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .headers(PAGE_HEADERS)
        .send(index ?? NOT_BUILT);
    });
  };
}
