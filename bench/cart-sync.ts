/**
 * `npm run bench -- commerce` (second part): live cart sync. Customers watch their cart over
 * SSE on one server while their other device changes it through the store API — on PostgreSQL
 * through a second server process (the change travels by LISTEN/NOTIFY), on PGlite within one
 * process. Measured per change: from sending the write to the cart event arriving on the other
 * connection (the write's own latency included), while `writers` customers change their carts
 * at once. The raw limit in the same run (PostgreSQL): a bare NOTIFY from one connection to a
 * LISTENing other, round trip.
 */
import http from 'node:http';
import pg from 'pg';
import { benchBackend, fmt, percentile, request, startServer, type RunningServer } from './lib';

export interface CartSyncBenchOptions {
  backends: ('postgres' | 'pglite')[];
  customers: number;
  changesPerCustomer: number;
}

const ADMIN_TOKEN = 'omni_bench_admin_token_0123456789';
const WRITE_KEY = 'wk_bench_write_key';

async function must<T>(port: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await request({
    port,
    method,
    path: url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

/** An SSE subscription that reports when each cart version arrives. */
function watch(port: number, token: string): Promise<{ arrived: Map<number, number>; wait(version: number): Promise<number>; close(): void }> {
  return new Promise((resolve, reject) => {
    const arrived = new Map<number, number>();
    const waiters = new Map<number, (t: number) => void>();
    const req = http.get(
      { host: '127.0.0.1', port, path: '/store/v1/cart/stream', headers: { 'x-omni-write-key': WRITE_KEY, 'x-omni-customer-token': token } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream → ${res.statusCode}`));
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n\n')) !== -1) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (!data) continue;
            const now = performance.now();
            const { version } = JSON.parse(data.slice(6)) as { version: number };
            arrived.set(version, now);
            waiters.get(version)?.(now);
          }
        });
        resolve({
          arrived,
          wait: (version) =>
            arrived.has(version)
              ? Promise.resolve(arrived.get(version)!)
              : new Promise((r, rej) => {
                  const timer = setTimeout(() => rej(new Error(`version ${version} not seen within 10 s`)), 10_000);
                  waiters.set(version, (t) => (clearTimeout(timer), r(t)));
                }),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}

async function rawNotify(url: string, n: number): Promise<number[]> {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  await listener.query('LISTEN bench_raw');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const got = new Promise<number>((r) => listener.once('notification', () => r(performance.now())));
    const t0 = performance.now();
    await sender.query(`NOTIFY bench_raw, '${i}'`);
    out.push((await got) - t0);
  }
  await Promise.all([listener.end(), sender.end()]);
  return out.sort((a, b) => a - b);
}

export async function runCartSyncBench(opts: CartSyncBenchOptions): Promise<void> {
  console.log(`\n# live cart sync — ${opts.customers} customers, each watched over SSE; their carts changed one at a time, then all at once (${opts.changesPerCustomer} changes each)`);
  for (const backend of opts.backends) {
    const { env, url, cleanup } = await benchBackend(backend, 10);
    const servers: RunningServer[] = [];
    try {
      const writer = await startServer({ ...env, OMNI_ADMIN_TOKEN: ADMIN_TOKEN, OMNI_WRITE_KEY: WRITE_KEY });
      servers.push(writer);
      // PostgreSQL: subscribers on a second process. PGlite is one process by design.
      const reader = backend === 'postgres' ? await startServer({ ...env, OMNI_ADMIN_TOKEN: ADMIN_TOKEN, OMNI_WRITE_KEY: WRITE_KEY, OMNI_WORKERS: 'false' }) : writer;
      if (reader !== writer) servers.push(reader);
      const port = writer.port;
      const [source] = (await must<{ data: { id: string }[] }>(port, 'GET', '/api/v1/sources')).data;
      const warehouse = (await must<{ id: string }>(port, 'POST', '/api/v1/locations', { name: 'Kho Bình Dương', kind: 'warehouse' })).id;
      await must(port, 'POST', '/api/v1/channels', { name: 'Website', type: 'web', sourceId: source!.id, locationIds: [warehouse] });
      const sku = 'BENCH-SYNC';
      await must(port, 'POST', '/api/v1/products', { title: 'Bình giữ nhiệt', variants: [{ sku, price: 250_000 }] });
      await must(port, 'POST', '/api/v1/inventory/adjustments', { sku, locationId: warehouse, count: 1_000_000, reason: 'stock_take' });

      const tokens: string[] = [];
      for (let i = 0; i < opts.customers; i++) tokens.push((await must<{ secret: string }>(port, 'POST', '/api/v1/customer-tokens', { userId: `sync-${i}` })).secret);
      const streams = await Promise.all(tokens.map((t) => watch(reader.port, t)));

      const change = async (c: number, v: number, into: { event: number[]; write: number[]; afterAck: number[] }) => {
        const t0 = performance.now();
        const res = await request({
          port,
          method: 'POST',
          path: '/store/v1/cart/lines',
          headers: { 'x-omni-write-key': WRITE_KEY, 'x-omni-customer-token': tokens[c]!, 'content-type': 'application/json' },
          body: JSON.stringify({ sku, quantity: 1, version: v - 1 }),
        });
        const acked = performance.now();
        if (res.status !== 200) throw new Error(`write → ${res.status} ${res.body}`);
        const seen = await streams[c]!.wait(v);
        into.write.push(acked - t0);
        into.event.push(seen - t0);
        // The event can arrive before the write's own response (NOTIFY is delivered at commit).
        into.afterAck.push(Math.max(seen - acked, 0));
      };
      const sorted = (x: { event: number[]; write: number[]; afterAck: number[] }) => {
        for (const list of Object.values(x)) list.sort((a, b) => a - b);
        return x;
      };

      // One device changes the cart while another watches: changes one after another.
      const quiet = { event: [] as number[], write: [] as number[], afterAck: [] as number[] };
      const quietChanges = Math.min(opts.changesPerCustomer, 20);
      for (let c = 0; c < tokens.length; c++) for (let v = 1; v <= quietChanges; v++) await change(c, v, quiet);
      sorted(quiet);

      // Every customer changes their cart at once.
      const busy = { event: [] as number[], write: [] as number[], afterAck: [] as number[] };
      const start = performance.now();
      await Promise.all(tokens.map(async (_t, c) => {
        for (let v = quietChanges + 1; v <= quietChanges + opts.changesPerCustomer; v++) await change(c, v, busy);
      }));
      const seconds = (performance.now() - start) / 1000;
      sorted(busy);
      for (const s of streams) s.close();
      const pp = (list: number[], d = 1) => `${fmt(percentile(list, 50), d)} / ${fmt(percentile(list, 99), d)}`;
      console.log(`\n## ${backend}${backend === 'postgres' ? ' (write on one process, subscriber on another)' : ' (one process)'}`);
      console.log('| measure | one change at a time | all customers at once |');
      console.log('|---|---:|---:|');
      console.log(`| cart changes/s | ${fmt(quiet.event.length / quiet.event.reduce((n, x) => n + x, 0) * 1000)} | ${fmt(busy.event.length / seconds)} |`);
      console.log(`| write sent → event on the other connection, p50 / p99 ms | ${pp(quiet.event)} | ${pp(busy.event)} |`);
      console.log(`| the write alone (until its response), p50 / p99 ms | ${pp(quiet.write)} | ${pp(busy.write)} |`);
      console.log(`| write acknowledged → event, p50 / p99 ms | ${pp(quiet.afterAck)} | ${pp(busy.afterAck)} |`);
      if (backend === 'postgres') {
        const raw = await rawNotify(url, 500);
        console.log(`| raw limit: bare NOTIFY → LISTEN round trip, p50 / p99 ms | ${fmt(percentile(raw, 50), 2)} / ${fmt(percentile(raw, 99), 2)} | |`);
      }
    } finally {
      for (const s of servers.reverse()) await s.stop();
      await cleanup();
    }
  }
}
