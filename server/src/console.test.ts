/**
 * The console's pages: any browser path that is not an API gets the console (with headers that
 * keep it from running foreign scripts or being framed), API paths keep the JSON 404, and no
 * path reaches a file outside the build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ runWorkers: false });
});
afterAll(async () => server.close());

const get = (url: string) => server.app.inject({ method: 'GET', url });

describe('the console at /', () => {
  it('answers a deep link with the console page and its security headers', async () => {
    const res = await get('/customers/prf_123?tab=orders');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps the JSON 404 for API paths that match no route', async () => {
    for (const url of [
      '/api/v1/nope',
      '/v1/nope',
      '/store/v1/nope',
      '/demo/v1/nope',
      // Where tracking libraries look for their settings, library and beacon endpoint.
      '/sourceConfig/nope',
      '/sourceConfignope',
      '/beacon/v1/nope',
      '/analytics.js/v1/x/analytics.min.js',
      '/analytics-next/bundles/nope.js',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json<{ error: { code: string } }>().error.code, url).toBe('not_found');
    }
  });

  it('answers 404 for a missing asset instead of the page', async () => {
    const res = await get('/assets/nope-123.js');
    expect(res.statusCode).toBe(404);
  });

  it('serves nothing from outside the build', async () => {
    for (const url of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json']) {
      const res = await get(url);
      expect(res.body, url).not.toContain('"workspaces"');
    }
  });
});
