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
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
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
  /**
   * A transaction whose statements travel in batches: each `query` is one round trip however
   * many statements it carries, and `defer`red writes ride along with the next query or the
   * commit. For hot paths where round trips, not the database, set the pace.
   */
  batchTransaction<T>(fn: (tx: BatchTx) => Promise<T>): Promise<T>;
  /** Subscribe to NOTIFY on a channel; returns an unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Run a query and return its rows (the same shape on PGlite and node-postgres). */
export async function rows<T>(ex: Executor, query: SQL): Promise<T[]> {
  const result = (await ex.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * `= ANY(ARRAY(SELECT …))` over a JSON list of ids: an init-plan array the planner matches
 * against an index whatever the table size (a plain `IN (SELECT …)` or a join may turn into a
 * sequential scan plus hash join once the table grows). One parameter for any number of ids.
 */
export const anyOf = (list: string[]): SQL => sql`ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(list)}::jsonb)))`;

export async function firstRow<T>(ex: Executor, query: SQL): Promise<T | undefined> {
  return (await rows<T>(ex, query))[0];
}

export interface BatchTx {
  /** Send the deferred statements and these in one round trip; returns the rows of each of these. */
  query(...statements: SQL[]): Promise<Record<string, unknown>[][]>;
  /** Queue statements whose results are not needed; sent with the next query or the commit. */
  defer(...statements: (SQL | null | undefined)[]): void;
  /** Send the deferred statements, these, and the commit in one round trip; the last call. */
  commit(...statements: SQL[]): Promise<Record<string, unknown>[][]>;
}

const dialect = new PgDialect();

/**
 * A statement as text with its parameters written in as literals, for the simple query protocol
 * (which carries several statements per round trip but no parameters). Strings are quoted as
 * PostgreSQL's own escapeLiteral does, so the result does not depend on standard_conforming_strings.
 */
export function inlineSql(query: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as an SQL literal`);
    return `(${v})`;
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'bigint') return `(${v.toString()})`;
  const s = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
  const quoted = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/**
 * Runs batched scripts on one session. `exec` sends a script of `count` statements (plus any
 * transaction control) and returns one row list per statement, in order.
 */
async function runBatchTransaction<T>(
  exec: (script: string) => Promise<Record<string, unknown>[][]>,
  control: { begin: string; commit: string },
  fn: (tx: BatchTx) => Promise<T>,
): Promise<T> {
  let deferred: string[] = [];
  let begun = false;
  let committed = false;
  const send = async (statements: string[], commit: boolean): Promise<Record<string, unknown>[][]> => {
    if (committed) throw new Error('batch transaction already committed');
    const head = begun || !control.begin ? [] : [control.begin];
    const tail = commit && control.commit ? [control.commit] : [];
    if (deferred.length === 0 && statements.length === 0 && (commit ? !begun : true)) {
      committed = commit;
      return [];
    }
    const all = [...head, ...deferred, ...statements, ...tail];
    begun = true;
    committed = commit;
    deferred = [];
    const results = await exec(all.join(';\n'));
    return results.slice(results.length - tail.length - statements.length, results.length - tail.length);
  };
  const tx: BatchTx = {
    query: (...statements) => send(statements.map(inlineSql), false),
    defer(...statements) {
      for (const s of statements) if (s) deferred.push(inlineSql(s));
    },
    commit: (...statements) => send(statements.map(inlineSql), true),
  };
  const result = await fn(tx);
  if (!committed && (begun || deferred.length > 0)) await send([], true);
  return result;
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
    async batchTransaction(fn) {
      const client = await pool.connect();
      let begun = false;
      try {
        const exec = async (script: string) => {
          begun = true;
          const r = (await client.query(script)) as unknown as pg.QueryResult | pg.QueryResult[];
          return (Array.isArray(r) ? r : [r]).map((x) => x.rows as Record<string, unknown>[]);
        };
        const result = await runBatchTransaction(exec, { begin: 'BEGIN', commit: 'COMMIT' }, fn);
        client.release();
        return result;
      } catch (err) {
        // A failed script leaves the transaction aborted (or was the commit): roll back, and drop
        // the connection if even that fails.
        const ok = begun ? await client.query('ROLLBACK').then(() => true, () => false) : true;
        client.release(ok ? undefined : (err as Error));
        throw err;
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
    // PGlite's own transaction holds its single connection; the script needs no BEGIN/COMMIT.
    batchTransaction: (fn) =>
      client.transaction((t) =>
        runBatchTransaction(
          async (script) => (await t.exec(script)).map((r) => r.rows as Record<string, unknown>[]),
          { begin: '', commit: '' },
          fn,
        ),
      ),
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
