import { bigint, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/**
 * Every accepted event, immutable. `profile_id` is the profile the event resolved to when it
 * arrived; after merges, a profile's timeline is the union of its own and its merged profiles'.
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text('workspace_id').notNull(),
    messageId: text('message_id').notNull(),
    profileId: text('profile_id'),
    /** The tracking source; null for events Omni records itself (orders, carts). */
    sourceId: text('source_id'),
    channel: text('channel').notNull(),
    type: text('type').notNull(),
    event: text('event'),
    userId: text('user_id'),
    anonymousId: text('anonymous_id'),
    timestamp: timestamptz('timestamp').notNull(),
    receivedAt: timestamptz('received_at').notNull(),
    /** The whole message as normalised at ingest (properties, traits, context …). */
    payload: jsonb('payload').notNull(),
  },
  (t) => [
    uniqueIndex('events_ws_message_id').on(t.workspaceId, t.messageId),
    index('events_ws_profile_ts').on(t.workspaceId, t.profileId, t.timestamp.desc(), t.id.desc()),
  ],
);
