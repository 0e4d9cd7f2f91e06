import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

export const profiles = pgTable(
  'profiles',
  {
    id: text('id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    traits: jsonb('traits').notNull().default(sql`'{}'::jsonb`),
    /** Per trait key, the timestamp of the event that set it (most recent wins). */
    traitTimes: jsonb('trait_times').notNull().default(sql`'{}'::jsonb`),
    /**
     * The latest value of each trait set by a trusted source (a server source, an import, the
     * admin API): `{ [key]: { v, t } }`. `traits` shows the latest from anyone; promotions and
     * segments read only these. A key whose shown value is newer than its trusted one (or has
     * none) is self-reported.
     */
    trustedTraits: jsonb('trusted_traits').notNull().default(sql`'{}'::jsonb`),
    /** Per channel: { first, last } event time seen on it (last to the minute). */
    channels: jsonb('channels').notNull().default(sql`'{}'::jsonb`),
    mergeCount: integer('merge_count').notNull().default(0),
    firstSeenAt: timestamptz('first_seen_at').notNull(),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
    /** Name, email and phone folded for diacritics-insensitive search. */
    searchText: text('search_text').notNull().default(''),
    /** Set when this profile was merged into another: the survivor. */
    mergedInto: text('merged_into'),
    mergedAt: timestamptz('merged_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // Workspace first: every read is scoped by it, and (workspace_id, id = ANY(…)) is then one
    // index scan whatever the planner believes about a workspace's size.
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('profiles_ws_last_seen').on(t.workspaceId, t.lastSeenAt.desc()),
    index('profiles_ws_merged_into').on(t.workspaceId, t.mergedInto).where(sql`merged_into IS NOT NULL`),
  ],
);

/** Identifier → profile. Always points at a live (not merged-away) profile. */
export const identifiers = pgTable(
  'identifiers',
  {
    workspaceId: text('workspace_id').notNull(),
    type: text('type').notNull(),
    value: text('value').notNull(),
    profileId: text('profile_id').notNull(),
    firstSeenAt: timestamptz('first_seen_at').notNull().defaultNow(),
    lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.type, t.value] }),
    index('identifiers_ws_profile').on(t.workspaceId, t.profileId),
  ],
);

/** Every merge: what, when and why. */
export const profileMerges = pgTable(
  'profile_merges',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    fromProfileId: text('from_profile_id').notNull(),
    intoProfileId: text('into_profile_id').notNull(),
    /** The identifier that linked the two profiles, and the event that carried it. */
    reason: jsonb('reason').notNull(),
    mergedAt: timestamptz('merged_at').notNull().defaultNow(),
  },
  (t) => [index('profile_merges_ws_into').on(t.workspaceId, t.intoProfileId)],
);

/**
 * Identifiers of erased people, as HMAC-SHA256(workspace key, sha256(type + ':' + value)): nothing
 * personal is kept, and without the key (workspaces.suppression_key) a hash cannot be matched by
 * trying every phone number. Events carrying them are dropped and counted.
 */
export const suppressions = pgTable(
  'suppressions',
  {
    workspaceId: text('workspace_id').notNull(),
    hash: text('hash').notNull(),
    /**
     * `hmac-sha256`, or `sha256` for a row written before keyed hashes (its hash is the inner
     * sha256 alone): such rows are re-keyed at start-up and matched in the meantime. The default
     * marks what a process still running the older code writes during a rolling upgrade.
     */
    scheme: text('scheme').notNull().default('sha256'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    droppedEvents: bigint('dropped_events', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.hash] }),
    index('suppressions_unkeyed').on(t.workspaceId).where(sql`scheme = 'sha256'`),
  ],
);
