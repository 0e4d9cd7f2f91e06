/**
 * Strings PostgreSQL can store: `text` and `jsonb` refuse the NUL character and lone UTF-16
 * surrogates. Linear in the length; returns the same string when nothing needs changing.
 */

/** NUL removed, lone surrogates replaced by U+FFFD. */
export function storableString(s: string): string {
  const noNul = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

/** Whether storableString would change it. */
export function isStorableString(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}
