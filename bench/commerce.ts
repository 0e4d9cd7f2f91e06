/**
 * `npm run bench -- commerce`: orders under contention. Many concurrent orders from three
 * channels race for the last units of one SKU in one warehouse, round after round; the
 * benchmark checks that exactly the units on hand were sold (no oversell, on hand ends at 0)
 * and prints order attempts per second and their latency. In the same run it measures the raw
 * limit of the same contention: a plain conditional UPDATE of one stock row per attempt, one
 * transaction each, from as many connections (PostgreSQL only; PGlite has one connection).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, fmt, median, percentile, request, startServer } from './lib';

export interface CommerceBenchOptions {
  backends: ('postgres' | 'pglite')[];
  rounds: number;
  ordersPerRound: number;
  units: number;
}

const ADMIN_TOKEN = 'omni_bench_admin_token_0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function api<T>(port: number, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await request({ port, method, path: url, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(res.body) as T };
}

async function must<T>(port: number, method: string, url: string, body?: unknown): Promise<T> {
  const res = await api<T>(port, method, url, body);
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

interface Round {
  seconds: number;
  sold: number;
  refused: number;
  other: number;
  onHand: number;
  latencies: number[];
}

async function rawContention(url: string, attempts: number, concurrency: number, units: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  pool.on('error', () => {});
  await pool.query('CREATE TABLE IF NOT EXISTS bench_raw_stock (id int PRIMARY KEY, on_hand int NOT NULL CHECK (on_hand >= 0))');
  await pool.query('INSERT INTO bench_raw_stock VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET on_hand = $1', [units]);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < attempts) await pool.query('UPDATE bench_raw_stock SET on_hand = on_hand - 1 WHERE id = 1 AND on_hand >= 1');
    }),
  );
  const rate = attempts / ((performance.now() - start) / 1000);
  await pool.query('DROP TABLE bench_raw_stock');
  await pool.end();
  return rate;
}

export async function runCommerceBench(opts: CommerceBenchOptions): Promise<void> {
  console.log(`# commerce benchmark — ${os.cpus().length} cores, node ${process.version}`);
  console.log(`${opts.rounds} rounds × ${opts.ordersPerRound} concurrent orders from 3 channels for the last ${opts.units} units of one SKU`);
  for (const backend of opts.backends) {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    let url = '';
    if (backend === 'postgres') {
      const db = await createDatabase();
      url = db.url;
      env = { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '20' };
      cleanup = db.drop;
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-bench-'));
      env = { DATA_DIR: dataDir };
      cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const server = await startServer({ ...env, OMNI_ADMIN_TOKEN: ADMIN_TOKEN, OMNI_WRITE_KEY: 'wk_bench_write_key' });
    const port = server.port;
    try {
      const warehouse = (await must<{ id: string }>(port, 'POST', '/api/v1/locations', { name: 'Kho Bình Dương', kind: 'warehouse' })).id;
      const channels = [
        (await must<{ id: string }>(port, 'POST', '/api/v1/channels', { name: 'Website', type: 'web', locationIds: [warehouse] })).id,
        (await must<{ id: string }>(port, 'POST', '/api/v1/channels', { name: 'Shopee', type: 'marketplace', platform: 'shopee', locationIds: [warehouse] })).id,
        (await must<{ id: string }>(port, 'POST', '/api/v1/channels', { name: 'Zalo shop', type: 'social', platform: 'zalo', locationIds: [warehouse] })).id,
      ];
      const sku = 'BENCH-LAST-UNITS';
      await must(port, 'POST', '/api/v1/products', { title: 'Nồi chiên không dầu', variants: [{ sku, price: 1_990_000 }] });

      const rounds: Round[] = [];
      for (let round = 0; round < opts.rounds; round++) {
        await must(port, 'POST', '/api/v1/inventory/adjustments', { sku, locationId: warehouse, count: opts.units, reason: 'stock_take' });
        const latencies: number[] = [];
        const statuses: number[] = [];
        const start = performance.now();
        await Promise.all(
          Array.from({ length: opts.ordersPerRound }, async (_, i) => {
            const t0 = performance.now();
            const res = await api(port, 'POST', '/api/v1/orders', {
              channelId: channels[i % 3],
              externalId: `R${round}-${i}`,
              customer: { phone: `09${String(10_000_000 + round * 1000 + i).slice(-8)}` },
              lines: [{ sku, quantity: 1 }],
            });
            latencies.push(performance.now() - t0);
            statuses.push(res.status);
          }),
        );
        const seconds = (performance.now() - start) / 1000;
        const after = await must<{ onHand: number }>(port, 'GET', `/api/v1/inventory/${sku}`);
        rounds.push({
          seconds,
          sold: statuses.filter((s) => s === 201).length,
          refused: statuses.filter((s) => s === 409).length,
          other: statuses.filter((s) => s !== 201 && s !== 409).length,
          onHand: after.onHand,
          latencies: latencies.sort((a, b) => a - b),
        });
      }
      const oversold = rounds.filter((r) => r.sold !== opts.units || r.onHand !== 0 || r.other > 0).length;
      const rates = rounds.map((r) => opts.ordersPerRound / r.seconds);
      const all = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
      console.log(`\n## ${backend}`);
      console.log('| measure | value |');
      console.log('|---|---:|');
      console.log(`| rounds with exactly ${opts.units} sold, ${opts.ordersPerRound - opts.units} refused, on hand 0 | ${rounds.length - oversold} of ${rounds.length} |`);
      console.log(`| oversells | ${rounds.reduce((n, r) => n + Math.max(0, r.sold - opts.units), 0)} |`);
      console.log(`| order attempts/s under contention (median of rounds) | ${fmt(median(rates))} |`);
      console.log(`| latency p50 / p99 ms | ${fmt(percentile(all, 50), 1)} / ${fmt(percentile(all, 99), 1)} |`);
      if (backend === 'postgres') {
        await server.stop();
        const raw = await rawContention(url, opts.ordersPerRound * 5, 20, opts.units * 5);
        console.log(`| raw limit: conditional UPDATE of one stock row, 20 connections (attempts/s) | ${fmt(raw)} |`);
        console.log(`| ratio | ${fmt(median(rates) / raw, 2)} |`);
      }
      if (oversold > 0) {
        for (const r of rounds) console.log(`round: sold ${r.sold}, refused ${r.refused}, other ${r.other}, on hand ${r.onHand}`);
        process.exitCode = 1;
      }
    } finally {
      await server.stop();
      await cleanup();
    }
  }
}
