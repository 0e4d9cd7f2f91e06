/**
 * Ranges of calendar days in a time zone, as SQL instants: a range of days `from`..`to`
 * (YYYY-MM-DD, inclusive) covers [start of `from`, start of the day after `to`) in that zone.
 * Used by the aggregates behind the dashboard (events, orders).
 */
import { sql, type SQL } from 'drizzle-orm';

export interface DayRange {
  /** First day, YYYY-MM-DD in `timeZone` (inclusive). */
  from: string;
  /** Last day, YYYY-MM-DD in `timeZone` (inclusive). */
  to: string;
  /** IANA time zone, e.g. Asia/Ho_Chi_Minh. */
  timeZone: string;
}

/** The first instant of `from` in the time zone. */
export const dayStart = (r: Pick<DayRange, 'from' | 'timeZone'>): SQL => sql`((${r.from}::date)::timestamp AT TIME ZONE ${r.timeZone}::text)`;

/** The first instant of the day after `to` in the time zone (the range's exclusive end). */
export const dayAfter = (r: Pick<DayRange, 'to' | 'timeZone'>): SQL => sql`((${r.to}::date + 1)::timestamp AT TIME ZONE ${r.timeZone}::text)`;

/** `column` (a timestamptz) as its calendar day in the time zone, 'YYYY-MM-DD'. */
export const dayOf = (column: SQL, timeZone: string): SQL => sql`to_char((${column} AT TIME ZONE ${timeZone}::text)::date, 'YYYY-MM-DD')`;
