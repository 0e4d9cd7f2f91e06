import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  defaultCountry: text('default_country').notNull().default('VN'),
  timeZone: text('time_zone').notNull().default('Asia/Ho_Chi_Minh'),
  currency: text('currency').notNull().default('VND'),
  /** Identity resolution rules (priorities, limits); empty = defaults. */
  identityRules: jsonb('identity_rules').notNull().default(sql`'{}'::jsonb`),
  /** Commerce settings: { reserveOn: 'checkout' | 'add_to_cart', reservationTtlSeconds }; empty = defaults. */
  commerceSettings: jsonb('commerce_settings').notNull().default(sql`'{}'::jsonb`),
  /**
   * The key of the workspace's suppression hashes (HMAC-SHA256, hex): without it, a hash of an
   * erased phone cannot be matched against the few hundred million possible numbers. Generated
   * with the workspace and never returned by any API; the default gives rows made before the
   * column existed a random key of their own (gen_random_uuid is a strong random source).
   */
  suppressionKey: text('suppression_key')
    .notNull()
    .default(sql`encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea), 'hex')`),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const sources = pgTable(
  'sources',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    channel: text('channel').notNull(),
    /** sha256 of the write key; the key itself is never stored. */
    writeKeyHash: text('write_key_hash').notNull(),
    /** First characters of the key, so people can tell keys apart. */
    writeKeyPrefix: text('write_key_prefix').notNull(),
    /** Events per second; null = the server default. */
    rateLimit: integer('rate_limit'),
    /**
     * client: a browser's or app's write key (public: anyone can send with it) — the traits it
     * sets are self-reported; server: a backend, POS or import — its traits are trusted
     * (promotions and segments read only trusted values).
     */
    trust: text('trust').notNull().default('client'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [uniqueIndex('sources_write_key_hash').on(t.writeKeyHash), index('sources_ws').on(t.workspaceId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    tokenPrefix: text('token_prefix').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    lastUsedAt: timestamptz('last_used_at'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash), index('api_tokens_ws').on(t.workspaceId)],
);
