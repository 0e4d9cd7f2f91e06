/**
 * Opaque keyset-pagination cursors: base64url JSON, checked field by field when read back. A
 * cursor comes back from the client, so it is input like any other: a tampered one (`id: 1e300`,
 * a 30 February, a NUL) must be a 400 naming `cursor`, never a value the database refuses.
 */
import { AppError } from './errors';
import { unstorableText } from './input-guard';

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * What a cursor field may hold:
 *  - `text`: a non-empty string of at most 200 characters that PostgreSQL can store (ids);
 *  - `timestamp`: an ISO 8601 / PostgreSQL timestamp with a real date and time, years 1–9999;
 *  - `serial`: a positive safe integer (bigint identity keys);
 *  - `offset`: a safe integer ≥ 0.
 */
export type CursorField = 'text' | 'timestamp' | 'serial' | 'offset';
export type CursorShape = Record<string, CursorField>;
export type CursorOf<S extends CursorShape> = { [K in keyof S]: S[K] extends 'serial' | 'offset' ? number : string };

/** 2024-05-01T10:00:00.123Z, 2024-05-01 10:00:00.123456+07, 2024-05-01T10:00:00+07:00 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2})(?::?(\d{2}))?)$/;

export function isCursorTimestamp(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = TIMESTAMP.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (year! < 1 || month! < 1 || month! > 12 || hour! > 23 || minute! > 59 || second! > 59 || offsetHours! > 15 || offsetMinutes! > 59) return false;
  // A real day of that month (Date.UTC rolls 30 February over into March).
  const date = new Date(Date.UTC(2000, month! - 1, day!));
  date.setUTCFullYear(year!);
  return day! >= 1 && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day!;
}

function fits(kind: CursorField, v: unknown): boolean {
  switch (kind) {
    case 'text':
      return typeof v === 'string' && v.length > 0 && v.length <= 200 && unstorableText(v) === undefined;
    case 'timestamp':
      return isCursorTimestamp(v);
    case 'serial':
      return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
    case 'offset':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  }
}

/** Decode a cursor of this shape (exactly these fields); anything else is a 400 naming the `cursor` field. */
export function decodeCursor<S extends CursorShape>(raw: string, shape: S): CursorOf<S> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  const fields = Object.keys(shape);
  const ok =
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).length === fields.length &&
    fields.every((f) => Object.hasOwn(v as object, f) && fits(shape[f]!, (v as Record<string, unknown>)[f]));
  if (!ok) throw new AppError('validation_failed', 'cursor: not a cursor returned by this endpoint', { field: 'cursor' });
  return v as CursorOf<S>;
}
