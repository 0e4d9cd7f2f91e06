/**
 * Sign-in and invite throttling: per email, per client address and per pair, temporary and
 * bounded locks, a success that resets, no argon2 work while locked, and who the client is
 * (X-Forwarded-For only from a trusted proxy). Two apps share one database here, as several
 * server processes share one PostgreSQL: what one counts, the other sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../app';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import { lookupProfile } from '../profiles';
import { createTestWorkspace, openTestDb, testConfig } from '../../../test/helpers';
import { inviteUser } from './index';
import { acceptInvite } from './users.service';
import { clientAddressKey, decideAttempt, THROTTLE_RULES, THROTTLE_WINDOW_SECONDS, type KeyState } from './throttle';

// ---------------------------------------------------------------------------------------------
// The pure parts

describe('clientAddressKey', () => {
  it('keeps IPv4 as it is, reads IPv4-mapped IPv6 as IPv4, and counts IPv6 by its /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey('2001:0db8:00aa:00bb::9')).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey('2001:db8:aa:bb::1')).toBe(clientAddressKey('2001:db8:aa:bb:ffff::2'));
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});

describe('decideAttempt', () => {
  const state = (kind: KeyState['kind'], s: Partial<KeyState> = {}): KeyState => ({ kind, key: kind, failures: 0, sinceFailure: null, lockedFor: 0, trusted: false, ...s });

  describe('when no key is locked', () => {
    it('counts the attempt on every key and says what its failure would bring', () => {
      const d = decideAttempt([state('pair', { failures: 3, sinceFailure: 10 }), state('email', { failures: 3, sinceFailure: 10 }), state('ip')], 60);
      expect(d).toMatchObject({ refused: false, retryAfterIfFails: 0, lockedIfFails: [] });
      if (d.refused) throw new Error('refused');
      expect(d.counts.map((c) => c.failures)).toEqual([4, 4, 1]);
    });

    it('locks at the limit, doubling with each further failure up to 16 times', () => {
      const pairAt = (failures: number) => decideAttempt([state('pair', { failures, sinceFailure: 5 })], 60);
      const lockAfter = THROTTLE_RULES.pair.lockAfter;
      expect(pairAt(lockAfter - 2)).toMatchObject({ retryAfterIfFails: 0 });
      expect([1, 2, 3, 4, 5, 6, 10].map((n) => pairAt(lockAfter - 2 + n))).toEqual(
        [60, 120, 240, 480, 960, 960, 960].map((s) => expect.objectContaining({ retryAfterIfFails: s, lockedIfFails: ['pair'] })),
      );
    });

    it('starts a new run after an hour without failures', () => {
      const d = decideAttempt([state('pair', { failures: 40, sinceFailure: THROTTLE_WINDOW_SECONDS })], 60);
      expect(d).toMatchObject({ refused: false, retryAfterIfFails: 0, counts: [expect.objectContaining({ failures: 1 })] });
    });
  });

  describe('when a key is locked', () => {
    it('refuses with the longest wait of the locks that apply', () => {
      expect(decideAttempt([state('pair', { lockedFor: 30 }), state('email', { lockedFor: 90 }), state('ip')], 60)).toEqual({ refused: true, retryAfter: 90, locked: ['pair', 'email'] });
    });

    it('spares a trusted pair the email and address locks, never its own', () => {
      const spared = decideAttempt([state('pair', { trusted: true }), state('email', { failures: 30, sinceFailure: 1, lockedFor: 500 }), state('ip', { lockedFor: 100, failures: 25, sinceFailure: 1 })], 60);
      expect(spared).toMatchObject({ refused: false, retryAfterIfFails: 0 });
      // Its failure still counts on the email and address, and never shortens their locks.
      if (spared.refused) throw new Error('refused');
      expect(spared.counts.find((c) => c.kind === 'email')).toMatchObject({ failures: 31, lockSeconds: 960 });
      expect(spared.counts.find((c) => c.kind === 'ip')).toMatchObject({ failures: 26, lockSeconds: 960 });
      expect(decideAttempt([state('pair', { trusted: true, lockedFor: 20 }), state('email')], 60)).toMatchObject({ refused: true, retryAfter: 20 });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Over HTTP

const run = Math.random().toString(36).slice(2, 8);
const email = (who: string) => `${who}.${run}@example.vn`;
const PASSWORD = 'mat-khau-rat-dai-2026';
const WRONG = 'sai-mat-khau-123';
const PROXY = '10.250.0.1';
let ipSeq = 0;
/** A client address no other test uses (the PostgreSQL database is shared by the files of a run). */
const newIp = () => `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.${++ipSeq % 250}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The first lock (s): long enough for a loaded machine to make its refused attempts within it. */
const LOCK = 2;
const waitOut = (seconds: number) => sleep(seconds * 1000 + 150);
/** Retry-After of an attempt refused during a lock: what is left of it, rounded up. */
const withinLock = expect.stringMatching(new RegExp(`^[1-${LOCK}]$`));

let db: Database;
/** Locks of LOCK s; https public URL; no proxy trusted. */
let direct: BuiltApp;
/** The same database behind a TLS proxy at PROXY; http public URL. */
let proxied: BuiltApp;
const logLines: string[] = [];

async function appOver(overrides: Partial<Config>): Promise<BuiltApp> {
  const logStream = { write: (line: string) => void logLines.push(line) };
  return buildApp({ config: testConfig({ runWorkers: false, signInLockSeconds: LOCK, logLevel: 'info', ...overrides }), db, logStream });
}

beforeAll(async () => {
  ({ db } = await openTestDb());
  direct = await appOver({ publicUrl: 'https://omni.shop.vn' });
  proxied = await appOver({ trustProxy: [PROXY], publicUrl: 'http://omni.internal:3000' });
});
afterAll(async () => {
  await direct?.app.close();
  await proxied?.app.close();
  await db?.close();
});

/** A console user with PASSWORD in a workspace of their own. */
async function makeUser(who: string): Promise<string> {
  const ws = await createTestWorkspace({ db });
  const address = email(who);
  const { inviteToken } = await inviteUser(db.orm, ws.workspaceId, { email: address, name: who, role: 'admin' });
  await acceptInvite(db.orm, { token: inviteToken, password: PASSWORD });
  return address;
}

interface Attempt {
  status: number;
  retryAfter: string | undefined;
  code: string | undefined;
  message: string | undefined;
  cookie: string;
}

async function signIn(app: BuiltApp, address: string, password: string, from: { ip: string; forwardedFor?: string }): Promise<Attempt> {
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    remoteAddress: from.ip,
    headers: from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {},
    payload: { email: address, password },
  });
  const body = res.json<{ error?: { code: string; message: string } }>();
  const retryAfter = res.headers['retry-after'];
  return { status: res.statusCode, retryAfter: retryAfter === undefined ? undefined : String(retryAfter), code: body.error?.code, message: body.error?.message, cookie: String(res.headers['set-cookie'] ?? '') };
}

async function failTimes(n: number, app: BuiltApp, address: string, from: { ip: string; forwardedFor?: string }): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await signIn(app, address, WRONG, from)).status);
  return statuses;
}

const PAIR = THROTTLE_RULES.pair.lockAfter;
const EMAIL = THROTTLE_RULES.email.lockAfter;
const IP = THROTTLE_RULES.ip.lockAfter;

describe('POST /api/v1/session', () => {
  describe('when one email keeps failing from one address', () => {
    it('answers 401 until the limit, whose failure gets 429 with Retry-After; the right password waits for the lock to end', async () => {
      const address = await makeUser('pair');
      const ip = newIp();
      expect(await failTimes(PAIR - 1, direct, address, { ip })).toEqual(Array(PAIR - 1).fill(401));
      const locked = await signIn(direct, address, WRONG, { ip });
      expect(locked).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: String(LOCK) });
      expect(locked.message).toBe(`Too many failed attempts: try again in ${LOCK} seconds`);
      // The right password during the lock is refused too (unchecked: a lock costs no argon2 work
      // and tells nothing), and so is every other attempt; none of them extends the lock.
      for (let i = 0; i < 3; i++) expect(await signIn(direct, address, PASSWORD, { ip })).toMatchObject({ status: 429, retryAfter: withinLock });
      // The other process sharing the database sees the same lock.
      expect((await signIn(proxied, address, PASSWORD, { ip: PROXY, forwardedFor: ip })).status).toBe(429);
      await waitOut(LOCK);
      const ok = await signIn(direct, address, PASSWORD, { ip });
      expect(ok.status).toBe(200);
      // A success resets the pair: a full allowance of failures again before the next lock.
      expect(await failTimes(PAIR - 1, direct, address, { ip })).toEqual(Array(PAIR - 1).fill(401));
    });

    it('locks longer with each failure past the limit, and never for good', async () => {
      const address = await makeUser('longer');
      const ip = newIp();
      await failTimes(PAIR, direct, address, { ip });
      await waitOut(LOCK);
      expect(await signIn(direct, address, WRONG, { ip })).toMatchObject({ status: 429, retryAfter: String(2 * LOCK) });
      await waitOut(2 * LOCK);
      expect((await signIn(direct, address, PASSWORD, { ip })).status).toBe(200);
    }, 30_000);

    it('lets another email from that address and that email from another address sign in', async () => {
      const address = await makeUser('other-ways');
      const colleague = await makeUser('colleague');
      const ip = newIp();
      await failTimes(PAIR, direct, address, { ip });
      expect((await signIn(direct, address, PASSWORD, { ip })).status).toBe(429);
      expect((await signIn(direct, colleague, WRONG, { ip })).status).toBe(401);
      expect((await signIn(direct, colleague, PASSWORD, { ip })).status).toBe(200);
      expect((await signIn(direct, address, PASSWORD, { ip: newIp() })).status).toBe(200);
    });

    it('lets concurrent attempts no further than the limit', async () => {
      const address = await makeUser('burst');
      const ip = newIp();
      const burst = await Promise.all(Array.from({ length: PAIR + 7 }, () => signIn(direct, address, WRONG, { ip })));
      const statuses = burst.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array(PAIR - 1).fill(401), ...Array(8).fill(429)]);
    });
  });

  describe('when an email is not known', () => {
    it('gets the same answers as a known one, 401 then 429', async () => {
      const known = await makeUser('known');
      const ip = newIp();
      const unknown: Attempt[] = [];
      const wrong: Attempt[] = [];
      for (let i = 0; i < PAIR + 1; i++) {
        unknown.push(await signIn(direct, email('nobody'), WRONG, { ip }));
        wrong.push(await signIn(direct, known, WRONG, { ip }));
      }
      const shape = (a: Attempt) => [a.status, a.code, a.message?.replace(/\d+/g, 'N'), a.retryAfter !== undefined];
      expect(unknown.map(shape)).toEqual(wrong.map(shape));
      expect(unknown.map((a) => a.status)).toEqual([...Array(PAIR - 1).fill(401), 429, 429]);
    });
  });

  describe('when one email is tried from many addresses', () => {
    it('locks the email for unknown addresses, sparing where its user signed in before', async () => {
      const address = await makeUser('sprayed');
      const home = newIp();
      expect((await signIn(direct, address, PASSWORD, { ip: home })).status).toBe(200);
      // Two failures from each of many addresses: no pair reaches its limit, the email does.
      const attempts: number[] = [];
      for (let i = 0; i < EMAIL / 2; i++) attempts.push(...(await failTimes(2, direct, address, { ip: newIp() })));
      expect(attempts).toEqual([...Array(EMAIL - 1).fill(401), 429]);
      expect(await signIn(direct, address, PASSWORD, { ip: newIp() })).toMatchObject({ status: 429, retryAfter: withinLock });
      // At home the user is not locked out by the attacker elsewhere; their success resets the email.
      expect((await signIn(direct, address, PASSWORD, { ip: home })).status).toBe(200);
      expect((await signIn(direct, address, PASSWORD, { ip: newIp() })).status).toBe(200);
    });
  });

  describe('when one address tries many emails', () => {
    it('locks the address for emails that never signed in from it', async () => {
      const regular = await makeUser('regular');
      const newcomer = await makeUser('newcomer');
      const office = newIp();
      expect((await signIn(direct, regular, PASSWORD, { ip: office })).status).toBe(200);
      const attempts: number[] = [];
      for (let i = 0; i < IP; i++) attempts.push((await signIn(direct, email(`spray-${i}`), WRONG, { ip: office })).status);
      expect(attempts).toEqual([...Array(IP - 1).fill(401), 429]);
      expect((await signIn(direct, email('spray-next'), WRONG, { ip: office })).status).toBe(429);
      expect((await signIn(direct, newcomer, PASSWORD, { ip: office })).status).toBe(429);
      // Whoever signed in from this address before still can; the same emails elsewhere are not locked.
      expect((await signIn(direct, regular, PASSWORD, { ip: office })).status).toBe(200);
      expect((await signIn(direct, email('spray-0'), WRONG, { ip: newIp() })).status).toBe(401);
      expect((await signIn(direct, newcomer, PASSWORD, { ip: newIp() })).status).toBe(200);
    });
  });

  describe('when it logs', () => {
    it('writes no email, password or address, only which kinds of key locked', async () => {
      const address = await makeUser('quiet');
      const ip = newIp();
      const from = logLines.length;
      await failTimes(PAIR + 1, direct, address, { ip });
      const lines = logLines.slice(from);
      const lock = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => typeof l.msg === 'string' && l.msg.includes('locked after repeated failures'));
      expect(lock).toMatchObject({ level: 40, locked: ['pair'], retryAfter: LOCK });
      const text = lines.join('\n');
      expect(text).not.toContain(address);
      expect(text).not.toContain(address.split('@')[0]);
      expect(text).not.toContain(WRONG);
      // The request log names the client's address (as every request line does); the lock line does not.
      expect(JSON.stringify(lock)).not.toContain(ip);
    });
  });
});

describe('POST /api/v1/invites/accept', () => {
  const accept = (app: BuiltApp, token: string, ip: string, password = 'mat-khau-moi-dai') =>
    app.app.inject({ method: 'POST', url: '/api/v1/invites/accept', remoteAddress: ip, payload: { token, password } });

  describe('when an address keeps guessing tokens', () => {
    it('locks that address (a real token included) until the lock ends; others accept theirs', async () => {
      const ws = await createTestWorkspace({ db });
      const mine = await inviteUser(db.orm, ws.workspaceId, { email: email('invited'), name: 'Mới', role: 'viewer' });
      const theirs = await inviteUser(db.orm, ws.workspaceId, { email: email('invited-2'), name: 'Khác', role: 'viewer' });
      const guesser = newIp();
      const lockAfter = THROTTLE_RULES.invite_ip.lockAfter;
      const statuses: number[] = [];
      for (let i = 0; i < lockAfter; i++) statuses.push((await accept(direct, `inv_guess${i}`, guesser)).statusCode);
      expect(statuses).toEqual([...Array(lockAfter - 1).fill(401), 429]);
      const refused = await accept(direct, mine.inviteToken, guesser);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toEqual(withinLock);
      // A short password is a 400 before any count, and the guesser's lock is theirs alone.
      expect((await accept(direct, 'inv_x', newIp(), 'short')).statusCode).toBe(400);
      expect((await accept(direct, theirs.inviteToken, newIp())).statusCode).toBe(200);
      await waitOut(LOCK);
      expect((await accept(direct, mine.inviteToken, guesser)).statusCode).toBe(200);
    });
  });
});

describe('the session cookie', () => {
  it('is Secure when the public URL is https, even over plain http', async () => {
    const address = await makeUser('secure');
    const ok = await signIn(direct, address, PASSWORD, { ip: newIp() });
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/; Secure/);
    const session = ok.cookie.split(';')[0]!;
    const me = await direct.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: session } });
    const out = await direct.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: session, 'x-csrf-token': me.json<{ csrfToken: string }>().csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0.*; Secure/);
  });

  it('is not Secure when the public URL is http, unless the trusted proxy says the client used https', async () => {
    const address = await makeUser('plain');
    const plain = await signIn(proxied, address, PASSWORD, { ip: newIp() });
    expect(plain.status).toBe(200);
    expect(plain.cookie).toMatch(/HttpOnly/);
    expect(plain.cookie).not.toMatch(/Secure/);
    const viaTls = await proxied.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: PROXY, headers: { 'x-forwarded-for': newIp(), 'x-forwarded-proto': 'https' }, payload: { email: address, password: PASSWORD } });
    expect(String(viaTls.headers['set-cookie'])).toMatch(/; Secure/);
    // The same header from a peer that is not the proxy is not believed.
    const forged = await proxied.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: newIp(), headers: { 'x-forwarded-proto': 'https' }, payload: { email: address, password: PASSWORD } });
    expect(forged.statusCode).toBe(200);
    expect(String(forged.headers['set-cookie'])).not.toMatch(/Secure/);
  });
});

describe('the client address', () => {
  describe('when no proxy is trusted', () => {
    it('is the peer: a forged X-Forwarded-For neither splits the counts nor reaches the audit trail', async () => {
      const address = await makeUser('forger');
      const ip = newIp();
      const statuses: number[] = [];
      for (let i = 0; i < PAIR; i++) statuses.push((await signIn(direct, address, WRONG, { ip, forwardedFor: newIp() })).status);
      expect(statuses).toEqual([...Array(PAIR - 1).fill(401), 429]);
      expect(await auditedIp(direct, { ip, forwardedFor: '198.51.100.7' })).toBe(ip);
    });
  });

  describe('when the proxy is trusted', () => {
    it('is the client the proxy names: each client counted on its own, and recorded in the audit trail', async () => {
      const address = await makeUser('behind-proxy');
      const client = newIp();
      const statuses: number[] = [];
      for (let i = 0; i < PAIR; i++) statuses.push((await signIn(proxied, address, WRONG, { ip: PROXY, forwardedFor: client })).status);
      expect(statuses).toEqual([...Array(PAIR - 1).fill(401), 429]);
      // Another client behind the same proxy is not the locked one.
      expect((await signIn(proxied, address, PASSWORD, { ip: PROXY, forwardedFor: newIp() })).status).toBe(200);
      expect(await auditedIp(proxied, { ip: PROXY, forwardedFor: `198.51.100.9, ${client}` })).toBe(client);
      // A peer that is not the proxy cannot name a client.
      const stranger = newIp();
      expect(await auditedIp(proxied, { ip: stranger, forwardedFor: client })).toBe(stranger);
    });
  });
});

/** Export a person's data (an audited action) from this address; the address the audit trail recorded. */
async function auditedIp(app: BuiltApp, from: { ip: string; forwardedFor: string }): Promise<string | null> {
  const ws = await createTestWorkspace({ db });
  const person = `audit-${Math.random().toString(36).slice(2)}@example.vn`;
  const identify = await app.app.inject({ method: 'POST', url: '/v1/identify', headers: ws.basic, payload: { userId: person, traits: { email: person } } });
  expect(identify.statusCode).toBe(200);
  const profile = await lookupProfile(db.orm, { workspaceId: ws.workspaceId, type: 'email', value: person, defaultCountry: 'VN' });
  const exported = await app.app.inject({ method: 'GET', url: `/api/v1/profiles/${profile.id}/export`, remoteAddress: from.ip, headers: { ...ws.admin, 'x-forwarded-for': from.forwardedFor } });
  expect(exported.statusCode).toBe(200);
  const audit = await app.app.inject({ method: 'GET', url: '/api/v1/audit?action=personal_data.exported', headers: ws.admin });
  return audit.json<{ data: { ip: string | null }[] }>().data[0]?.ip ?? null;
}
