/**
 * Identifiers: `<prefix>_<ulid>` — sortable by creation time, so new rows land at the end of
 * indexes. Secrets (write keys, admin tokens) are random base62 and stored only as sha256.
 */
import crypto from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let lastTime = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

/** A monotonic ULID (time + randomness, increasing within one millisecond). */
export function ulid(now = Date.now()): string {
  let random: Uint8Array;
  if (now <= lastTime) {
    random = Uint8Array.from(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      random[i] = (random[i]! + 1) & 0xff;
      if (random[i] !== 0) break;
    }
    now = lastTime;
  } else {
    random = crypto.randomBytes(10);
  }
  lastTime = now;
  lastRandom = random;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  // 80 random bits → 16 base32 chars
  let bits = 0n;
  for (const b of random) bits = (bits << 8n) | BigInt(b);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = CROCKFORD[Number(bits & 31n)]! + rand;
    bits >>= 5n;
  }
  return time + rand;
}

export type IdPrefix =
  | 'ws' | 'src' | 'tok' | 'prf' | 'mrg' | 'msg'
  | 'ch' | 'loc' | 'cat' | 'prod' | 'var'
  | 'adj' | 'rsv' | 'cart' | 'ord' | 'otr' | 'ctok'
  | 'promo' | 'paud' | 'pbat' | 'pred' | 'usr' | 'aud' | 'dlq';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

export function randomSecret(prefix: string, length = 32): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return `${prefix}_${out}`;
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** HMAC-SHA256 of a value under a hex key, as hex. */
export function hmacSha256(keyHex: string, value: string): string {
  return crypto.createHmac('sha256', Buffer.from(keyHex, 'hex')).update(value).digest('hex');
}
