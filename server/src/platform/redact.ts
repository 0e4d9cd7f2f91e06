/**
 * Erasure's matcher for a person's own values (identifier values, names) inside text that is not
 * theirs alone: an operator's note on an order, a message id such as `store-guest:<anonymous id>`.
 * A value counts only as a whole token — not preceded or followed by a letter or digit — so a
 * short anonymous id such as `a1` does not take `data1` with it; case is ignored (emails are
 * stored lower-cased but typed in any case).
 */
export interface Redactor {
  /** Does the text contain one of the values? */
  mentions(text: string): boolean;
  /** The text with each value replaced by `[erased]`. */
  redact(text: string): string;
}

export const REDACTED = '[erased]';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function personalRedactor(values: Iterable<string>): Redactor {
  // Longest first, so a value that contains another is replaced whole.
  const list = [...new Set([...values].map((v) => v.trim()).filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return { mentions: () => false, redact: (text) => text };
  const source = `(?<![\\p{L}\\p{N}])(?:${list.map(escape).join('|')})(?![\\p{L}\\p{N}])`;
  const test = new RegExp(source, 'iu');
  const all = new RegExp(source, 'giu');
  return { mentions: (text) => test.test(text), redact: (text) => text.replace(all, REDACTED) };
}
