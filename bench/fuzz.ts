/**
 * `npm run bench -- fuzz [--requests 10000] [--batch 500] [--concurrency 16] [--seed 1] [--db pglite|postgres|both] [--logs]`
 * Generated hostile requests at every route of a real listening server (the property test in
 * server/test/fuzz.test.ts at a larger size, with concurrency): per batch a fresh workspace full
 * of fixtures, then `batch` requests from fast-check, then GET /health; the demo shop is seeded
 * first (not with --smoke) so the demo sign-in has customers to find. Prints requests/s, the
 * status and error-code distribution, how many reached a handler, and every 5xx (must be 0: the
 * run fails otherwise). The server runs in this process (the route table comes from Fastify
 * itself), so the client's work shares the CPU: requests/s is a floor. --logs shows the server's
 * error log (stack traces of 500s).
 */
import fs from 'node:fs';
import os from 'node:os';
import fc from 'fast-check';
import { buildApp } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { seedDemo } from '../server/src/flows/demo-seed';
import { anyRouteRequest, fuzzableRoutes, sendRequest, setUpFixtures, Tally, type FuzzRequest } from '../server/test/fuzz-kit';
import { benchBackend, fmt } from './lib';

export interface FuzzBenchOptions {
  backends: ('postgres' | 'pglite')[];
  requests: number;
  batch: number;
  concurrency: number;
  seed: number;
  logs: boolean;
  /** Seed the demo shop first (about 15 s) so the demo sign-in reaches its customers. */
  demo: boolean;
}

export async function runFuzzBench(opts: FuzzBenchOptions): Promise<void> {
  console.log(`\n# fuzz — ${os.cpus().length} cores, ${fmt(opts.requests)} generated requests in batches of ${opts.batch}, ${opts.concurrency} at a time, seed ${opts.seed}`);
  for (const backend of opts.backends) {
    const { env, cleanup } = await benchBackend(backend, 10);
    const dataDir = env.DATA_DIR ?? fs.mkdtempSync(`${os.tmpdir()}/omni-fuzz-`);
    const config = loadConfig({ ...env, DATA_DIR: dataDir, LOG_LEVEL: opts.logs ? 'error' : 'silent', PORT: '0', OMNI_DEMO: 'true' });
    const built = await buildApp({ config });
    try {
      await built.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (built.app.server.address() as { port: number }).port;
      const routes = fuzzableRoutes(built.routes);
      // The demo shop in the first workspace, so the demo sign-in meets its own customers.
      const t0 = performance.now();
      if (opts.demo) await seedDemo(built.app, built.ctx.db, built.bootstrap!.workspaceId, { customers: 20 });
      const demo = await demoCustomers(port);
      if (opts.demo) console.log(`(demo seeded in ${fmt((performance.now() - t0) / 1000, 1)} s: ${demo.email.length} customers to sign in as)`);
      const tally = new Tally();
      let sendingMs = 0;
      let healthFailures = 0;
      for (let b = 0; sent(tally) < opts.requests; b++) {
        const fx = await setUpFixtures(built.ctx.db, port, demo);
        const size = Math.min(opts.batch, opts.requests - sent(tally));
        const requests = fc.sample(anyRouteRequest(routes, fx), { numRuns: size, seed: opts.seed + b });
        const t0 = performance.now();
        await sendAll(port, requests, opts.concurrency, tally);
        sendingMs += performance.now() - t0;
        const health = await sendRequest(port, { method: 'GET', path: '/health', headers: {} }).catch(() => undefined);
        if (health?.status !== 200) healthFailures++;
      }
      console.log(`\n## ${backend}`);
      console.log('| measure | value |');
      console.log('|---|---:|');
      console.log(`| routes fuzzed | ${routes.length} |`);
      console.log(`| requests | ${fmt(tally.total)} |`);
      console.log(`| requests/s (${opts.concurrency} clients) | ${fmt(tally.total / (sendingMs / 1000))} |`);
      console.log(`| reached a handler (2xx or a handler's 4xx) | ${fmt(tally.reachedHandlers)} (${fmt((tally.reachedHandlers / tally.total) * 100)}%) |`);
      console.log(`| 5xx or no answer | ${tally.serverErrors} |`);
      console.log(`| /health failed after a batch | ${healthFailures} |`);
      console.log(`\n${tally.summary()}`);
      if (tally.serverErrors > 0) console.log(`\nFailures (first 40):\n${tally.describeFailures(40)}`);
      if (tally.serverErrors > 0 || healthFailures > 0) process.exitCode = 1;
    } finally {
      await built.app.close();
      await cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

/** The demo customers /demo/v1/config offers, as fixture values for the demo sign-in. */
async function demoCustomers(port: number): Promise<{ email: string[]; phone: string[] }> {
  const res = await sendRequest(port, { method: 'GET', path: '/demo/v1/config', headers: {} });
  const customers = res.status === 200 ? (JSON.parse(res.body) as { customers: { email: string | null; phone: string | null }[] }).customers : [];
  return { email: customers.flatMap((c) => c.email ?? []), phone: customers.flatMap((c) => c.phone ?? []) };
}

function sent(tally: Tally): number {
  return tally.total;
}

/** Send with `concurrency` requests in flight. */
async function sendAll(port: number, requests: FuzzRequest[], concurrency: number, tally: Tally): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const response = await sendRequest(port, request).catch((err: unknown) => ({ error: (err as Error).message }));
        tally.add(request, response);
      }
    }),
  );
}
