/** Shared benchmark plumbing: spawn a server, HTTP with keep-alive, percentiles, tables. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../server');
export const ADMIN_PG_URL = process.env.OMNI_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface RunningServer {
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string>, opts: { showLogs?: boolean; nodeArgs?: string[] } = {}): Promise<RunningServer> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', OMNI_DEMO: 'false', ...env },
    stdio: ['ignore', opts.showLogs ? 'inherit' : 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const res = await request({ port, method: 'GET', path: '/health' });
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGTERM'); // not left running after the benchmark gives up on it
      throw new Error('server did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

export function request(opts: {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: opts.port, method: opts.method, path: opts.path, headers: opts.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `omni_bench_${process.pid}_${Date.now()}`;
  const c = new pg.Client({ connectionString: ADMIN_PG_URL });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: ADMIN_PG_URL });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function basic(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** A fresh database for a benchmark run: a PostgreSQL database or an embedded data folder. */
export async function benchBackend(backend: 'postgres' | 'pglite', poolSize: number): Promise<{ env: Record<string, string>; url: string; cleanup(): Promise<void> }> {
  if (backend === 'postgres') {
    const db = await createDatabase();
    return { env: { DATABASE_URL: db.url, DATABASE_POOL_SIZE: String(poolSize) }, url: db.url, cleanup: db.drop };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-bench-'));
  return { env: { DATA_DIR: dataDir }, url: '', cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}
