/**
 * Identifier normalisation for identity resolution.
 *
 * Pure functions, no I/O. Every normaliser returns either the canonical form of
 * an identifier or `null` when the value must never be used as an identifier
 * (placeholders such as "null", "0", "-1", malformed emails, invalid phones…).
 *
 * Lengths are capped before any regular expression runs, and every expression
 * here is linear, so a hostile value costs time in proportion to its length
 * only: one phone of '1' + 30,000 spaces + '2' once took 0.55 s in the
 * extension pattern (each space a new start for its leading `\s*`), and a
 * 450 KB batch of fifteen of them held the event loop for 16 s.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { storableString } from '../../platform/text';

/** Placeholder strings that clients send instead of "no value" (compared lower-cased). */
const BLOCKED_WORDS: ReadonlySet<string> = new Set([
  'null',
  'undefined',
  'anonymous',
  'nil',
  'none',
  'n/a',
  'unknown',
  '[object object]',
]);

/** Longest values accepted (UTF-16 code units, surrounding whitespace excluded). */
export const IDENTIFIER_LIMITS = {
  /** RFC 5321 path limit. */
  email: 254,
  /** E.164 is 15 digits; 32 leaves room for `+`, separators and an extension. */
  phone: 32,
  /** Every other type. */
  other: 255,
  /** A type name as sent (it must be 1–64 characters once normalised). */
  typeName: 128,
} as const;

/**
 * The trimmed, storable text of a string or finite number, or null when it is anything else or
 * longer than `max`. Runs before any pattern sees the value.
 */
function boundedText(raw: unknown, max: number): string | null {
  let text: string;
  if (typeof raw === 'string') text = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else return null;
  if (text.length > max) return null;
  return storableString(text).trim();
}

/**
 * True for values that must never become identifiers: anything that is not a
 * string or a finite number, blank strings, strings made only of `0` and `-`
 * (`0`, `000`, `---`, `0-0`), `-1`, and well-known placeholder words.
 */
export function isBlockedValue(raw: unknown): boolean {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return true;
  } else if (typeof raw !== 'string') {
    return true;
  }
  const s = String(raw).trim();
  return /^[0-]*$/.test(s) || s === '-1' || BLOCKED_WORDS.has(s.toLowerCase());
}

/**
 * Trimmed, lower-cased email, or null when blocked or implausible: exactly one
 * `@`, non-empty local part, a dotted domain without empty labels, no whitespace.
 */
export function normalizeEmail(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = boundedText(raw, IDENTIFIER_LIMITS.email);
  if (text === null || isBlockedValue(text)) return null;
  const email = text.toLowerCase();
  if (/\s/.test(email)) return null;

  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return null;

  const labels = email.slice(at + 1).split('.');
  if (labels.length < 2 || labels.some((label) => label === '')) return null;
  return email;
}

/**
 * Vietnamese mobile prefixes retired in 2018: old 3-digit national prefix (after
 * the trunk `0`) → new 2-digit prefix. The 7 subscriber digits are unchanged.
 */
const LEGACY_VN_MOBILE_PREFIXES: Readonly<Record<string, string>> = {
  '120': '70', '121': '79', '122': '77', '126': '76', '128': '78',
  '123': '83', '124': '84', '125': '85', '127': '81', '129': '82',
  '162': '32', '163': '33', '164': '34', '165': '35', '166': '36',
  '167': '37', '168': '38', '169': '39',
  '186': '56', '188': '58', '199': '59',
};

/**
 * Trailing extension: `ext. 12`, `extension 12`, `x12`, `#12`, `;ext=12`. No leading `\s*` and
 * one optional `:` between single whitespace runs: each start position costs at most the run
 * after it (the whitespace before it is trimmed off afterwards).
 */
const EXTENSION = /(?:;\s*ext=|#|ext(?:ension|n)?\.?|x)\s*(?::\s*)?\d{1,10}$/i;

/**
 * If `compact` (`+` and digits only) is a pre-2018 11-digit Vietnamese mobile
 * number, returns its current E.164 form; otherwise null.
 * `+84…` is always Vietnamese; bare forms (`0166…`, `84166…`, `0084166…`,
 * `166…`) only when the default country is VN. An optional `0` after the
 * country code (`+84 (0) 166…`) is tolerated.
 */
function remapLegacyVnMobile(compact: string, defaultCountry: CountryCode): string | null {
  const match =
    /^\+840?(\d{10})$/.exec(compact) ??
    (defaultCountry === 'VN' ? /^(?:0084|84)?0?(\d{10})$/.exec(compact) : null);
  const nsn = match?.[1];
  if (nsn === undefined) return null;
  const newPrefix = LEGACY_VN_MOBILE_PREFIXES[nsn.slice(0, 3)];
  return newPrefix === undefined ? null : `+84${newPrefix}${nsn.slice(3)}`;
}

/**
 * E.164 phone number (`+84912345678`) or null when blocked or not a valid
 * number according to libphonenumber-js. Numbers without `+` are read in
 * `defaultCountry` (VN unless given); JS numbers are read as digit strings.
 */
export function normalizePhone(raw: unknown, defaultCountry: CountryCode = 'VN'): string | null {
  // A phone number given as a JS number must be a positive exact integer.
  if (typeof raw === 'number' && (!Number.isSafeInteger(raw) || raw <= 0)) return null;
  const text = boundedText(raw, IDENTIFIER_LIMITS.phone);
  if (text === null || isBlockedValue(text)) return null;

  // Drop any extension, then the usual separators: spaces, dots, dashes, parentheses.
  const compact = text.replace(EXTENSION, '').replace(/[\s.\-()]/g, '');
  if (!/^\+?\d+$/.test(compact)) return null;

  // Legacy VN prefixes must be rewritten first: libphonenumber still treats
  // some old 11-digit forms as valid and would return the outdated E.164.
  const candidate = remapLegacyVnMobile(compact, defaultCountry) ?? compact;
  const parsed = parsePhoneNumberFromString(candidate, defaultCountry);
  return parsed !== undefined && parsed.isValid() ? parsed.number : null;
}

/**
 * Canonical value for an identifier of the given type, or null.
 * The type name is normalised first (see normalizeIdentifierType); an invalid
 * type name yields null. `email` and `phone` use their dedicated normalisers;
 * every other type keeps its case: trimmed string, at most 255 characters,
 * numbers (safe integers only) as their decimal string. NUL is removed and lone
 * surrogates become U+FFFD, as ingestion does with the whole event.
 */
export function normalizeIdentifier(
  type: string,
  raw: unknown,
  opts: { defaultCountry?: CountryCode } = {},
): string | null {
  const normalizedType = normalizeIdentifierType(type);
  if (normalizedType === null) return null;
  if (normalizedType === 'email') return normalizeEmail(raw);
  if (normalizedType === 'phone') return normalizePhone(raw, opts.defaultCountry);

  // Floats and integers beyond 2^53 cannot be faithful identifiers.
  if (typeof raw === 'number' && !Number.isSafeInteger(raw)) return null;
  const value = boundedText(raw, IDENTIFIER_LIMITS.other);
  return value === null || isBlockedValue(value) ? null : value;
}

/**
 * snake_case identifier type name, or null. Handles camelCase (`userId`),
 * acronyms (`POSCustomerID`), kebab-case and spaces; result must be 1–64
 * characters of `[a-z0-9_]`.
 */
export function normalizeIdentifierType(raw: unknown): string | null {
  // `([A-Z]+)([A-Z][a-z])` backtracks over a long run of capitals: bound it first.
  if (typeof raw !== 'string' || raw.length > IDENTIFIER_LIMITS.typeName) return null;
  const type = raw
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2') // userId → user_Id
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2') // POSCustomer → POS_Customer
    .replace(/[\s_-]+/g, '_') // spaces, dashes, repeated underscores → one _
    .toLowerCase();
  return /^[a-z0-9_]{1,64}$/.test(type) ? type : null;
}

/**
 * Diacritics-insensitive search key for Vietnamese text:
 * `Đặng Thị Hồng` → `dang thi hong`.
 */
export function foldForSearch(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // combining marks (tones, circumflex, breve, horn)
    .replace(/[đĐ]/g, 'd') // đ has no decomposition
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
