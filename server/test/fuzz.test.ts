/**
 * Every route of the app, walked from Fastify's own route table, gets generated hostile input
 * (see fuzz-kit.ts) over a real socket: no answer may be a 5xx, and the server keeps serving
 * (/health after each batch). Each batch starts from a fresh workspace full of fixtures so most
 * requests reach handlers, not only validation. A larger run with concurrency:
 * `npm run bench -- fuzz`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyRouteRequest, describeRequest, fuzzableRoutes, sendRequest, setUpFixtures, Tally } from './fuzz-kit';
import { startTestServer, type TestServer } from './helpers';

/** Batches × requests: about 30 s per backend on this 2-core machine; the seed makes a failure repeatable. */
const BATCHES = 3;
const PER_BATCH = 170;
const SEED = 20_260_611;

let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as { port: number }).port;
});
afterAll(async () => server.close());

describe('every route', () => {
  describe('when thrown generated hostile input', () => {
    it('answers no 5xx, keeps serving, and most requests reach a handler', { timeout: 240_000 }, async () => {
      const routes = fuzzableRoutes(server.routes);
      // The walk covers every API: admin (token or session), store, tracking, sign-in, demo, console.
      for (const prefix of ['/api/v1/', '/store/v1/', '/v1/', '/demo/', '/api/v1/session', '/*']) {
        expect(routes.some((r) => r.url.startsWith(prefix)), prefix).toBe(true);
      }
      const tally = new Tally();
      for (let batch = 0; batch < BATCHES; batch++) {
        const fx = await setUpFixtures(server.db, port);
        await fc.assert(
          fc.asyncProperty(anyRouteRequest(routes, fx), async (request) => {
            const response = await sendRequest(port, request).catch((err: unknown) => ({ error: (err as Error).message }));
            tally.add(request, response);
            if ('error' in response) throw new Error(`no answer (${response.error}) to ${describeRequest(request)}`);
            if (response.status >= 500) throw new Error(`${response.status} ${response.body.slice(0, 300)} to ${describeRequest(request)}`);
          }),
          // No shrinking: each request changes the database, so a replay is not the same run.
          { numRuns: PER_BATCH, seed: SEED + batch, endOnFailure: true },
        );
        expect((await sendRequest(port, { method: 'GET', path: '/health', headers: {} })).status).toBe(200);
      }
      console.log(`fuzz (${server.db.kind}): ${tally.summary()}`);
      expect(tally.serverErrors, tally.describeFailures()).toBe(0);
      // A fuzz that only meets validation and 404 is worth little.
      expect(tally.reachedHandlers / tally.total).toBeGreaterThan(0.35);
    });
  });
});
