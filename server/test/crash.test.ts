/**
 * Crash safety of the real server process: a 2xx from /v1/batch means committed, so after
 * `kill -9` mid-ingest and a restart every acknowledged event is stored exactly once (with its
 * domain log entry), and retried batches are deduplicated by messageId.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, rows } from '../src/db/client';
import { ADMIN_PG_URL } from './global-setup';
import { basicAuth, copyPgliteTemplate, DB_KIND } from './helpers';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_TOKEN = 'crash-test-admin-token-0123456789';
const WRITE_KEY = 'crash-test-write-key';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Where a test's server keeps its data: a fresh PostgreSQL database or a fresh PGlite dir. */
interface Store {
  env: Record<string, string>;
  dataDir: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

async function createStore(): Promise<Store> {
  if (DB_KIND === 'pglite') {
    const dataDir = copyPgliteTemplate();
    return { env: { DATA_DIR: dataDir }, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-crash-'));
  const name = `omni_crash_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), DATA_DIR: dataDir },
    dataDir,
    databaseUrl: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Processes still running (with their exit), and stores to drop, after each test. */
const running = new Map<ChildProcess, Promise<unknown>>();
const stores: Store[] = [];
afterEach(async () => {
  for (const child of running.keys()) child.kill('SIGKILL');
  await Promise.all(running.values());
  await Promise.all(stores.splice(0).map((s) => s.drop()));
});

/** The promise's value, or undefined if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function spawnServer(store: Store): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...store.env,
      PORT: String(port),
      OMNI_ADMIN_TOKEN: ADMIN_TOKEN,
      OMNI_WRITE_KEY: WRITE_KEY,
      // The test counts the events it sent: no demo data.
      OMNI_DEMO: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  running.set(child, exited);
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Resolves once /health answers 200; throws if the process exits first or never gets there. */
async function waitHealthy(p: ServerProcess): Promise<void> {
  let exit: { code: number | null } | undefined;
  void p.exited.then((e) => (exit = e));
  for (let i = 0; i < 600; i++) {
    if (exit) throw new Error(`server exited with ${exit.code} before it was healthy:\n${p.output()}`);
    const res = await fetch(`${p.url}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (res?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`server not healthy after 60 s:\n${p.output()}`);
}

interface BatchEvent {
  type: string;
  messageId: string;
  userId: string;
  [key: string]: unknown;
}

function makeBatch(client: number, seq: number, size: number): BatchEvent[] {
  return Array.from({ length: size }, (_, i) => {
    const userId = `u-${client}-${(seq + i) % 7}`;
    const messageId = `crash-${client}-${seq}-${i}`;
    return i % 5 === 0
      ? { type: 'identify', messageId, userId, anonymousId: `a-${client}-${seq}`, traits: { email: `${userId}@example.com` } }
      : { type: 'track', messageId, userId, event: 'Load Test', properties: { seq, i } };
  });
}

async function postBatch(url: string, batch: BatchEvent[]): Promise<Response> {
  return fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { ...basicAuth(WRITE_KEY), 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
    signal: AbortSignal.timeout(15_000),
  });
}

/** Per stored message id: how many events rows, and how many times the domain log lists it. */
async function storedCounts(store: Store): Promise<Map<string, { events: number; logged: number }>> {
  const db = await openDb(store.databaseUrl ? { databaseUrl: store.databaseUrl, dataDir: store.dataDir, poolSize: 1 } : { dataDir: store.dataDir });
  try {
    const events = await rows<{ message_id: string; n: number }>(db.orm, sql`SELECT message_id, count(*)::int AS n FROM events GROUP BY message_id`);
    const logged = await rows<{ message_id: string; n: number }>(
      db.orm,
      sql`SELECT x.e->>'messageId' AS message_id, count(*)::int AS n
          FROM domain_events d CROSS JOIN LATERAL jsonb_array_elements(d.data->'events') AS x(e)
          WHERE d.type = 'events.ingested' GROUP BY 1`,
    );
    const counts = new Map(events.map((r) => [r.message_id, { events: r.n, logged: 0 }]));
    for (const r of logged) {
      const c = counts.get(r.message_id);
      if (c) c.logged = r.n;
      else counts.set(r.message_id, { events: 0, logged: r.n });
    }
    return counts;
  } finally {
    await db.close();
  }
}

describe('server process (node src/main.ts)', () => {
  describe('when it is killed with SIGKILL in the middle of ingestion', () => {
    it('keeps every acknowledged event exactly once after a restart, and deduplicates retried batches', async () => {
      const store = await createStore();
      stores.push(store);
      const first = await spawnServer(store);
      await waitHealthy(first);

      const acked = new Set<string>();
      const failed: BatchEvent[][] = [];
      let inFlight = 0;
      let stop = false;
      const clients = Array.from({ length: 6 }, async (_, c) => {
        for (let seq = 0; seq < 2000 && !stop; seq++) {
          const batch = makeBatch(c, seq, 20);
          let answer: { status: number; body: unknown } | undefined;
          inFlight++;
          try {
            const res = await postBatch(first.url, batch);
            answer = { status: res.status, body: await res.json() };
          } catch {
            // Connection reset or refused: no answer, so not acknowledged.
          } finally {
            inFlight--;
          }
          if (answer && answer.status >= 200 && answer.status < 300) {
            expect(answer.body).toMatchObject({ accepted: batch.length, duplicates: 0 });
            for (const e of batch) acked.add(e.messageId);
          } else failed.push(batch);
        }
      });

      for (let i = 0; i < 600 && acked.size < 600; i++) await sleep(100);
      expect(acked.size, 'the server acknowledged too little before the kill').toBeGreaterThanOrEqual(600);
      stop = true; // no new requests; the ones in flight are cut off by the kill
      const inFlightAtKill = inFlight;
      first.child.kill('SIGKILL');
      const killed = await first.exited;
      await Promise.all(clients);
      expect(killed.signal).toBe('SIGKILL');
      expect(inFlightAtKill).toBeGreaterThan(0);
      expect(failed.length).toBeGreaterThan(0);
      if (DB_KIND === 'pglite') {
        // The dead process's lockfile is still there; the restart must take it over.
        expect(fs.readFileSync(path.join(store.dataDir, 'omni.lock'), 'utf8').trim()).toBe(String(first.child.pid));
      }

      const second = await spawnServer(store);
      await waitHealthy(second);
      // Clients retry what got no answer: stored once, whether or not it was committed before the kill.
      for (const batch of failed) {
        const res = await postBatch(second.url, batch);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
        expect(body.accepted + body.duplicates).toBe(batch.length);
        expect(body.rejected).toEqual([]);
        for (const e of batch) acked.add(e.messageId);
      }
      second.child.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });

      const stored = await storedCounts(store);
      const missing = [...acked].filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      const notOnce = [...stored].filter(([, n]) => n.events !== 1 || n.logged !== 1);
      expect(notOnce).toEqual([]);
      // Nothing but what clients sent: every stored id was sent, and all sent batches were retried to completion.
      expect(stored.size).toBe(acked.size);
    }, 180_000);
  });

  describe('when a second process opens the same PGlite DATA_DIR', () => {
    // PostgreSQL is shared by many processes by design; the lock exists only for embedded PGlite.
    it.skipIf(DB_KIND !== 'pglite')('exits non-zero with a message naming the lock holder, and the first keeps serving', async () => {
      const store = await createStore();
      stores.push(store);
      const first = await spawnServer(store);
      await waitHealthy(first);

      const second = await spawnServer(store);
      const exit = await within(second.exited, 60_000);
      expect(exit, `the second process did not exit:\n${second.output()}`).toBeDefined();
      expect(exit?.code).not.toBe(0);
      expect(exit?.code).not.toBeNull();
      expect(second.output()).toContain(`DATA_DIR ${store.dataDir} is in use by another Omni process (pid ${first.child.pid})`);

      const res = await postBatch(first.url, makeBatch(0, 0, 3));
      expect(res.status).toBe(200);
      first.child.kill('SIGTERM');
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(fs.existsSync(path.join(store.dataDir, 'omni.lock'))).toBe(false);
    }, 120_000);
  });
});
