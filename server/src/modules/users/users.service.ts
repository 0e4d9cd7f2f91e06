/**
 * Console users and their sessions. Passwords are argon2id hashes; a session is a random secret
 * in an HttpOnly cookie, stored as its sha256; invites are single-use hashed tokens with an
 * expiry. Roles: admin (everything), marketer, agent, viewer (reads only) — enforced by the admin
 * guard on every route (see `permits`).
 */
import { hash, verify } from '@node-rs/argon2';
import { sql } from 'drizzle-orm';
import { firstRow, rows, toDate, type Executor } from '../../db/client';
import { AppError } from '../../platform/errors';
import { newId, randomSecret, sha256 } from '../../platform/ids';
import type { Role } from '../../platform/context';

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

interface UserRow {
  workspace_id: string;
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  password_hash: string | null;
  last_login_at: Date | string | null;
  created_at: Date | string;
}

const COLUMNS = sql.raw('workspace_id, id, email, name, role, status, password_hash, last_login_at, created_at');
const SESSION_DAYS = 14;
const INVITE_DAYS = 7;
export const SESSION_COOKIE = 'omni_session';

function toUser(r: UserRow): ConsoleUser {
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
  const taken = await firstRow<{ id: string }>(ex, sql`SELECT id FROM console_users WHERE email = ${email}`);
  if (taken) throw new AppError('conflict', `A console user with email ${email} already exists`, { field: 'email' });
}

/** Invite someone: the returned token (shown once) lets them set a password within 7 days. */
export async function inviteUser(ex: Executor, workspaceId: string, input: { email: string; name: string; role: Role }): Promise<{ user: ConsoleUser; inviteToken: string }> {
  const email = normalizeEmail(input.email);
  await assertEmailFree(ex, email);
  const inviteToken = randomSecret('inv', 32);
  const row = await firstRow<UserRow>(
    ex,
    sql`INSERT INTO console_users (workspace_id, id, email, name, role, status, invite_token_hash, invite_expires_at)
        VALUES (${workspaceId}, ${newId('usr')}, ${email}, ${input.name}, ${input.role}, 'invited', ${sha256(inviteToken)},
          now() + make_interval(days => ${INVITE_DAYS}))
        RETURNING ${COLUMNS}`,
  );
  return { user: toUser(row!), inviteToken };
}

/** The invited person sets their password (and may correct their name); the invite is used up. */
export async function acceptInvite(ex: Executor, input: { token: string; password: string; name?: string }): Promise<ConsoleUser> {
  checkPassword(input.password);
  const name = input.name?.trim() || null;
  const passwordHash = await hash(input.password);
  const row = await firstRow<UserRow>(
    ex,
    sql`UPDATE console_users SET password_hash = ${passwordHash}, status = 'active', invite_token_hash = NULL, invite_expires_at = NULL,
          name = COALESCE(${name}::text, name), updated_at = now()
        WHERE invite_token_hash = ${sha256(input.token)} AND invite_expires_at > now() AND status = 'invited'
        RETURNING ${COLUMNS}`,
  );
  if (!row) throw new AppError('unauthorized', 'This invite is unknown, used or expired: ask an admin for a new one');
  return toUser(row);
}

/** Accept an invite and sign in at once: the console lands the new user in their workspace. */
export async function acceptInviteAndSignIn(
  ex: Executor,
  input: { token: string; password: string; name?: string },
): Promise<{ user: ConsoleUser; secret: string; csrfToken: string; expiresAt: Date }> {
  const user = await acceptInvite(ex, input);
  return { user, ...(await openSession(ex, user)) };
}

/** First start (no console user anywhere yet): the bootstrap admin, from OMNI_ADMIN_EMAIL / OMNI_ADMIN_PASSWORD or a generated password (returned to print once). */
export async function ensureBootstrapAdmin(
  ex: Executor,
  workspaceId: string,
  opts: { email?: string; password?: string },
): Promise<{ email: string; password: string; generated: boolean } | undefined> {
  const any = await firstRow<{ n: number }>(ex, sql`SELECT count(*)::int AS n FROM console_users`);
  if ((any?.n ?? 0) > 0) return undefined;
  const email = normalizeEmail(opts.email ?? 'admin@omni.local');
  const password = opts.password ?? randomSecret('pw', 18);
  checkPassword(password);
  // Several processes may start at once on a new database: the first insert wins, the others skip.
  const made = await firstRow<{ id: string }>(
    ex,
    sql`INSERT INTO console_users (workspace_id, id, email, name, role, status, password_hash)
        VALUES (${workspaceId}, ${newId('usr')}, ${email}, 'Admin', 'admin', 'active', ${await hash(password)})
        ON CONFLICT (email) DO NOTHING RETURNING id`,
  );
  return made ? { email, password, generated: opts.password === undefined } : undefined;
}

/** Sign in: a session secret (for the cookie) and its CSRF token. Same answer for a wrong email or password. */
export async function signIn(ex: Executor, input: { email: string; password: string }): Promise<{ user: ConsoleUser; secret: string; csrfToken: string; expiresAt: Date }> {
  const row = await firstRow<UserRow>(ex, sql`SELECT ${COLUMNS} FROM console_users WHERE email = ${normalizeEmail(input.email)}`);
  // Unknown emails cost the same argon2 verification, so timing does not tell which emails exist.
  const ok = await verify(row?.password_hash ?? (await dummyHash()), input.password);
  if (!row || !ok || row.status !== 'active') throw new AppError('unauthorized', 'Wrong email or password');
  const user = toUser(row);
  return { user, ...(await openSession(ex, user)) };
}

/** A new session for an active user: the cookie secret (stored as its sha256) and its CSRF token. */
async function openSession(ex: Executor, user: Pick<ConsoleUser, 'workspaceId' | 'id'>): Promise<{ secret: string; csrfToken: string; expiresAt: Date }> {
  const secret = randomSecret('ses', 32);
  const csrfToken = randomSecret('csrf', 24);
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
  await ex.execute(
    sql`INSERT INTO console_sessions (id_hash, workspace_id, user_id, csrf_token, expires_at)
        VALUES (${sha256(secret)}, ${user.workspaceId}, ${user.id}, ${csrfToken}, ${expiresAt.toISOString()})`,
  );
  await ex.execute(sql`UPDATE console_users SET last_login_at = now() WHERE workspace_id = ${user.workspaceId} AND id = ${user.id}`);
  return { secret, csrfToken, expiresAt };
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash(randomSecret('dummy', 24));
  return dummy;
}

export async function signOut(ex: Executor, secret: string): Promise<void> {
  await ex.execute(sql`DELETE FROM console_sessions WHERE id_hash = ${sha256(secret)}`);
}

/** The live session for a cookie secret: its user must still be active. */
export async function findSession(ex: Executor, secret: string): Promise<{ user: ConsoleUser; csrfToken: string } | undefined> {
  const r = await firstRow<UserRow & { csrf_token: string }>(
    ex,
    sql`SELECT u.workspace_id, u.id, u.email, u.name, u.role, u.status, u.password_hash, u.last_login_at, u.created_at, s.csrf_token
        FROM console_sessions s JOIN console_users u ON u.workspace_id = s.workspace_id AND u.id = s.user_id
        WHERE s.id_hash = ${sha256(secret)} AND s.expires_at > now() AND u.status = 'active'`,
  );
  return r ? { user: toUser(r), csrfToken: r.csrf_token } : undefined;
}

export async function listUsers(ex: Executor, workspaceId: string): Promise<ConsoleUser[]> {
  return (await rows<UserRow>(ex, sql`SELECT ${COLUMNS} FROM console_users WHERE workspace_id = ${workspaceId} ORDER BY created_at, id`)).map(toUser);
}

/** Change a user's role or disable them (their sessions end). The last active admin stays. */
export async function updateUser(ex: Executor, workspaceId: string, id: string, patch: { role?: Role; status?: 'active' | 'disabled'; name?: string }): Promise<ConsoleUser> {
  return ex.transaction(async (tx) => {
    const before = await firstRow<UserRow>(tx, sql`SELECT ${COLUMNS} FROM console_users WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`);
    if (!before) throw new AppError('not_found', `Console user ${id} not found`);
    const losesAdmin = before.role === 'admin' && before.status === 'active' && ((patch.role && patch.role !== 'admin') || patch.status === 'disabled');
    if (losesAdmin) {
      const admins = await firstRow<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM console_users WHERE workspace_id = ${workspaceId} AND role = 'admin' AND status = 'active'`,
      );
      if ((admins?.n ?? 0) <= 1) throw new AppError('conflict', 'This is the last active admin: make someone else admin first');
    }
    const row = await firstRow<UserRow>(
      tx,
      sql`UPDATE console_users SET role = ${patch.role ?? before.role}, status = ${patch.status ?? before.status}, name = ${patch.name ?? before.name}, updated_at = now()
          WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${COLUMNS}`,
    );
    if (patch.status === 'disabled') await tx.execute(sql`DELETE FROM console_sessions WHERE workspace_id = ${workspaceId} AND user_id = ${id}`);
    return toUser(row!);
  });
}

/**
 * What each role may change (every role may read). Paths are matched against the URL without
 * its query; admin may do everything.
 */
const WRITES: [RegExp, Role[]][] = [
  [/^\/api\/v1\/pricing\/quote$/, ['marketer', 'agent', 'viewer']], // a read that needs a body
  [/^\/api\/v1\/session$/, ['marketer', 'agent', 'viewer']], // sign out
  [/^\/api\/v1\/promotions(\/|$)/, ['marketer']],
  [/^\/api\/v1\/(products|variants|categories)(\/|$)/, ['marketer']],
  [/^\/api\/v1\/profiles\/[^/]+\/cart(\/|$)/, ['agent']],
  [/^\/api\/v1\/orders(\/|$)/, ['agent']],
  [/^\/api\/v1\/reservations(\/|$)/, ['agent']],
  [/^\/api\/v1\/customer-tokens(\/|$)/, ['agent']],
];

export function permits(role: Role, method: string, path: string): boolean {
  if (role === 'admin') return true;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  return WRITES.some(([re, roles]) => re.test(path) && roles.includes(role));
}
