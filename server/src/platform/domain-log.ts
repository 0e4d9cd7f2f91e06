/**
 * The durable, ordered domain event log. Writers append inside their own transaction, so a
 * log entry exists exactly when the change it describes is committed. Readers (segments,
 * journeys, inbox, analytics …) each keep a cursor and receive every entry at least once, in
 * (tx, id) order, across restarts and across processes.
 *
 * Ordering: ids are taken at insert time but transactions commit in any order, so "id > cursor"
 * could skip a row that commits late. Each row carries its transaction id (`tx`); a reader only
 * takes rows whose transaction is older than the oldest one still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`), and orders by (tx, id). Nothing can then appear
 * behind its cursor.
 *
 * One bad entry must not stop a consumer (and with it every workspace): an entry its handler
 * throws on becomes a dead letter (dead-letters.ts), retried on its own with backoff and parked
 * after the consumer's maximum of attempts, while the cursor moves on.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { firstRow, notify, rows, toDate, type Database, type Executor } from '../db/client';
import {
  DEFAULT_RETRY_POLICY,
  deleteDeadLetter,
  errorText,
  lockDueRetries,
  recordFirstFailure,
  redactDeadLetterErrors,
  recordRetryFailure,
  type RetryPolicy,
} from './dead-letters';
import { personalRedactor, type Redactor } from './redact';

export const DOMAIN_LOG_CHANNEL = 'omni_domain_log';

export interface DomainEventInput {
  workspaceId: string;
  type: string;
  profileId?: string | null;
  ref?: string | null;
  data?: Record<string, unknown>;
}

export interface DomainEvent {
  id: number;
  tx: string;
  workspaceId: string;
  type: string;
  profileId: string | null;
  ref: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface LogPosition {
  tx: string;
  id: number;
}

export const LOG_START: LogPosition = { tx: '0', id: 0 };

/** Append entries in the caller's transaction (one statement for any number of entries). */
export async function appendDomainEvents(ex: Executor, entries: DomainEventInput[]): Promise<void> {
  const insert = appendDomainEventsSql(entries);
  if (!insert) return;
  await ex.execute(insert);
  await notify(ex, DOMAIN_LOG_CHANNEL, '');
}

/** The INSERT of appendDomainEvents, for batched transactions; follow it with DOMAIN_LOG_NOTIFY. */
export function appendDomainEventsSql(entries: DomainEventInput[]): SQL | null {
  if (entries.length === 0) return null;
  const payload = JSON.stringify(
    entries.map((e) => ({ w: e.workspaceId, t: e.type, p: e.profileId ?? null, r: e.ref ?? null, d: e.data ?? {} })),
  );
  return sql`
    INSERT INTO domain_events (workspace_id, type, profile_id, ref, data)
    SELECT x.w, x.t, x.p, x.r, x.d FROM json_to_recordset(${payload}::json) AS x(w text, t text, p text, r text, d jsonb)`;
}

// ---------------------------------------------------------------------------------------------
// Erasure

/**
 * Entries name a person only by profile id — in `profile_id`, in `data.profileIds` or in
 * `data.events[].profileId` — and never copy identifier values in; a message id travels only in
 * an object that names its person (`events.ingested` items, `profile.merged`). Erasure depends on
 * this, so a new entry type follows it. Both lists are searched in one JSON path, so an entry is
 * detoasted once (lax mode: an entry whose `events` is not a list simply does not match).
 */
const NAMING_PATH = '$ ? (exists(@.events[*].profileId ? (@ == $p[*])) || exists(@.profileIds[*] ? (@ == $p[*])))';

const namingFilter = (profileIds: string[]): SQL => {
  const list = JSON.stringify(profileIds);
  return sql`(d.profile_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${list}::jsonb)))
      OR jsonb_path_exists(d.data, ${NAMING_PATH}::jsonpath, jsonb_build_object('p', ${list}::jsonb)))`;
};

export interface LogMentions {
  /** Entries of the workspace that name one of the profiles. */
  ids: number[];
  /**
   * Every entry this search could not see belongs to a transaction at or after this one: search
   * again with `since` to catch what committed meanwhile, without reading the log again.
   */
  horizon: string;
}

/**
 * Find the entries naming these profiles. A search of the whole workspace's log (per million
 * logged events, about 0.35 s of PostgreSQL CPU, 1.4 s on PGlite), so erasure runs it before
 * taking its locks and then, under them, again `since` that first search's horizon, which reads
 * only what committed in between.
 */
export async function findDomainEventsNaming(
  ex: Executor,
  opts: { workspaceId: string; profileIds: string[]; since?: string },
): Promise<LogMentions> {
  if (opts.profileIds.length === 0) return { ids: [], horizon: '0' };
  const recent = opts.since === undefined ? sql`` : sql`AND d.tx >= ${opts.since}::xid8`;
  const found = await firstRow<{ horizon: string; ids: (number | string)[] }>(
    ex,
    sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,
               coalesce((SELECT json_agg(d.id ORDER BY d.id) FROM domain_events d
                         WHERE d.workspace_id = ${opts.workspaceId} ${recent} AND ${namingFilter(opts.profileIds)}), '[]'::json) AS ids`,
  );
  return { ids: (found?.ids ?? []).map(Number), horizon: found?.horizon ?? '0' };
}

/**
 * Scrub these entries of a person: `profile_id` naming them becomes null; in `data`, their
 * profile ids become null, the message id of any object naming them and any string containing
 * one of their values (`redactor`) become `"erased"`. Types, counts and everyone else's items
 * stay, so consumers' history remains coherent; entries are updated, not deleted (readers go
 * by (tx, id)). A dead letter's error on one of them loses the same. Returns how many entries
 * changed.
 */
export async function scrubDomainEvents(
  ex: Executor,
  opts: { workspaceId: string; ids: number[]; profileIds: string[]; redactor: Redactor },
): Promise<number> {
  const profileIds = new Set(opts.profileIds);
  const ids = [...new Set(opts.ids)].sort((a, b) => a - b);
  let changed = 0;
  // A few entries at a time: an ingest entry can list up to a flush of events (about 1 MB).
  for (let i = 0; i < ids.length; i += 20) {
    const chunk = ids.slice(i, i + 20);
    const found = await rows<{ id: number | string; profile_id: string | null; data: Record<string, unknown> }>(
      ex,
      sql`SELECT id, profile_id, data FROM domain_events
          WHERE workspace_id = ${opts.workspaceId} AND id = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(chunk)}::jsonb)::bigint))`,
    );
    const updates = found.map((r) => ({
      id: Number(r.id),
      p: r.profile_id !== null && profileIds.has(r.profile_id) ? null : r.profile_id,
      d: scrubEntryData(r.data, { profileIds, redactor: opts.redactor }),
    }));
    if (updates.length === 0) continue;
    await ex.execute(sql`
      UPDATE domain_events d SET profile_id = x.p, data = x.d
      FROM json_to_recordset(${JSON.stringify(updates)}::json) AS x(id bigint, p text, d jsonb)
      WHERE d.workspace_id = ${opts.workspaceId} AND d.id = x.id`);
    changed += updates.length;
  }
  // A consumer's error on such an entry may quote it.
  const ofIds = personalRedactor(opts.profileIds);
  await redactDeadLetterErrors(ex, { workspaceId: opts.workspaceId, entryIds: ids, redact: (text) => opts.redactor.redact(ofIds.redact(text)) });
  return changed;
}

const ERASED = 'erased';

/** The pure part of scrubDomainEvents: a copy of `data` without the person. */
export function scrubEntryData<T>(data: T, opts: { profileIds: ReadonlySet<string>; redactor: Redactor }): T {
  const walk = (node: unknown, aboutThem: boolean): unknown => {
    if (typeof node === 'string') {
      if (opts.profileIds.has(node)) return null;
      return opts.redactor.mentions(node) ? ERASED : node;
    }
    if (Array.isArray(node)) return node.map((v) => walk(v, aboutThem));
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node as Record<string, unknown>);
    const names = aboutThem || entries.some(([, v]) => typeof v === 'string' && opts.profileIds.has(v));
    return Object.fromEntries(entries.map(([k, v]) => [k, names && k === 'messageId' && typeof v === 'string' ? ERASED : walk(v, names)]));
  };
  return walk(data, false) as T;
}

/** Wakes log consumers at commit. */
export const DOMAIN_LOG_NOTIFY: SQL = sql`SELECT pg_notify(${DOMAIN_LOG_CHANNEL}, '')`;

interface RawEntry {
  id: number;
  tx: string;
  workspace_id: string;
  type: string;
  profile_id: string | null;
  ref: string | null;
  data: Record<string, unknown>;
  created_at: Date | string;
}

function toEntry(r: RawEntry): DomainEvent {
  return {
    id: r.id,
    tx: String(r.tx),
    workspaceId: r.workspace_id,
    type: r.type,
    profileId: r.profile_id,
    ref: r.ref,
    data: r.data,
    createdAt: toDate(r.created_at),
  };
}

/** Has this workspace's log an entry of this type (markers such as demo.seeded)? */
export async function hasDomainEvent(ex: Executor, workspaceId: string, type: string): Promise<boolean> {
  const r = await firstRow<{ found: boolean }>(ex, sql`SELECT EXISTS (SELECT 1 FROM domain_events WHERE workspace_id = ${workspaceId} AND type = ${type}) AS found`);
  return r?.found ?? false;
}

/** The newest entry of this type in a workspace's log (markers that carry data), if any. */
export async function latestDomainEvent(ex: Executor, workspaceId: string, type: string): Promise<DomainEvent | undefined> {
  const r = await firstRow<RawEntry>(
    ex,
    sql`SELECT id, tx::text AS tx, workspace_id, type, profile_id, ref, data, created_at FROM domain_events
        WHERE workspace_id = ${workspaceId} AND type = ${type} ORDER BY id DESC LIMIT 1`,
  );
  return r && toEntry(r);
}

/** Entries after `after`, visible to every future reader too (no late commits can precede them). */
export async function readDomainEvents(
  ex: Executor,
  opts: { after: LogPosition; limit: number; workspaceId?: string },
): Promise<DomainEvent[]> {
  const ws = opts.workspaceId ? sql`AND workspace_id = ${opts.workspaceId}` : sql``;
  const found = await rows<RawEntry>(
    ex,
    // ORDER BY names the table's columns: the output alias `tx` is text, and "1008" < "777" as text.
    sql`SELECT d.id, d.tx::text AS tx, d.workspace_id, d.type, d.profile_id, d.ref, d.data, d.created_at
        FROM domain_events d
        WHERE (d.tx, d.id) > (${opts.after.tx}::xid8, ${opts.after.id}::bigint)
          AND d.tx < pg_snapshot_xmin(pg_current_snapshot())
          ${ws}
        ORDER BY d.tx, d.id
        LIMIT ${opts.limit}`,
  );
  return found.map(toEntry);
}

/** Entries by id (a consumer's dead letters), in (tx, id) order. */
async function readDomainEventsByIds(ex: Executor, ids: number[]): Promise<DomainEvent[]> {
  if (ids.length === 0) return [];
  const found = await rows<RawEntry>(
    ex,
    sql`SELECT d.id, d.tx::text AS tx, d.workspace_id, d.type, d.profile_id, d.ref, d.data, d.created_at
        FROM domain_events d WHERE d.id = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint))
        ORDER BY d.tx, d.id`,
  );
  return found.map(toEntry);
}

export interface ConsumerOptions {
  db: Database;
  log: FastifyBaseLogger;
  /** Stable name: the cursor is stored under it. */
  name: string;
  batchSize?: number;
  /** Poll interval when no notification arrives (ms). */
  pollMs?: number;
  /** How an entry the handler throws on is retried before it is parked (default: 8 runs over about 8 minutes). */
  retry?: Partial<RetryPolicy>;
  /**
   * Handle a batch. Runs in the transaction that advances the cursor (inside a savepoint), so
   * effects written through `tx` happen exactly once; side effects outside the database happen
   * at least once. If it throws, its effects are rolled back and the batch is handled again one
   * entry at a time, each in its own savepoint: the entries that throw become dead letters.
   *
   * Order: entries are handled in log order, except that an entry that threw is retried later,
   * after entries that follow it (of every workspace, its own included), and a parked one only
   * when an operator retries it. A handler whose effect depends on an earlier entry must allow
   * for that (the consumers so far recompute from current state, so they do).
   */
  handle: (tx: Executor, entries: DomainEvent[]) => Promise<void>;
}

export interface Consumer {
  /** Process everything available now; resolves with the number of entries handled. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Start a consumer: wakes on NOTIFY (and polls as a fallback), reads from its cursor, and
 * handles batches. Across processes only one instance of a consumer works at a time: the
 * cursor row is locked with SKIP LOCKED for the duration of a batch.
 */
export async function startConsumer(opts: ConsumerOptions): Promise<Consumer> {
  const { db, name } = opts;
  const batchSize = opts.batchSize ?? 500;
  await db.orm.execute(sql`INSERT INTO log_cursors (consumer) VALUES (${name}) ON CONFLICT (consumer) DO NOTHING`);

  let stopped = false;
  let running: Promise<number> | undefined;
  let again = false;

  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };

  /** Run the handler in a savepoint: its effects stay only if it returns. */
  async function attempt(tx: Executor, entries: DomainEvent[]): Promise<unknown> {
    try {
      await tx.transaction((sp) => opts.handle(sp, entries));
      return undefined;
    } catch (err) {
      return err ?? new Error('handler threw');
    }
  }

  /** The batch in one savepoint; if it throws, each entry in its own, the ones that throw set aside. */
  async function handleBatch(tx: Executor, entries: DomainEvent[]): Promise<void> {
    const batchErr = await attempt(tx, entries);
    if (batchErr === undefined) return;
    for (const entry of entries) {
      const err = entries.length === 1 ? batchErr : await attempt(tx, [entry]);
      if (err === undefined) continue;
      opts.log.warn({ err, consumer: name, entryId: entry.id, workspaceId: entry.workspaceId }, 'domain log entry failed; will retry it on its own');
      await recordFirstFailure(tx, {
        workspaceId: entry.workspaceId, consumer: name, entryId: entry.id, entryType: entry.type, error: errorText(err), policy,
      });
    }
  }

  /** Entries set aside whose wait is over: handled at last (the dead letter goes) or failed once more. */
  async function retryDue(tx: Executor): Promise<number> {
    const due = await lockDueRetries(tx, name, batchSize);
    if (due.length === 0) return 0;
    const entries = new Map((await readDomainEventsByIds(tx, due.map((d) => d.entryId))).map((e) => [e.id, e]));
    let handled = 0;
    for (const letter of due) {
      const entry = entries.get(letter.entryId);
      const err = entry ? await attempt(tx, [entry]) : undefined; // an entry no longer in the log has nothing to do
      if (err === undefined) {
        await deleteDeadLetter(tx, letter.workspaceId, letter.id);
        handled++;
        continue;
      }
      const parked = letter.attempts + 1 >= policy.maxAttempts;
      opts.log.warn({ err, consumer: name, entryId: letter.entryId, workspaceId: letter.workspaceId, attempts: letter.attempts + 1 }, parked ? 'domain log entry parked after its last attempt' : 'domain log entry failed again');
      await recordRetryFailure(tx, letter, errorText(err), policy);
    }
    return handled;
  }

  async function step(): Promise<number> {
    return db.orm.transaction(async (tx) => {
      const cursor = await firstRow<{ tx: string; position: number }>(
        tx,
        sql`SELECT tx::text AS tx, position FROM log_cursors WHERE consumer = ${name} FOR UPDATE SKIP LOCKED`,
      );
      if (!cursor) return 0; // another process holds this consumer
      const entries = await readDomainEvents(tx, { after: { tx: cursor.tx, id: cursor.position }, limit: batchSize });
      if (entries.length > 0) {
        await handleBatch(tx, entries);
        const last = entries[entries.length - 1]!;
        await tx.execute(
          sql`UPDATE log_cursors SET tx = ${last.tx}::xid8, position = ${last.id}, updated_at = now() WHERE consumer = ${name}`,
        );
      }
      await retryDue(tx);
      return entries.length;
    });
  }

  async function drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < batchSize) return total;
    }
  }

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          total += await drainOnce();
        } while (again && !stopped);
      } catch (err) {
        opts.log.error({ err, consumer: name }, 'domain log consumer failed; will retry');
      } finally {
        running = undefined;
      }
      return total;
    })();
    return running;
  }

  const unlisten = await db.listen(DOMAIN_LOG_CHANNEL, () => {
    if (!stopped) void drain();
  });
  const timer = setInterval(() => {
    if (!stopped) void drain();
  }, opts.pollMs ?? 1000);
  timer.unref();
  void drain();

  return {
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten();
      await running;
    },
  };
}
