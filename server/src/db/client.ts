/**
 * The database: PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite in DATA_DIR.
 * One Drizzle instance over either, with the same row shapes on both (int8 → number).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { acquireDataDirLock, type DataDirLock } from './lockfile';

export type Orm = PgDatabase<PgQueryResultHKT>;
export type Tx = PgTransaction<PgQueryResultHKT, Record<string, never>, ExtractTablesWithRelations<Record<string, never>>>;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Orm | Tx;

export type DbKind = 'pglite' | 'postgres';

export interface Database {
  kind: DbKind;
  orm: Orm;
  /**
   * Run fn on one dedicated connection while holding a cluster-wide advisory lock on `key`
   * (PostgreSQL); PGlite has a single connection already.
   */
  withExclusiveConnection<T>(key: number, fn: (orm: Orm) => Promise<T>): Promise<T>;
  /** Subscribe to NOTIFY on a channel; returns an unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Run a query and return its rows (the same shape on PGlite and node-postgres). */
export async function rows<T>(ex: Executor, query: SQL): Promise<T[]> {
  const result = (await ex.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export async function firstRow<T>(ex: Executor, query: SQL): Promise<T | undefined> {
  return (await rows<T>(ex, query))[0];
}

export interface OpenDbOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** PGlite only: take the data-dir lockfile (default true). */
  lock?: boolean;
}

const INT8_OID = 20;

function parseInt8(value: string): number {
  return Number(value);
}

export async function openDb(options: OpenDbOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir, options.lock ?? true);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  };
  // Drizzle's node-postgres driver reads the global parsers, so int8 is set there too.
  pg.types.setTypeParser(INT8_OID, parseInt8);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client's connection error must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const client = await pool.connect();
  client.release();
  const orm = drizzlePg(pool) as unknown as Orm;

  // One LISTEN connection, shared; kept as a promise so concurrent first calls share it too.
  let listener: Promise<pg.Client> | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  function ensureListener(): Promise<pg.Client> {
    listener ??= (async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      c.on('notification', (msg) => {
        for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
      });
      try {
        await c.connect();
      } catch (err) {
        listener = undefined;
        throw err;
      }
      return c;
    })();
    return listener;
  }

  return {
    kind: 'postgres',
    orm,
    async withExclusiveConnection(key, fn) {
      const c = new pg.Client({ connectionString: url, types });
      c.on('error', () => {});
      await c.connect();
      try {
        await c.query('SELECT pg_advisory_lock($1)', [key]);
        return await fn(drizzlePg(c) as unknown as Orm);
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
        await c.end().catch(() => {});
      }
    },
    async listen(channel, onNotify) {
      const c = await ensureListener();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await c.query(`LISTEN ${quoteIdent(channel)}`);
      }
      set.add(onNotify);
      return async () => {
        set.delete(onNotify);
      };
    },
    async close() {
      const c = await listener?.catch(() => undefined);
      await c?.end().catch(() => {});
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string, lock: boolean): Promise<Database> {
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  let fileLock: DataDirLock | undefined;
  if (lock) fileLock = acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    client = new PGlite(dir, { parsers: { [INT8_OID]: parseInt8 } });
    await client.waitReady;
  } catch (err) {
    fileLock?.release();
    throw err;
  }
  const orm = drizzlePglite(client) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    withExclusiveConnection: (_key, fn) => fn(orm),
    async listen(channel, onNotify) {
      const unsub = await client.listen(channel, onNotify);
      return async () => unsub();
    },
    async close() {
      await client.close();
      fileLock?.release();
    },
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** NOTIFY inside the current transaction; delivered at commit, dropped on rollback. */
export async function notify(ex: Executor, channel: string, payload: string): Promise<void> {
  await ex.execute(sql`SELECT pg_notify(${channel}, ${payload})`);
}

/**
 * Timestamps from raw queries arrive as PostgreSQL text ("2026-01-02 03:04:05.678+00") through
 * Drizzle's drivers, or as Date; this returns a Date either way.
 */
export function toDate(v: Date | string): Date {
  if (v instanceof Date) return v;
  return new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

/** The exact database value of a timestamp, for keyset cursors (keeps microseconds). */
export function timeKey(v: Date | string): string {
  return v instanceof Date ? v.toISOString() : v;
}
