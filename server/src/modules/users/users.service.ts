/**
 * Console users and their sessions. Passwords are argon2id hashes; a session is a random secret
 * in an HttpOnly cookie, stored as its sha256; invites are single-use hashed tokens with an
 * expiry. Roles: admin (everything), marketer, agent, viewer (reads only) — enforced by the admin
 * guard on every route (see platform/permissions.ts).
 */
import { hash, verify } from '@node-rs/argon2';
import { toDate, type Executor } from '../../db/client';
import { AppError } from '../../platform/errors';
import { newId, randomSecret, sha256 } from '../../platform/ids';
import type { Role } from '../../platform/context';
import * as repo from './users.repo';
import { claimAttempt, inviteKeys, settleSuccess, signInKeys, type Claim, type ThrottleKey } from './throttle';

export interface ConsoleUser {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
  status: 'invited' | 'active' | 'disabled';
  lastLoginAt: string | null;
  createdAt: string;
}

const SESSION_DAYS = 14;
const INVITE_DAYS = 7;
export const SESSION_COOKIE = 'omni_session';

function toUser(r: repo.UserRow): ConsoleUser {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    status: r.status as ConsoleUser['status'],
    lastLoginAt: r.last_login_at ? toDate(r.last_login_at).toISOString() : null,
    createdAt: toDate(r.created_at).toISOString(),
  };
}

const normalizeEmail = (email: string): string => email.trim().toLowerCase();

function checkPassword(password: string): void {
  if (password.length < 10) throw new AppError('validation_failed', 'password: at least 10 characters', { field: 'password' });
}

/** Unique email: a clear 409 instead of a database error. */
async function assertEmailFree(ex: Executor, email: string): Promise<void> {
  const taken = await repo.selectUserIdByEmail(ex, email);
  if (taken) throw new AppError('conflict', `A console user with email ${email} already exists`, { field: 'email' });
}

/** Invite someone: the returned token (shown once) lets them set a password within 7 days. */
export async function inviteUser(ex: Executor, workspaceId: string, input: { email: string; name: string; role: Role }): Promise<{ user: ConsoleUser; inviteToken: string }> {
  const email = normalizeEmail(input.email);
  await assertEmailFree(ex, email);
  const inviteToken = randomSecret('inv', 32);
  const row = await repo.insertInvitedUser(ex, {
    workspaceId,
    id: newId('usr'),
    email,
    name: input.name,
    role: input.role,
    inviteTokenHash: sha256(inviteToken),
    inviteDays: INVITE_DAYS,
  });
  return { user: toUser(row), inviteToken };
}

const INVITE_REFUSED = 'This invite is unknown, used or expired: ask an admin for a new one';

/**
 * Use up a live invite: undefined when the token is unknown, used or expired. The token is
 * looked up before the password is hashed, so a guessed token costs no argon2 work.
 */
async function useInvite(ex: Executor, input: { token: string; password: string; name?: string }): Promise<ConsoleUser | undefined> {
  const inviteTokenHash = sha256(input.token);
  if (!(await repo.hasLiveInvite(ex, inviteTokenHash))) return undefined;
  const name = input.name?.trim() || null;
  const row = await repo.activateInvitedUser(ex, { inviteTokenHash, passwordHash: await hash(input.password), name });
  return row ? toUser(row) : undefined;
}

/** The invited person sets their password (and may correct their name); the invite is used up. */
export async function acceptInvite(ex: Executor, input: { token: string; password: string; name?: string }): Promise<ConsoleUser> {
  checkPassword(input.password);
  const user = await useInvite(ex, input);
  if (!user) throw new AppError('unauthorized', INVITE_REFUSED);
  return user;
}

/** What the throttle needs of an attempt: where it comes from, the first lock's length, and a logger. */
export interface AttemptContext {
  ip: string | undefined;
  lockSeconds: number;
  log: { warn(obj: Record<string, unknown>, msg: string): void };
}

function tooManyAttempts(retryAfter: number): AppError {
  return new AppError('rate_limited', `Too many failed attempts: try again in ${retryAfter} seconds`, { retryAfter }, { 'retry-after': String(retryAfter) });
}

/** Count an attempt before checking it: 429 while it is throttled (see throttle.ts). */
async function claimOrRefuse(ex: Executor, keys: ThrottleKey[], at: AttemptContext): Promise<Claim> {
  const claim = await claimAttempt(ex, keys, at.lockSeconds);
  if (claim.refused) throw tooManyAttempts(claim.retryAfter);
  return claim;
}

/** The failure's answer: 401, or 429 when it is the one that brought a lock on. Only kinds and seconds are logged. */
function failedAttempt(claim: Claim, at: AttemptContext, what: 'sign-in' | 'invite', unauthorized: string): AppError {
  if (claim.retryAfterIfFails === 0) return new AppError('unauthorized', unauthorized);
  at.log.warn({ locked: claim.lockedIfFails, retryAfter: claim.retryAfterIfFails }, `${what} attempts locked after repeated failures`);
  return tooManyAttempts(claim.retryAfterIfFails);
}

/** Accept an invite and sign in at once: the console lands the new user in their workspace. Throttled per client address. */
export async function acceptInviteAndSignIn(
  ex: Executor,
  input: { token: string; password: string; name?: string },
  at: AttemptContext,
): Promise<{ user: ConsoleUser; secret: string; csrfToken: string; expiresAt: Date }> {
  checkPassword(input.password);
  const claim = await claimOrRefuse(ex, inviteKeys(at.ip), at);
  const user = await useInvite(ex, input);
  if (!user) throw failedAttempt(claim, at, 'invite', INVITE_REFUSED);
  await settleSuccess(ex, claim);
  return { user, ...(await openSession(ex, user)) };
}

/** First start (no console user anywhere yet): the bootstrap admin, from OMNI_ADMIN_EMAIL / OMNI_ADMIN_PASSWORD or a generated password (returned to print once). */
export async function ensureBootstrapAdmin(
  ex: Executor,
  workspaceId: string,
  opts: { email?: string; password?: string },
): Promise<{ email: string; password: string; generated: boolean } | undefined> {
  if ((await repo.countAllUsers(ex)) > 0) return undefined;
  const email = normalizeEmail(opts.email ?? 'admin@omni.local');
  const password = opts.password ?? randomSecret('pw', 18);
  checkPassword(password);
  // Several processes may start at once on a new database: the first insert wins, the others skip.
  const made = await repo.insertBootstrapAdmin(ex, { workspaceId, id: newId('usr'), email, passwordHash: await hash(password) });
  return made ? { email, password, generated: opts.password === undefined } : undefined;
}

/**
 * Sign in: a session secret (for the cookie) and its CSRF token. Same answer for a wrong email or
 * password, throttled per email, client address and pair (unknown emails alike) before the
 * password is checked.
 */
export async function signIn(
  ex: Executor,
  input: { email: string; password: string },
  at: AttemptContext,
): Promise<{ user: ConsoleUser; secret: string; csrfToken: string; expiresAt: Date }> {
  const email = normalizeEmail(input.email);
  const claim = await claimOrRefuse(ex, signInKeys(email, at.ip), at);
  const row = await repo.selectUserByEmail(ex, email);
  // Unknown emails cost the same argon2 verification, so timing does not tell which emails exist.
  const ok = await verify(row?.password_hash ?? (await dummyHash()), input.password);
  if (!row || !ok || row.status !== 'active') throw failedAttempt(claim, at, 'sign-in', 'Wrong email or password');
  await settleSuccess(ex, claim);
  const user = toUser(row);
  return { user, ...(await openSession(ex, user)) };
}

/** A new session for an active user: the cookie secret (stored as its sha256) and its CSRF token. */
async function openSession(ex: Executor, user: Pick<ConsoleUser, 'workspaceId' | 'id'>): Promise<{ secret: string; csrfToken: string; expiresAt: Date }> {
  const secret = randomSecret('ses', 32);
  const csrfToken = randomSecret('csrf', 24);
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
  await repo.insertSession(ex, { idHash: sha256(secret), workspaceId: user.workspaceId, userId: user.id, csrfToken, expiresAt });
  await repo.updateUserLastLogin(ex, user.workspaceId, user.id);
  return { secret, csrfToken, expiresAt };
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash(randomSecret('dummy', 24));
  return dummy;
}

export async function signOut(ex: Executor, secret: string): Promise<void> {
  await repo.deleteSession(ex, sha256(secret));
}

/** The live session for a cookie secret: its user must still be active. */
export async function findSession(ex: Executor, secret: string): Promise<{ user: ConsoleUser; csrfToken: string } | undefined> {
  const r = await repo.selectLiveSession(ex, sha256(secret));
  return r ? { user: toUser(r), csrfToken: r.csrf_token } : undefined;
}

export async function listUsers(ex: Executor, workspaceId: string): Promise<ConsoleUser[]> {
  return (await repo.selectUsers(ex, workspaceId)).map(toUser);
}

/** Change a user's role or disable them (their sessions end). The last active admin stays. */
export async function updateUser(ex: Executor, workspaceId: string, id: string, patch: { role?: Role; status?: 'active' | 'disabled'; name?: string }): Promise<ConsoleUser> {
  return ex.transaction(async (tx) => {
    const before = await repo.selectUser(tx, workspaceId, id, { forUpdate: true });
    if (!before) throw new AppError('not_found', `Console user ${id} not found`);
    const losesAdmin = before.role === 'admin' && before.status === 'active' && ((patch.role && patch.role !== 'admin') || patch.status === 'disabled');
    if (losesAdmin) {
      if ((await repo.countActiveAdmins(tx, workspaceId)) <= 1) throw new AppError('conflict', 'This is the last active admin: make someone else admin first');
    }
    const row = await repo.updateUser(tx, workspaceId, id, {
      role: patch.role ?? before.role,
      status: patch.status ?? before.status,
      name: patch.name ?? before.name,
    });
    if (patch.status === 'disabled') await repo.deleteUserSessions(tx, workspaceId, id);
    return toUser(row);
  });
}
