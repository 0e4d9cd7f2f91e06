/**
 * `npm run bench -- erasure`: what erasing a person costs once the workspace has history, and
 * what it does to the workspace's ingest meanwhile. Fills a workspace through `/v1/batch`
 * (realistic people, devices, sign-ins and POS purchases: a domain log of `events` logged
 * events), then erases `erase` people one after another through `DELETE /api/v1/profiles/{id}`
 * while a few clients keep sending single `/v1/track` calls; the same track load runs alone
 * first, as the baseline. Erasure holds the workspace's identity and events locks until it
 * commits, so the track latency during erasures shows how long ingest waits.
 */
import os from 'node:os';
import { makeEvent, makePerson, rng, type Person } from './data';
import { basic, benchBackend, fmt, percentile, request, startServer } from './lib';

export interface ErasureBenchOptions {
  backends: ('postgres' | 'pglite')[];
  people: number;
  events: number;
  erase: number;
  trackClients: number;
}

const WRITE_KEY = 'wk_bench_write_key';
const ADMIN_TOKEN = 'omni_bench_admin_token_0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Single track calls from `clients` clients until `stop()`; returns the latencies. */
function trackLoad(port: number, people: Person[], clients: number): { stop(): Promise<number[]> } {
  const headers = { 'content-type': 'application/json', authorization: basic(WRITE_KEY) };
  const r = rng(7);
  const latencies: number[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const p = people[Math.floor(r() * people.length)]!;
      const body = JSON.stringify({ anonymousId: p.devices[0], event: 'Product Viewed', properties: { path: '/' } });
      const t0 = performance.now();
      const res = await request({ port, method: 'POST', path: '/v1/track', headers, body });
      if (res.status !== 200) throw new Error(`track → ${res.status} ${res.body}`);
      latencies.push(performance.now() - t0);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return latencies.sort((a, b) => a - b);
    },
  };
}

const row = (label: string, l: number[]) =>
  `| ${label} | ${fmt(l.length)} | ${fmt(percentile(l, 50), 1)} | ${fmt(percentile(l, 99), 1)} | ${fmt(l[l.length - 1] ?? NaN, 1)} |`;

export async function runErasureBench(opts: ErasureBenchOptions): Promise<void> {
  console.log(`\n# erasure — ${os.cpus().length} cores, ${fmt(opts.events)} events from ${fmt(opts.people)} people, then ${opts.erase} erasures under ${opts.trackClients} track clients`);
  for (const backend of opts.backends) {
    const { env, cleanup } = await benchBackend(backend, 10);
    const server = await startServer({ ...env, OMNI_WRITE_KEY: WRITE_KEY, OMNI_ADMIN_TOKEN: ADMIN_TOKEN, OMNI_SOURCE_RATE_LIMIT: '1000000000' });
    const port = server.port;
    try {
      const r = rng(42);
      const people = Array.from({ length: opts.people }, (_, i) => makePerson(i, r));
      const base = Date.now() - 90 * 86400_000;
      const bodies: string[] = [];
      for (let i = 0; i < opts.events; i += 100) {
        const batch = Array.from({ length: Math.min(100, opts.events - i) }, (_, k) => makeEvent(people[Math.floor(r() * people.length)]!, r, new Date(base + (i + k) * 1000)));
        bodies.push(JSON.stringify({ batch }));
      }
      const headers = { 'content-type': 'application/json', authorization: basic(WRITE_KEY) };
      let next = 0;
      const fillStart = performance.now();
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < bodies.length) {
          const res = await request({ port, method: 'POST', path: '/v1/batch', headers, body: bodies[next++]! });
          if (res.status !== 200) throw new Error(`batch → ${res.status} ${res.body}`);
        }
      }));
      const fillSeconds = (performance.now() - fillStart) / 1000;

      // The people to erase: known by email (signed in at least once).
      const targets: string[] = [];
      for (const p of people) {
        if (targets.length >= opts.erase) break;
        const res = await request({ port, method: 'GET', path: `/api/v1/profiles/lookup?type=email&value=${encodeURIComponent(p.email)}`, headers: admin });
        if (res.status === 200) targets.push((JSON.parse(res.body) as { id: string }).id);
      }
      const bystanders = people.slice(opts.erase * 4);

      const baselineLoad = trackLoad(port, bystanders, opts.trackClients);
      await new Promise((res) => setTimeout(res, 3000));
      const baseline = await baselineLoad.stop();

      const load = trackLoad(port, bystanders, opts.trackClients);
      const erasures: number[] = [];
      let events = 0;
      for (const id of targets) {
        const t0 = performance.now();
        const res = await request({ port, method: 'DELETE', path: `/api/v1/profiles/${id}`, headers: admin });
        erasures.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`erase → ${res.status} ${res.body}`);
        events += (JSON.parse(res.body) as { events: number }).events;
      }
      const during = await load.stop();
      erasures.sort((a, b) => a - b);

      console.log(`\n## ${backend}: ${fmt(opts.events)} events logged in ${fmt(fillSeconds, 1)} s; ${targets.length} people erased (${fmt(events)} of their events)`);
      console.log('| | n | p50 ms | p99 ms | max ms |');
      console.log('|---|---:|---:|---:|---:|');
      console.log(row('DELETE /api/v1/profiles/{id}', erasures));
      console.log(row('/v1/track alone', baseline));
      console.log(row('/v1/track during erasures', during));
    } finally {
      await server.stop();
      await cleanup();
    }
  }
}
