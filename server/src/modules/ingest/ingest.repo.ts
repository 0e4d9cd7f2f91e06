/** The only file with SQL for the events table. */
import { sql, type SQL } from 'drizzle-orm';
import { firstRow, rows, type Executor } from '../../db/client';
import { dayAfter, dayOf, dayStart } from '../../platform/days';
import { mergedProfilesRelation } from '../profiles';

const json = (value: unknown): string => JSON.stringify(value);

/**
 * Writers of events hold a workspace's events lock in shared mode; erasure holds it exclusively,
 * so an erasure never interleaves with an insert of the same person's events.
 */
const eventsLockKey = (workspaceId: string) => 'omni:events:' + workspaceId;

export async function lockWorkspaceEvents(ex: Executor, workspaceId: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const key = eventsLockKey(workspaceId);
  if (mode === 'shared') await ex.execute(sql`SELECT pg_advisory_xact_lock_shared(hashtext(${key}))`);
  else await ex.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
}

/** Shared events locks of several workspaces, in key order, in one statement. */
export function lockEventsSharedSql(workspaceIds: string[]): SQL {
  const keys = [...new Set(workspaceIds)].sort().map(eventsLockKey);
  return sql`SELECT count(pg_advisory_xact_lock_shared(hashtext(k))) AS n
             FROM (SELECT k FROM jsonb_array_elements_text(${json(keys)}::jsonb) AS k ORDER BY k) AS keys`;
}

export interface EventWrite {
  w: string;
  m: string;
  p: string | null;
  s: string | null;
  c: string;
  t: string;
  e: string | null;
  u: string | null;
  a: string | null;
  ts: string;
  r: string;
  d: Record<string, unknown>;
}

export const insertedKey = (workspaceId: string, messageId: string): string => `${workspaceId}\u0000${messageId}`;

/**
 * Insert events (skipping message ids already stored, and events whose profile no longer exists
 * because it was erased meanwhile) and, in the same statement, one `events.ingested` domain log
 * entry per workspace listing the inserted events (one log row per commit instead of one per
 * event keeps the log cheap at tens of thousands of events a second).
 * Rows: `{ w, m, gone }`, one per inserted event (gone false) and one per erased profile
 * (`m` = the profile id, gone true).
 */
export function insertEventsSql(list: EventWrite[]): SQL {
  return sql`WITH x AS MATERIALIZED (
          SELECT * FROM ROWS FROM (json_to_recordset(${json(list)}::json) AS (w text, m text, p text, s text, c text,
            t text, e text, u text, a text, ts timestamptz, r timestamptz, d jsonb))
            WITH ORDINALITY AS x(w, m, p, s, c, t, e, u, a, ts, r, d, n)),
        live AS MATERIALIZED (
          SELECT d.w, d.p FROM (SELECT DISTINCT x.w, x.p FROM x WHERE x.p IS NOT NULL) d
          CROSS JOIN LATERAL (SELECT 1 FROM profiles pr WHERE pr.workspace_id = d.w AND pr.id = d.p LIMIT 1) found),
        gone AS (
          SELECT DISTINCT x.w, x.p FROM x WHERE x.p IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM live WHERE live.w = x.w AND live.p = x.p)),
        ins AS (
          INSERT INTO events (workspace_id, message_id, profile_id, source_id, channel, type, event, user_id,
                              anonymous_id, timestamp, received_at, payload)
          SELECT x.w, x.m, x.p, x.s, x.c, x.t, x.e, x.u, x.a, x.ts, x.r, x.d FROM x
          WHERE NOT EXISTS (SELECT 1 FROM gone WHERE gone.w = x.w AND gone.p = x.p)
          ORDER BY x.n
          ON CONFLICT (workspace_id, message_id) DO NOTHING
          RETURNING id, workspace_id, message_id, profile_id, channel, type, event, source_id, timestamp),
        log AS (
          INSERT INTO domain_events (workspace_id, type, data)
          SELECT workspace_id, 'events.ingested',
                 jsonb_build_object('count', count(*), 'events', jsonb_agg(jsonb_build_object(
                   'id', id, 'profileId', profile_id, 'type', type, 'event', event, 'channel', channel,
                   'sourceId', source_id, 'messageId', message_id, 'timestamp', timestamp) ORDER BY id))
          FROM ins GROUP BY workspace_id)
        SELECT workspace_id AS w, message_id AS m, false AS gone FROM ins
        UNION ALL SELECT w, p, true FROM gone`;
}

export interface EventRow {
  id: number;
  message_id: string;
  profile_id: string | null;
  source_id: string | null;
  channel: string;
  type: string;
  event: string | null;
  timestamp: Date | string;
  received_at: Date | string;
  payload: Record<string, unknown>;
}

const EVENT_COLUMNS = sql.raw('id, message_id, profile_id, source_id, channel, type, event, timestamp, received_at, payload');

export async function selectTimeline(
  ex: Executor,
  opts: {
    workspaceId: string;
    profileIds: string[];
    limit: number;
    channel?: string;
    type?: string;
    event?: string;
    before?: { timestamp: string; id: number };
  },
): Promise<EventRow[]> {
  const conds: SQL[] = [
    sql`workspace_id = ${opts.workspaceId}`,
    sql`profile_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${json(opts.profileIds)}::jsonb)))`,
  ];
  if (opts.channel) conds.push(sql`channel = ${opts.channel}`);
  if (opts.type) conds.push(sql`type = ${opts.type}`);
  if (opts.event) conds.push(sql`event = ${opts.event}`);
  if (opts.before) conds.push(sql`(timestamp, id) < (${opts.before.timestamp}::timestamptz, ${opts.before.id}::bigint)`);
  return rows<EventRow>(
    ex,
    sql`SELECT ${EVENT_COLUMNS} FROM events WHERE ${sql.join(conds, sql` AND `)}
        ORDER BY timestamp DESC, id DESC LIMIT ${opts.limit}::int`,
  );
}

export async function deleteEventsOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<number> {
  const deleted = await rows<{ n: number }>(
    ex,
    sql`WITH d AS (DELETE FROM events WHERE workspace_id = ${workspaceId}
          AND profile_id IN (SELECT jsonb_array_elements_text(${json(profileIds)}::jsonb)) RETURNING 1)
        SELECT count(*)::int AS n FROM d`,
  );
  return deleted[0]?.n ?? 0;
}


export async function countByProfileAndChannel(
  ex: Executor,
  workspaceId: string,
  profileIds: string[],
): Promise<{ profileId: string; channel: string; count: number }[]> {
  const found = await rows<{ profile_id: string; channel: string; n: number }>(
    ex,
    sql`SELECT profile_id, channel, count(*)::int AS n FROM events
        WHERE workspace_id = ${workspaceId}
          AND profile_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${json(profileIds)}::jsonb)))
        GROUP BY profile_id, channel`,
  );
  return found.map((r) => ({ profileId: r.profile_id, channel: r.channel, count: r.n }));
}

// ---------------------------------------------------------------------------------------------
// Dashboard aggregates: a range is [from, to) as instants; days are in the given time zone.

export interface ActivityRange {
  workspaceId: string;
  timeZone: string;
  /** First day, YYYY-MM-DD in the time zone (inclusive). */
  from: string;
  /** Last day, YYYY-MM-DD in the time zone (inclusive). */
  to: string;
}

/**
 * A touchpoint: any event but a backend's identify (channel `server`, e.g. the one a customer
 * token's sign-in writes to join a guest), which records who someone is, not where they were.
 */
const isTouchpoint = (e: SQL): SQL => sql`NOT (${e}.type = 'identify' AND ${e}.channel = 'server')`;

/**
 * Touchpoints of the range with the customer each belongs to now (`live`: the profile a merged
 * one lives on), so a visitor merged into a store customer counts once, on both channels.
 */
const rangeEvents = (r: ActivityRange): SQL => sql`(
  SELECT e.id, e.channel, e.timestamp, COALESCE(m.live_id, e.profile_id) AS live
  FROM events e LEFT JOIN ${mergedProfilesRelation(r.workspaceId)} m ON m.id = e.profile_id
  WHERE e.workspace_id = ${r.workspaceId} AND e.timestamp >= ${dayStart(r)} AND e.timestamp < ${dayAfter(r)} AND ${isTouchpoint(sql`e`)})`;

/** Per day (in the time zone) and event channel: distinct customers and events. */
export async function selectActivityByDay(ex: Executor, r: ActivityRange): Promise<{ day: string; channel: string; customers: number; events: number }[]> {
  return rows(
    ex,
    sql`SELECT ${dayOf(sql`timestamp`, r.timeZone)} AS day, channel, count(DISTINCT live)::int AS customers, count(*)::int AS events
        FROM ${rangeEvents(r)} e
        GROUP BY 1, 2
        ORDER BY 1, 2`,
  );
}

/** Per event channel over the whole range: distinct customers and events. */
export async function selectActivityByChannel(ex: Executor, r: ActivityRange): Promise<{ channel: string; customers: number; events: number }[]> {
  return rows(
    ex,
    sql`SELECT channel, count(DISTINCT live)::int AS customers, count(*)::int AS events
        FROM ${rangeEvents(r)} e
        GROUP BY channel
        ORDER BY customers DESC, channel`,
  );
}

/**
 * Over the range: events, customers active, those active on two or more channels, and new
 * customers (whose first event ever falls in the range).
 */
export async function selectActivityTotals(
  ex: Executor,
  r: ActivityRange,
): Promise<{ events: number; customers: number; multi_channel: number; new_customers: number } | undefined> {
  return firstRow(
    ex,
    sql`WITH per AS (
          SELECT live, count(DISTINCT channel) AS channels, count(*) AS n
          FROM ${rangeEvents(r)} e
          GROUP BY live),
        seen_before AS (
          SELECT DISTINCT COALESCE(m.live_id, e.profile_id) AS live
          FROM events e LEFT JOIN ${mergedProfilesRelation(r.workspaceId)} m ON m.id = e.profile_id
          WHERE e.workspace_id = ${r.workspaceId} AND e.timestamp < ${dayStart(r)} AND e.profile_id IS NOT NULL AND ${isTouchpoint(sql`e`)})
        SELECT coalesce(sum(n), 0)::int AS events,
               count(live)::int AS customers,
               count(*) FILTER (WHERE live IS NOT NULL AND channels >= 2)::int AS multi_channel,
               count(*) FILTER (WHERE live IS NOT NULL AND live NOT IN (SELECT live FROM seen_before))::int AS new_customers
        FROM per`,
  );
}

export async function hasEvents(ex: Executor, workspaceId: string): Promise<boolean> {
  const found = await rows<{ found: boolean }>(ex, sql`SELECT EXISTS (SELECT 1 FROM events WHERE workspace_id = ${workspaceId}) AS found`);
  return found[0]?.found === true;
}

/**
 * Paths to a first order: for each buyer (a live profile: events of the profiles merged into it
 * count as theirs), the channels of their events up to the order (time
 * order, consecutive repeats collapsed) ending with the order's channel; long paths keep the
 * first touch and the last `maxSteps - 1` steps. Grouped, most common first, with the median
 * days from first touch to the order.
 */
export async function selectChannelPaths(
  ex: Executor,
  opts: { workspaceId: string; buyers: { p: string; at: string; c: string }[]; maxSteps: number; limit: number },
): Promise<{ steps: string[]; customers: number; median_days: number | string | null }[]> {
  if (opts.buyers.length === 0) return [];
  const tail = opts.maxSteps - 1;
  return rows(
    ex,
    sql`WITH b AS MATERIALIZED (
          SELECT * FROM jsonb_to_recordset(${json(opts.buyers)}::jsonb) AS b(p text, at timestamptz, c text)),
        ids AS (
          SELECT b.p, b.at, b.p AS pid FROM b
          UNION ALL
          SELECT b.p, b.at, m.id FROM b JOIN ${mergedProfilesRelation(opts.workspaceId)} m ON m.live_id = b.p),
        ev AS (
          SELECT ids.p, e.channel, e.timestamp, e.id,
                 lag(e.channel) OVER (PARTITION BY ids.p ORDER BY e.timestamp, e.id) AS prev
          FROM ids JOIN events e ON e.workspace_id = ${opts.workspaceId} AND e.profile_id = ids.pid AND e.timestamp <= ids.at
                                 AND ${isTouchpoint(sql`e`)}),
        per AS (
          SELECT b.p, b.at, b.c,
                 (SELECT min(ev.timestamp) FROM ev WHERE ev.p = b.p) AS first_at,
                 coalesce((SELECT array_agg(ev.channel ORDER BY ev.timestamp, ev.id) FROM ev
                           WHERE ev.p = b.p AND ev.prev IS DISTINCT FROM ev.channel), ARRAY[]::text[]) AS chain
          FROM b),
        full_path AS (
          SELECT CASE WHEN chain[cardinality(chain)] IS NOT DISTINCT FROM c THEN chain ELSE chain || c END AS path,
                 extract(epoch FROM (at - coalesce(first_at, at))) / 86400.0 AS days
          FROM per),
        capped AS (
          SELECT CASE WHEN cardinality(path) > ${opts.maxSteps}::int
                      THEN path[1:1] || path[cardinality(path) - ${tail}::int + 1:cardinality(path)] ELSE path END AS path, days
          FROM full_path)
        SELECT to_jsonb(path) AS steps, count(*)::int AS customers,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days
        FROM capped
        GROUP BY path
        ORDER BY customers DESC, path
        LIMIT ${opts.limit}::int`,
  );
}
