/** Opaque keyset-pagination cursors: base64url JSON, validated when read back. */
import { AppError } from './errors';

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decode a cursor and check its shape; anything else is a 400 naming the `cursor` field. */
export function decodeCursor<T>(raw: string, isValid: (v: Record<string, unknown>) => v is Record<string, unknown> & T): T {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && isValid(v as Record<string, unknown>)) return v as T;
  } catch {
    /* fall through */
  }
  throw new AppError('validation_failed', 'cursor: not a cursor returned by this endpoint', { field: 'cursor' });
}
