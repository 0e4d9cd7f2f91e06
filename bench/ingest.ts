/**
 * `npm run bench -- ingest`: the Segment API under load, with identity resolution, on
 * PostgreSQL and PGlite. Prints events/s and request latency percentiles for /v1/batch and for
 * single /v1/track calls, and, in the same run, the raw multi-row INSERT rate of the same rows
 * into a table shaped like `events` (same indexes), as a ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { makeEvent, makePerson, rng, type Person } from './data';
import { basic, createDatabase, fmt, percentile, request, startServer } from './lib';

export interface IngestBenchOptions {
  backends: ('postgres' | 'pglite')[];
  people: number;
  batchEvents: number;
  batchSize: number;
  batchConcurrency: number;
  trackCalls: number;
  trackConcurrency: number;
}

const WRITE_KEY = 'wk_bench_write_key';
const ADMIN_TOKEN = 'omni_bench_admin_token_0123456789';

interface PhaseResult {
  events: number;
  seconds: number;
  latencies: number[];
  errors: number;
}

async function runPool(bodies: string[], concurrency: number, send: (body: string) => Promise<number>): Promise<PhaseResult> {
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const status = await send(body);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  return { events: 0, seconds: (performance.now() - start) / 1000, latencies: latencies.sort((a, b) => a - b), errors };
}

function makeBodies(opts: IngestBenchOptions, seed: number): { batches: string[]; singles: string[]; rows: unknown[][] } {
  const r = rng(seed);
  const people: Person[] = Array.from({ length: opts.people }, (_, i) => makePerson(i, r));
  const base = Date.now() - 90 * 86400_000;
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < opts.batchEvents; i++) {
    events.push(makeEvent(people[Math.floor(r() * people.length)]!, r, new Date(base + i * 1000)));
  }
  const batches: string[] = [];
  for (let i = 0; i < events.length; i += opts.batchSize) {
    batches.push(JSON.stringify({ batch: events.slice(i, i + opts.batchSize), context: { library: { name: 'omni-bench' } } }));
  }
  const singles: string[] = [];
  for (let i = 0; i < opts.trackCalls; i++) {
    const e = makeEvent(people[Math.floor(r() * people.length)]!, r, new Date(base + i * 1000));
    singles.push(JSON.stringify({ ...e, type: undefined, event: 'Product Viewed', properties: e.properties ?? { path: '/' } }));
  }
  // The same rows, as the raw INSERT baseline would store them.
  const rows = events.map((e) => [
    'ws_raw', `${String(e.messageId)}-raw`, null, 'src_raw', 'web', e.type, e.event ?? null, e.userId ?? null,
    e.anonymousId ?? null, e.timestamp, new Date().toISOString(), JSON.stringify(e),
  ]);
  return { batches, singles, rows };
}

const RAW_COLUMNS = '(workspace_id, message_id, profile_id, source_id, channel, type, event, user_id, anonymous_id, timestamp, received_at, payload)';

function multiRowInsert(rows: unknown[][]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(',')})`);
  return { text: `INSERT INTO bench_raw_events ${RAW_COLUMNS} VALUES ${tuples.join(',')}`, values };
}

async function rawPostgres(url: string, rows: unknown[][], batchSize: number, concurrency: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  pool.on('error', () => {}); // an idle connection closed by the final DROP DATABASE
  await pool.query('DROP TABLE IF EXISTS bench_raw_events');
  await pool.query('CREATE TABLE bench_raw_events (LIKE events INCLUDING ALL)');
  const chunks: unknown[][][] = [];
  for (let i = 0; i < rows.length; i += batchSize) chunks.push(rows.slice(i, i + batchSize));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) {
        const q = multiRowInsert(chunks[next++]!);
        await pool.query(q.text, q.values);
      }
    }),
  );
  const rate = rows.length / ((performance.now() - start) / 1000);
  await pool.query('DROP TABLE bench_raw_events');
  await pool.end();
  return rate;
}

async function rawPglite(dataDir: string, rows: unknown[][], batchSize: number): Promise<number> {
  const db = new PGlite(path.join(dataDir, 'pglite'));
  await db.waitReady;
  await db.exec('DROP TABLE IF EXISTS bench_raw_events; CREATE TABLE bench_raw_events (LIKE events INCLUDING ALL)');
  const start = performance.now();
  for (let i = 0; i < rows.length; i += batchSize) {
    const q = multiRowInsert(rows.slice(i, i + batchSize));
    await db.query(q.text, q.values);
  }
  const rate = rows.length / ((performance.now() - start) / 1000);
  await db.exec('DROP TABLE bench_raw_events');
  await db.close();
  return rate;
}

async function countResolution(port: number): Promise<{ profiles: string }> {
  const res = await request({ port, method: 'GET', path: '/api/v1/profiles?limit=1', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { profiles: res.status === 200 ? 'ok' : `HTTP ${res.status}` };
}

export async function runIngestBench(opts: IngestBenchOptions): Promise<void> {
  console.log(`# ingest benchmark — ${os.cpus().length} cores, node ${process.version}`);
  console.log(
    `people ${fmt(opts.people)}, /v1/batch: ${fmt(opts.batchEvents)} events in batches of ${opts.batchSize} from ${opts.batchConcurrency} clients; ` +
      `/v1/track: ${fmt(opts.trackCalls)} calls from ${opts.trackConcurrency} clients`,
  );
  for (const backend of opts.backends) {
    const { batches, singles, rows } = makeBodies(opts, 42);
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    let dataDir = '';
    let url = '';
    if (backend === 'postgres') {
      const db = await createDatabase();
      url = db.url;
      env = { DATABASE_URL: db.url };
      cleanup = db.drop;
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-bench-'));
      env = { DATA_DIR: dataDir };
      cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const server = await startServer({ ...env, OMNI_WRITE_KEY: WRITE_KEY, OMNI_ADMIN_TOKEN: ADMIN_TOKEN, OMNI_SOURCE_RATE_LIMIT: '1000000000' });
    const headers = { 'content-type': 'application/json', authorization: basic(WRITE_KEY) };
    try {
      let accepted = 0;
      const batch = await runPool(batches, opts.batchConcurrency, async (body) => {
        const res = await request({ port: server.port, method: 'POST', path: '/v1/batch', headers, body });
        if (res.status === 200) accepted += (JSON.parse(res.body) as { accepted: number }).accepted;
        return res.status;
      });
      const track = await runPool(singles, opts.trackConcurrency, async (body) => {
        const res = await request({ port: server.port, method: 'POST', path: '/v1/track', headers, body });
        return res.status;
      });
      await countResolution(server.port);
      await server.stop();
      const raw = backend === 'postgres' ? await rawPostgres(url, rows, opts.batchSize, opts.batchConcurrency) : await rawPglite(dataDir, rows, opts.batchSize);
      const batchRate = accepted / batch.seconds;
      const trackRate = singles.length / track.seconds;
      console.log(`\n## ${backend}`);
      console.log(`| path | events/s | p50 ms | p99 ms | errors |`);
      console.log(`|---|---:|---:|---:|---:|`);
      console.log(`| /v1/batch (${opts.batchSize}/request, identity resolution) | ${fmt(batchRate)} | ${fmt(percentile(batch.latencies, 50), 1)} | ${fmt(percentile(batch.latencies, 99), 1)} | ${batch.errors} |`);
      console.log(`| /v1/track (single calls) | ${fmt(trackRate)} | ${fmt(percentile(track.latencies, 50), 1)} | ${fmt(percentile(track.latencies, 99), 1)} | ${track.errors} |`);
      console.log(`| raw multi-row INSERT, same rows (${opts.batchSize}/statement) | ${fmt(raw)} | | | |`);
      console.log(`ratio /v1/batch ÷ raw INSERT: ${fmt(batchRate / raw, 2)}; events accepted ${fmt(accepted)} of ${fmt(opts.batchEvents)}`);
    } finally {
      await server.stop();
      await cleanup();
    }
  }
}
