/**
 * The only file with SQL for profiles, identifiers, profile_merges and suppressions.
 * Bulk statements take one JSON parameter (json_to_recordset), which both PostgreSQL and PGlite
 * plan the same way and which keeps a batch of any size to one round trip.
 */
import { sql, type SQL } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';
import type { ChannelUse } from './resolve';

const json = (value: unknown): string => JSON.stringify(value);

/**
 * Serialise identity resolution per workspace (until commit). Returns whether the workspace has
 * any suppressed identifiers (`has`), so the common case skips that lookup, and any not yet
 * keyed (`unkeyed`) — in the same round trip.
 */
export function lockIdentitySql(workspaceId: string): SQL {
  return sql`SELECT EXISTS (SELECT 1 FROM suppressions WHERE workspace_id = ${workspaceId}) AS has,
                    EXISTS (SELECT 1 FROM suppressions WHERE workspace_id = ${workspaceId} AND scheme = 'sha256') AS unkeyed
             FROM (SELECT pg_advisory_xact_lock(hashtext(${'omni:identity:' + workspaceId}))) AS locked`;
}

export async function lockWorkspaceIdentity(ex: Executor, workspaceId: string): Promise<boolean> {
  return (await firstRow<{ has: boolean }>(ex, lockIdentitySql(workspaceId)))?.has === true;
}

/** Rows `{ hash }`: which of these identifier hashes are suppressed. */
export function selectSuppressedSql(workspaceId: string, hashes: string[]): SQL {
  return sql`SELECT hash FROM suppressions WHERE workspace_id = ${workspaceId} AND hash = ${anyOf(hashes)}`;
}

export function countSuppressedDropsSql(workspaceId: string, counts: Map<string, number>): SQL | null {
  if (counts.size === 0) return null;
  const payload = [...counts].map(([h, n]) => ({ h, n }));
  return sql`
    UPDATE suppressions s SET dropped_events = s.dropped_events + x.n
    FROM json_to_recordset(${json(payload)}::json) AS x(h text, n int)
    WHERE s.workspace_id = ${workspaceId} AND s.hash = x.h AND s.hash = ${anyOf([...counts.keys()])}`;
}

export async function insertSuppressions(ex: Executor, workspaceId: string, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await ex.execute(sql`
    INSERT INTO suppressions (workspace_id, hash, scheme)
    SELECT ${workspaceId}, h, 'hmac-sha256' FROM jsonb_array_elements_text(${json(hashes)}::jsonb) AS h
    ON CONFLICT DO NOTHING`);
}

/** Workspaces holding suppressions written before keyed hashes. */
export async function selectWorkspacesWithUnkeyedSuppressions(ex: Executor): Promise<string[]> {
  const found = await rows<{ workspace_id: string }>(ex, sql`SELECT DISTINCT workspace_id FROM suppressions WHERE scheme = 'sha256'`);
  return found.map((r) => r.workspace_id);
}

export async function selectUnkeyedSuppressions(ex: Executor, workspaceId: string, limit: number): Promise<string[]> {
  const found = await rows<{ hash: string }>(
    ex,
    sql`SELECT hash FROM suppressions WHERE workspace_id = ${workspaceId} AND scheme = 'sha256' ORDER BY hash LIMIT ${limit}`,
  );
  return found.map((r) => r.hash);
}

/** Replace unkeyed rows by their keyed form, keeping when they were made and what they dropped. */
export async function rekeySuppressions(ex: Executor, workspaceId: string, pairs: { from: string; to: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  await ex.execute(sql`
    WITH x AS (SELECT * FROM json_to_recordset(${json(pairs)}::json) AS x("from" text, "to" text)),
    old AS (
      DELETE FROM suppressions s USING x
      WHERE s.workspace_id = ${workspaceId} AND s.scheme = 'sha256' AND s.hash = x."from"
      RETURNING x."to" AS hash, s.created_at, s.dropped_events)
    INSERT INTO suppressions (workspace_id, hash, scheme, created_at, dropped_events)
    SELECT ${workspaceId}, hash, 'hmac-sha256', created_at, dropped_events FROM old
    ON CONFLICT (workspace_id, hash) DO UPDATE SET dropped_events = suppressions.dropped_events + excluded.dropped_events`);
}

export interface OwnerRow {
  type: string;
  value: string;
  profile_id: string;
}

export async function selectOwners(
  ex: Executor,
  workspaceId: string,
  refs: { type: string; value: string }[],
): Promise<OwnerRow[]> {
  if (refs.length === 0) return [];
  return rows<OwnerRow>(
    ex,
    // LATERAL … LIMIT 1: one primary-key probe per identifier.
    sql`SELECT o.type, o.value, o.profile_id
        FROM json_to_recordset(${json(refs)}::json) AS x(type text, value text)
        CROSS JOIN LATERAL (
          SELECT i.type, i.value, i.profile_id FROM identifiers i
          WHERE i.workspace_id = ${workspaceId} AND i.type = x.type AND i.value = x.value LIMIT 1) o`,
  );
}

/** Per trait key: the latest value a trusted source set, and when. */
export type TrustedTraits = Record<string, { v: unknown; t: string }>;

export interface ProfileRow {
  id: string;
  workspace_id: string;
  traits: Record<string, unknown>;
  trait_times: Record<string, string>;
  trusted_traits: TrustedTraits;
  channels: Record<string, ChannelUse>;
  merge_count: number;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  merged_into: string | null;
  merged_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const PROFILE_COLUMNS = sql.raw(
  'id, workspace_id, traits, trait_times, trusted_traits, channels, merge_count, first_seen_at, last_seen_at, merged_into, merged_at, created_at, updated_at',
);

export type HolderRow = ProfileRow & { ids: [type: string, value: string][] };

/**
 * The profiles holding any of these identifiers, each with all its identifiers (`ids`, in the
 * order of selectIdentifiersOf): everything resolution needs, in one statement.
 */
export function profilesHoldingSql(workspaceId: string, refs: { type: string; value: string }[]): SQL {
  return sql`
    WITH o AS MATERIALIZED (
      SELECT DISTINCT o.profile_id FROM json_to_recordset(${json(refs)}::json) AS x(type text, value text)
      CROSS JOIN LATERAL (
        SELECT i.profile_id FROM identifiers i
        WHERE i.workspace_id = ${workspaceId} AND i.type = x.type AND i.value = x.value LIMIT 1) o)
    SELECT ${PROFILE_COLUMNS},
      (SELECT coalesce(json_agg(json_build_array(i.type, i.value) ORDER BY i.type, i.first_seen_at, i.value), '[]'::json)
       FROM identifiers i WHERE i.workspace_id = ${workspaceId} AND i.profile_id = p.id) AS ids
    FROM profiles p
    WHERE p.workspace_id = ${workspaceId} AND p.id = ANY(ARRAY(SELECT profile_id FROM o))`;
}

export async function selectProfile(ex: Executor, workspaceId: string, id: string): Promise<ProfileRow | undefined> {
  return firstRow<ProfileRow>(ex, sql`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

export async function selectIdentifiersOf(ex: Executor, workspaceId: string, profileIds: string[]): Promise<OwnerRow[]> {
  if (profileIds.length === 0) return [];
  return rows<OwnerRow>(
    ex,
    sql`SELECT type, value, profile_id FROM identifiers
        WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)}
        ORDER BY type, first_seen_at, value`,
  );
}

/** The traits of these profiles: the shown ones and, as `{ key: value }`, the trusted ones. */
export async function selectTraitsOf(ex: Executor, workspaceId: string, ids: string[]): Promise<Record<string, unknown>[]> {
  if (ids.length === 0) return [];
  const found = await rows<{ traits: Record<string, unknown>; trusted_traits: Record<string, { v?: unknown }> }>(
    ex,
    sql`SELECT traits, trusted_traits FROM profiles WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids)}`,
  );
  return found.flatMap((r) => [r.traits, Object.fromEntries(Object.entries(r.trusted_traits ?? {}).map(([k, t]) => [k, t?.v]))]);
}

export interface ProfileWrite {
  id: string;
  traits: Record<string, unknown>;
  trait_times: Record<string, string>;
  trusted_traits: TrustedTraits;
  channels: Record<string, ChannelUse>;
  merge_count: number;
  first_seen_at: string;
  last_seen_at: string;
  search_text: string;
  merged_into: string | null;
}

export function insertProfilesSql(workspaceId: string, list: ProfileWrite[]): SQL | null {
  if (list.length === 0) return null;
  return sql`
    INSERT INTO profiles (id, workspace_id, traits, trait_times, trusted_traits, channels, merge_count,
                          first_seen_at, last_seen_at, search_text)
    SELECT x.id, ${workspaceId}, x.traits, x.trait_times, x.trusted_traits, x.channels, x.merge_count,
           x.first_seen_at, x.last_seen_at, x.search_text
    FROM json_to_recordset(${json(list)}::json) AS x(id text, traits jsonb, trait_times jsonb, trusted_traits jsonb, channels jsonb,
      merge_count int, first_seen_at timestamptz, last_seen_at timestamptz, search_text text)`;
}

export function updateProfilesSql(workspaceId: string, list: ProfileWrite[]): SQL | null {
  if (list.length === 0) return null;
  return sql`
    UPDATE profiles p SET traits = x.traits, trait_times = x.trait_times, trusted_traits = x.trusted_traits, channels = x.channels,
      merge_count = x.merge_count, first_seen_at = x.first_seen_at,
      last_seen_at = x.last_seen_at, search_text = x.search_text,
      merged_into = x.merged_into,
      merged_at = CASE WHEN x.merged_into IS NOT NULL AND p.merged_into IS NULL THEN now() ELSE p.merged_at END,
      updated_at = now()
    FROM json_to_recordset(${json(list)}::json) AS x(id text, traits jsonb, trait_times jsonb, trusted_traits jsonb, channels jsonb,
      merge_count int, first_seen_at timestamptz, last_seen_at timestamptz, search_text text, merged_into text)
    WHERE p.workspace_id = ${workspaceId} AND p.id = x.id AND p.id = ${anyOf(list.map((p) => p.id))}`;
}

/** After merges: identifiers and earlier merged-away profiles follow the survivor (two statements). */
export function repointMergedSql(workspaceId: string, pairs: { from: string; into: string }[]): SQL[] {
  if (pairs.length === 0) return [];
  const payload = json(pairs);
  return [
    sql`
    UPDATE identifiers i SET profile_id = x."into"
    FROM json_to_recordset(${payload}::json) AS x("from" text, "into" text)
    WHERE i.workspace_id = ${workspaceId} AND i.profile_id = x."from" AND i.profile_id = ${anyOf(pairs.map((p) => p.from))}`,
    sql`
    UPDATE profiles p SET merged_into = x."into"
    FROM json_to_recordset(${payload}::json) AS x("from" text, "into" text)
    WHERE p.workspace_id = ${workspaceId} AND p.merged_into = x."from" AND p.merged_into = ${anyOf(pairs.map((p) => p.from))}`,
  ];
}

export function upsertIdentifiersSql(
  workspaceId: string,
  list: { type: string; value: string; profile_id: string; seen_at: string }[],
): SQL | null {
  if (list.length === 0) return null;
  return sql`
    INSERT INTO identifiers (workspace_id, type, value, profile_id, first_seen_at, last_seen_at)
    SELECT ${workspaceId}, x.type, x.value, x.profile_id, x.seen_at, x.seen_at
    FROM json_to_recordset(${json(list)}::json) AS x(type text, value text, profile_id text, seen_at timestamptz)
    ON CONFLICT (workspace_id, type, value) DO UPDATE SET profile_id = excluded.profile_id, last_seen_at = excluded.last_seen_at`;
}

export function insertMergesSql(
  workspaceId: string,
  list: { id: string; from: string; into: string; reason: unknown; at: string }[],
): SQL | null {
  if (list.length === 0) return null;
  return sql`
    INSERT INTO profile_merges (id, workspace_id, from_profile_id, into_profile_id, reason, merged_at)
    SELECT x.id, ${workspaceId}, x."from", x."into", x.reason, x.at
    FROM json_to_recordset(${json(list)}::json) AS x(id text, "from" text, "into" text, reason jsonb, at timestamptz)`;
}

export interface MergeRow {
  id: string;
  from_profile_id: string;
  into_profile_id: string;
  reason: { identifiers: { type: string; value: string }[]; messageId: string };
  merged_at: Date | string;
}

/** Every merge that fed into a profile, directly or through profiles merged into it. */
export async function selectMergesInto(ex: Executor, workspaceId: string, profileIds: string[]): Promise<MergeRow[]> {
  return rows<MergeRow>(
    ex,
    sql`SELECT id, from_profile_id, into_profile_id, reason, merged_at FROM profile_merges
        WHERE workspace_id = ${workspaceId}
          AND into_profile_id = ${anyOf(profileIds)}
        ORDER BY merged_at, id`,
  );
}

/** Ids of the profiles merged (at any depth) into a survivor. */
export async function selectMergedAwayIds(ex: Executor, workspaceId: string, survivorId: string): Promise<string[]> {
  const found = await rows<{ id: string }>(
    ex,
    sql`SELECT id FROM profiles WHERE workspace_id = ${workspaceId} AND merged_into = ${survivorId}`,
  );
  return found.map((r) => r.id);
}

/**
 * In one round trip: the live profile for an id (itself, or the survivor it was merged into)
 * first, then every profile merged into that survivor. Empty when there is no such profile.
 */
export async function selectTimelineIds(ex: Executor, workspaceId: string, id: string): Promise<string[]> {
  const found = await rows<{ id: string }>(
    ex,
    sql`WITH live AS (
          SELECT l.id FROM profiles p
          JOIN profiles l ON l.workspace_id = p.workspace_id AND l.id = COALESCE(p.merged_into, p.id)
          WHERE p.workspace_id = ${workspaceId} AND p.id = ${id}
        )
        SELECT id, 0 AS o FROM live
        UNION ALL
        SELECT m.id, 1 AS o FROM profiles m WHERE m.workspace_id = ${workspaceId} AND m.merged_into = (SELECT id FROM live)
        ORDER BY o`,
  );
  return found.map((r) => r.id);
}

/** (id, survivor) of every profile merged into one of the given survivors. */
export async function selectMergedInto(ex: Executor, workspaceId: string, survivorIds: string[]): Promise<{ id: string; merged_into: string }[]> {
  if (survivorIds.length === 0) return [];
  return rows(ex, sql`SELECT id, merged_into FROM profiles WHERE workspace_id = ${workspaceId} AND merged_into = ${anyOf(survivorIds)}`);
}

export async function searchProfiles(
  ex: Executor,
  opts: { workspaceId: string; terms: string[]; channel?: string; ids?: string[]; limit: number; before?: { lastSeenAt: string; id: string } },
): Promise<ProfileRow[]> {
  const conds: SQL[] = [sql`workspace_id = ${opts.workspaceId}`, sql`merged_into IS NULL`];
  if (opts.ids) {
    // These profiles, or the ones they were merged into.
    conds.push(sql`(id = ${anyOf(opts.ids)} OR id IN (SELECT merged_into FROM profiles WHERE workspace_id = ${opts.workspaceId} AND id = ${anyOf(opts.ids)}))`);
  }
  for (const t of opts.terms) conds.push(sql`search_text LIKE ${'%' + t.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`);
  if (opts.channel) conds.push(sql`channels -> ${opts.channel}::text IS NOT NULL`);
  if (opts.before) conds.push(sql`(last_seen_at, id) < (${opts.before.lastSeenAt}::timestamptz, ${opts.before.id})`);
  return rows<ProfileRow>(
    ex,
    sql`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE ${sql.join(conds, sql` AND `)}
        ORDER BY last_seen_at DESC, id DESC LIMIT ${opts.limit}`,
  );
}

/** Erase a person: the profile, the profiles merged into it, their identifiers and merge records. */
export async function deleteProfiles(ex: Executor, workspaceId: string, ids: string[]): Promise<void> {
  const list = json(ids);
  await ex.execute(sql`DELETE FROM identifiers WHERE workspace_id = ${workspaceId}
    AND profile_id IN (SELECT jsonb_array_elements_text(${list}::jsonb))`);
  await ex.execute(sql`DELETE FROM profile_merges WHERE workspace_id = ${workspaceId}
    AND (into_profile_id IN (SELECT jsonb_array_elements_text(${list}::jsonb))
      OR from_profile_id IN (SELECT jsonb_array_elements_text(${list}::jsonb)))`);
  await ex.execute(sql`DELETE FROM profiles WHERE workspace_id = ${workspaceId}
    AND id IN (SELECT jsonb_array_elements_text(${list}::jsonb))`);
}

/**
 * The workspace's merged-away profiles as a relation `(id, live_id)`: the profile each now lives
 * on. Other modules' aggregates over rows keyed by profile id count customers, not pre-merge
 * profiles, with `LEFT JOIN ${mergedProfilesRelation(ws)} m ON m.id = x.profile_id` and
 * `COALESCE(m.live_id, x.profile_id)`. Small: only merged profiles (a partial index).
 */
export function mergedProfilesRelation(workspaceId: string): SQL {
  return sql`(SELECT id, merged_into AS live_id FROM profiles WHERE workspace_id = ${workspaceId} AND merged_into IS NOT NULL)`;
}

/** Does the profile hold an identifier of this type (e.g. a user_id: a known customer)? */
export async function selectHasIdentifierType(ex: Executor, workspaceId: string, profileId: string, type: string): Promise<boolean> {
  const r = await firstRow<{ found: boolean }>(
    ex,
    sql`SELECT EXISTS (SELECT 1 FROM identifiers WHERE workspace_id = ${workspaceId} AND profile_id = ${profileId} AND type = ${type}) AS found`,
  );
  return r?.found === true;
}
