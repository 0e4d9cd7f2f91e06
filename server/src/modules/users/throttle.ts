/**
 * Slowing password and invite guessing, the way Keycloak's brute-force detection and django-axes
 * do, with OWASP's cautions about lockouts:
 *
 *  - failures are counted per email (guesses at one account from many addresses), per client
 *    address (one address trying many emails) and per (email, address) pair;
 *  - a key that reaches its limit locks for `signInLockSeconds`, and each further failure doubles
 *    that, up to 16 times: the lock is temporary and bounded. Attempts refused during a lock are
 *    not failures and do not extend it, so nobody can keep an account locked by hammering it
 *    faster; a run of failures is forgotten after an hour without one;
 *  - an attempt is refused before its password is checked, so a locked key costs no argon2 work,
 *    and it is counted as a failure *before* the check (and forgiven if it succeeds), so
 *    concurrent attempts cannot all slip past a limit while their checks run;
 *  - a success resets the pair and the email, and marks the pair trusted for 30 days: the email
 *    and address locks (others' failures) spare it, so an attacker elsewhere, or sharing an
 *    office address, does not lock a user out of where they usually sign in. Only the pair's own
 *    failures lock a trusted pair;
 *  - unknown emails are counted exactly like known ones and get the same answers (401, then 429).
 *
 * Counters live in PostgreSQL (the users module's `sign_in_throttle`), not in memory: several
 * processes share one database, and a per-process count would multiply the allowance by the
 * number of processes (and reset on every restart). Emails and addresses are stored only as
 * sha256 hashes, and rows are deleted once they say nothing any more.
 */
import { sha256 } from '../../platform/ids';
import type { Executor } from '../../db/client';
import * as repo from './users.repo';

export type ThrottleKind = 'pair' | 'email' | 'ip' | 'invite_ip';

interface KindRule {
  /** Failures allowed before the key locks (the failure that reaches it is answered 429). */
  lockAfter: number;
  /** Whether a trusted pair is spared this key's lock. */
  sparesTrusted: boolean;
}

export const THROTTLE_RULES: Record<ThrottleKind, KindRule> = {
  pair: { lockAfter: 5, sparesTrusted: false },
  email: { lockAfter: 10, sparesTrusted: true },
  ip: { lockAfter: 20, sparesTrusted: true },
  invite_ip: { lockAfter: 10, sparesTrusted: false },
};

/** A run of failures ends after this long without one (s). */
export const THROTTLE_WINDOW_SECONDS = 3600;
/** Each failure past the limit doubles the lock, at most this many times (16 × the first lock). */
const MAX_DOUBLINGS = 4;
/** How long a successful sign-in keeps its (email, address) pair trusted. */
const TRUST_DAYS = 30;
/** Expired rows removed per attempt. */
const CLEANUP_BATCH = 100;

export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}

/**
 * The part of a client address that identifies a client: an IPv4 address as it is, an IPv6
 * address by its /64 (one subscriber gets a whole /64, so counting single addresses would let
 * them rotate), and an IPv4-mapped IPv6 address as the IPv4 it is.
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

function expandIpv6(address: string): string[] | undefined {
  let text = address;
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail, more] = text.split('::');
  if (more !== undefined) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups.map((g) => g.replace(/^0+(?=.)/, '')) : undefined;
}

/** The keys a sign-in attempt is counted on. `email` is normalised (trimmed, lower case). */
export function signInKeys(email: string, ip: string | undefined): ThrottleKey[] {
  const address = clientAddressKey(ip);
  return [
    { kind: 'pair', key: `pair:${sha256(`${email}\n${address}`)}` },
    { kind: 'email', key: `email:${sha256(email)}` },
    { kind: 'ip', key: `ip:${sha256(address)}` },
  ];
}

/** The key an invite attempt is counted on: its client address (tokens are too random to guess one by one). */
export function inviteKeys(ip: string | undefined): ThrottleKey[] {
  return [{ kind: 'invite_ip', key: `invite_ip:${sha256(clientAddressKey(ip))}` }];
}

export interface KeyState extends ThrottleKey {
  failures: number;
  /** Seconds since the last failure; null when none. */
  sinceFailure: number | null;
  /** Seconds left on its lock (0: not locked). */
  lockedFor: number;
  /** Pairs: signed in from here before. */
  trusted: boolean;
}

export type ThrottleDecision =
  | { refused: true; retryAfter: number; locked: ThrottleKind[] }
  | {
      refused: false;
      /** What to write: the attempt counted as a failure on every key. */
      counts: { key: string; kind: ThrottleKind; lockAfter: number; failures: number; lockSeconds: number }[];
      /** If the attempt fails: 0 → 401; otherwise the lock it brought on (429 with Retry-After). */
      retryAfterIfFails: number;
      lockedIfFails: ThrottleKind[];
    };

/**
 * Decide an attempt from its keys' states (pure): refused while a key that applies to it is
 * locked; otherwise counted as a failure everywhere, with the locks that count brings.
 */
export function decideAttempt(states: KeyState[], lockSeconds: number): ThrottleDecision {
  const trusted = states.some((s) => s.kind === 'pair' && s.trusted);
  const applies = (s: KeyState) => !(trusted && THROTTLE_RULES[s.kind].sparesTrusted);
  const locked = states.filter((s) => applies(s) && s.lockedFor > 0);
  if (locked.length > 0) {
    return { refused: true, retryAfter: Math.max(...locked.map((s) => s.lockedFor)), locked: locked.map((s) => s.kind) };
  }
  const counts = states.map((s) => {
    const { lockAfter } = THROTTLE_RULES[s.kind];
    const fresh = s.sinceFailure === null || s.sinceFailure >= THROTTLE_WINDOW_SECONDS;
    const failures = fresh ? 1 : s.failures + 1;
    const lock = failures >= lockAfter ? lockSeconds * 2 ** Math.min(failures - lockAfter, MAX_DOUBLINGS) : 0;
    // A key locked for others (spared for this trusted pair) keeps the longer of its two locks.
    return { key: s.key, kind: s.kind, lockAfter, failures, lockSeconds: lock > 0 ? Math.max(lock, s.lockedFor) : 0 };
  });
  const bringing = counts.filter((c) => c.lockSeconds > 0 && applies(states.find((s) => s.key === c.key)!));
  return {
    refused: false,
    counts,
    retryAfterIfFails: bringing.length > 0 ? Math.max(...bringing.map((c) => c.lockSeconds)) : 0,
    lockedIfFails: bringing.map((c) => c.kind),
  };
}

export type Claim = Extract<ThrottleDecision, { refused: false }> & { keys: ThrottleKey[] };

/**
 * Before checking a password or token: refused (with the seconds to wait) while a key that
 * applies is locked; otherwise the attempt is counted as a failure, to be forgiven by
 * `settleSuccess` if the check passes.
 */
export async function claimAttempt(ex: Executor, keys: ThrottleKey[], lockSeconds: number): Promise<ThrottleDecision & { keys: ThrottleKey[] }> {
  await repo.deleteExpiredThrottleRows(ex, CLEANUP_BATCH);
  return ex.transaction(async (tx) => {
    const rows = await repo.lockThrottleRows(tx, keys.map((k) => ({ key: k.key, lockAfter: THROTTLE_RULES[k.kind].lockAfter })), THROTTLE_WINDOW_SECONDS);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const states: KeyState[] = keys.map((k) => {
      const r = byKey.get(k.key);
      return { ...k, failures: r?.failures ?? 0, sinceFailure: r?.since_failure ?? null, lockedFor: r?.locked_for ?? 0, trusted: r?.trusted ?? false };
    });
    const decision = decideAttempt(states, lockSeconds);
    if (!decision.refused) await repo.writeThrottleFailures(tx, decision.counts, THROTTLE_WINDOW_SECONDS);
    return { ...decision, keys };
  });
}

/**
 * The check passed: the pair and the email start over and the pair is trusted; the address
 * only takes back this attempt (its other failures were at other emails or tokens).
 */
export async function settleSuccess(ex: Executor, claim: Claim): Promise<void> {
  const of = (kind: ThrottleKind) => claim.keys.filter((k) => k.kind === kind).map((k) => k.key);
  await repo.settleThrottleSuccess(ex, { reset: of('email'), trust: of('pair'), forgive: [...of('ip'), ...of('invite_ip')], trustDays: TRUST_DAYS });
}
