/**
 * Dead letters: domain log entries a consumer's handler threw on (see `startConsumer` in
 * domain-log.ts). The only file with SQL for `dead_letters`. Each row is retried with
 * exponential backoff and, after the consumer's maximum of attempts, parked until an operator
 * retries or discards it.
 */
import { sql } from 'drizzle-orm';
import { firstRow, rows, timeKey, toDate, type Executor } from '../db/client';
import { decodeCursor, encodeCursor } from './cursor';
import { newId } from './ids';

export const DEAD_LETTER_STATUSES = ['retrying', 'parked'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface DeadLetter {
  id: string;
  workspaceId: string;
  consumer: string;
  entryId: number;
  entryType: string;
  status: DeadLetterStatus;
  /** Handler runs that threw on it. */
  attempts: number;
  /** The last error's message. */
  error: string;
  firstFailedAt: string;
  lastFailedAt: string;
  nextAttemptAt: string | null;
}

/** How a consumer retries an entry its handler threw on. */
export interface RetryPolicy {
  /** Runs (the first included) before the entry is parked. */
  maxAttempts: number;
  /** Wait after the first failure; doubled after each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 8 runs over about 8 minutes (2 s, 4 s … 256 s between them), then parked. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 2000, maxDelayMs: 10 * 60_000 };

/** The wait before the next run after `attempts` failed ones. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

const MAX_ERROR_LENGTH = 2000;

/** An error as kept on a dead letter: its message, cut to a readable length. */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message;
}

interface Row {
  id: string;
  workspace_id: string;
  consumer: string;
  entry_id: number;
  entry_type: string;
  status: DeadLetterStatus;
  attempts: number;
  error: string;
  first_failed_at: Date | string;
  last_failed_at: Date | string;
  next_attempt_at: Date | string | null;
}

const COLUMNS = sql.raw('id, workspace_id, consumer, entry_id, entry_type, status, attempts, error, first_failed_at, last_failed_at, next_attempt_at');

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    consumer: r.consumer,
    entryId: Number(r.entry_id),
    entryType: r.entry_type,
    status: r.status,
    attempts: r.attempts,
    error: r.error,
    firstFailedAt: toDate(r.first_failed_at).toISOString(),
    lastFailedAt: toDate(r.last_failed_at).toISOString(),
    nextAttemptAt: r.next_attempt_at === null ? null : toDate(r.next_attempt_at).toISOString(),
  };
}

/**
 * The first failure of an entry: retrying after the first backoff (or parked at once when the
 * policy allows one run). In the consumer's transaction, so it exists exactly when the cursor
 * has moved past the entry.
 */
export async function recordFirstFailure(
  ex: Executor,
  input: { workspaceId: string; consumer: string; entryId: number; entryType: string; error: string; policy: RetryPolicy },
): Promise<void> {
  const parked = input.policy.maxAttempts <= 1;
  const next = parked ? null : new Date(Date.now() + backoffMs(input.policy, 1)).toISOString();
  await ex.execute(sql`
    INSERT INTO dead_letters (workspace_id, id, consumer, entry_id, entry_type, status, attempts, error, next_attempt_at)
    VALUES (${input.workspaceId}, ${newId('dlq')}, ${input.consumer}, ${input.entryId}, ${input.entryType},
            ${parked ? 'parked' : 'retrying'}, 1, ${input.error}, ${next}::timestamptz)
    ON CONFLICT (consumer, entry_id) DO NOTHING`);
}

/** Retrying entries of a consumer that are due, locked for this run (another process skips them). */
export async function lockDueRetries(ex: Executor, consumer: string, limit: number): Promise<DeadLetter[]> {
  const found = await rows<Row>(
    ex,
    sql`SELECT ${COLUMNS} FROM dead_letters
        WHERE consumer = ${consumer} AND status = 'retrying' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, entry_id LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`,
  );
  return found.map(toDeadLetter);
}

/** Another failed run: retried after a longer wait, or parked once the policy's runs are spent. */
export async function recordRetryFailure(ex: Executor, letter: DeadLetter, error: string, policy: RetryPolicy): Promise<void> {
  const attempts = letter.attempts + 1;
  const parked = attempts >= policy.maxAttempts;
  const next = parked ? null : new Date(Date.now() + backoffMs(policy, attempts)).toISOString();
  await ex.execute(sql`
    UPDATE dead_letters SET attempts = ${attempts}, error = ${error}, last_failed_at = now(),
           status = ${parked ? 'parked' : 'retrying'}, next_attempt_at = ${next}::timestamptz
    WHERE workspace_id = ${letter.workspaceId} AND id = ${letter.id}`);
}

/** Handled at last, or discarded by an operator. */
/** Erasure: the errors kept on these entries' dead letters, with the person taken out (`redact`). */
export async function redactDeadLetterErrors(ex: Executor, opts: { workspaceId: string; entryIds: number[]; redact: (text: string) => string }): Promise<void> {
  if (opts.entryIds.length === 0) return;
  const found = await rows<{ id: string; error: string }>(
    ex,
    sql`SELECT id, error FROM dead_letters
        WHERE workspace_id = ${opts.workspaceId} AND entry_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(opts.entryIds)}::jsonb)::bigint))`,
  );
  const changed = found.map((r) => ({ id: r.id, error: opts.redact(r.error) })).filter((r, i) => r.error !== found[i]!.error);
  if (changed.length === 0) return;
  await ex.execute(sql`
    UPDATE dead_letters d SET error = x.error
    FROM json_to_recordset(${JSON.stringify(changed)}::json) AS x(id text, error text)
    WHERE d.workspace_id = ${opts.workspaceId} AND d.id = x.id`);
}

export async function deleteDeadLetter(ex: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await rows<{ id: string }>(ex, sql`DELETE FROM dead_letters WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`);
  return r.length > 0;
}

/** An operator's retry: due now, for one more run (a failure parks it again once its runs are spent). */
export async function requeueDeadLetter(ex: Executor, workspaceId: string, id: string): Promise<DeadLetter | undefined> {
  const r = await firstRow<Row>(
    ex,
    sql`UPDATE dead_letters SET status = 'retrying', next_attempt_at = now()
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${COLUMNS}`,
  );
  return r && toDeadLetter(r);
}

/** A workspace's dead letters, most recently failed first. */
export async function listDeadLetters(
  ex: Executor,
  opts: { workspaceId: string; consumer?: string; status?: DeadLetterStatus; limit: number; cursor?: string },
): Promise<{ data: DeadLetter[]; nextCursor: string | null }> {
  const before = opts.cursor ? decodeCursor(opts.cursor, { at: 'timestamp', id: 'text' }) : undefined;
  const found = await rows<Row>(
    ex,
    sql`SELECT ${COLUMNS} FROM dead_letters
        WHERE workspace_id = ${opts.workspaceId}
          ${opts.consumer ? sql`AND consumer = ${opts.consumer}` : sql``}
          ${opts.status ? sql`AND status = ${opts.status}` : sql``}
          ${before ? sql`AND (last_failed_at, id) < (${before.at}::timestamptz, ${before.id})` : sql``}
        ORDER BY last_failed_at DESC, id DESC LIMIT ${opts.limit + 1}`,
  );
  const page = found.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(toDeadLetter),
    nextCursor: found.length > opts.limit && last ? encodeCursor({ at: timeKey(last.last_failed_at), id: last.id }) : null,
  };
}
