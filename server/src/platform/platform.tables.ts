/**
 * Tables of the platform layer: the durable domain event log and its consumers' cursors.
 */
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz, xid8 } from '../db/columns';

/**
 * The domain event log. Append-only, ordered by (tx, id): `tx` is the writing transaction's id,
 * so a reader that only takes rows whose transaction is older than every running one
 * (`pg_snapshot_xmin`) never skips a row that commits late.
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tx: xid8('tx').notNull().default(sql`pg_current_xact_id()`),
    workspaceId: text('workspace_id').notNull(),
    type: text('type').notNull(),
    profileId: text('profile_id'),
    /** Id of the row the event is about (an ingested event id, a merge id …). */
    ref: text('ref'),
    data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('domain_events_tx_id').on(t.tx, t.id),
    index('domain_events_ws_id').on(t.workspaceId, t.id),
  ],
);

/** One row per consumer: the last (tx, id) it has handled. */
export const logCursors = pgTable('log_cursors', {
  consumer: text('consumer').primaryKey(),
  tx: xid8('tx').notNull().default(sql`'0'::xid8`),
  position: bigint('position', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

/**
 * Domain log entries a consumer's handler threw on. The consumer's cursor moves past them (the
 * other entries and workspaces go on); each is retried on its own with exponential backoff
 * (`status` retrying, at `next_attempt_at`) and, after the consumer's maximum of attempts,
 * parked until an operator retries or discards it (GET /api/v1/dead-letters).
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    consumer: text('consumer').notNull(),
    entryId: bigint('entry_id', { mode: 'number' }).notNull(),
    entryType: text('entry_type').notNull(),
    /** 'retrying' or 'parked'. */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    error: text('error').notNull(),
    firstFailedAt: timestamptz('first_failed_at').notNull().defaultNow(),
    lastFailedAt: timestamptz('last_failed_at').notNull().defaultNow(),
    /** When a retrying entry is tried next; null when parked. */
    nextAttemptAt: timestamptz('next_attempt_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('dead_letters_consumer_entry').on(t.consumer, t.entryId),
    index('dead_letters_due').on(t.consumer, t.nextAttemptAt),
  ],
);

/**
 * The audit trail of sensitive reads and acts by console users and API tokens: personal-data
 * exports, code exports, erasures. Who (`actor`), when, what (`action`, `subject`), from where.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    /** The caller's address as the server saw it (behind a proxy: with trustProxy). */
    ip: text('ip'),
    requestId: text('request_id'),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('audit_log_ws_at').on(t.workspaceId, t.at.desc(), t.id.desc())],
);
