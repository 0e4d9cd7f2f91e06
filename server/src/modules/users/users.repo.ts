/**
 * The only file with SQL for console_users (which also holds the invites: a hashed token and its
 * expiry on the invited user's row) and console_sessions.
 *
 * Every query is scoped by workspace_id, except the few that must find a row before its
 * workspace is known, as the service always has: an email (one account per email across all
 * workspaces, so sign-in and the uniqueness check look it up alone), an invite token hash
 * (unique), a session's hashed secret (the primary key) and the "any console user at all?"
 * check of the first start. Each says so below.
 */
import { sql } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';

export interface UserRow {
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

const USER_COLUMNS = sql.raw('workspace_id, id, email, name, role, status, password_hash, last_login_at, created_at');

// ---------------------------------------------------------------------------------------------
// Users

/** The user with this (normalised) email in any workspace: emails are unique across workspaces. */
export async function selectUserByEmail(ex: Executor, email: string): Promise<UserRow | undefined> {
  return firstRow<UserRow>(ex, sql`SELECT ${USER_COLUMNS} FROM console_users WHERE email = ${email}`);
}

/** Whether any workspace has a user with this (normalised) email: emails are unique across workspaces. */
export async function selectUserIdByEmail(ex: Executor, email: string): Promise<{ id: string } | undefined> {
  return firstRow<{ id: string }>(ex, sql`SELECT id FROM console_users WHERE email = ${email}`);
}

export async function selectUser(ex: Executor, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<UserRow | undefined> {
  return firstRow<UserRow>(
    ex,
    sql`SELECT ${USER_COLUMNS} FROM console_users WHERE workspace_id = ${workspaceId} AND id = ${id} ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
}

export async function selectUsers(ex: Executor, workspaceId: string): Promise<UserRow[]> {
  return rows<UserRow>(ex, sql`SELECT ${USER_COLUMNS} FROM console_users WHERE workspace_id = ${workspaceId} ORDER BY created_at, id`);
}

/** Console users in all workspaces together: the first start creates an admin only when there is none anywhere. */
export async function countAllUsers(ex: Executor): Promise<number> {
  const r = await firstRow<{ n: number }>(ex, sql`SELECT count(*)::int AS n FROM console_users`);
  return r?.n ?? 0;
}

export async function countActiveAdmins(ex: Executor, workspaceId: string): Promise<number> {
  const r = await firstRow<{ n: number }>(
    ex,
    sql`SELECT count(*)::int AS n FROM console_users WHERE workspace_id = ${workspaceId} AND role = 'admin' AND status = 'active'`,
  );
  return r?.n ?? 0;
}

/** An invited user: no password yet, the invite token's hash valid for `inviteDays` from now (database clock). */
export async function insertInvitedUser(
  ex: Executor,
  u: { workspaceId: string; id: string; email: string; name: string; role: string; inviteTokenHash: string; inviteDays: number },
): Promise<UserRow> {
  return (await firstRow<UserRow>(
    ex,
    sql`INSERT INTO console_users (workspace_id, id, email, name, role, status, invite_token_hash, invite_expires_at)
        VALUES (${u.workspaceId}, ${u.id}, ${u.email}, ${u.name}, ${u.role}, 'invited', ${u.inviteTokenHash},
          now() + make_interval(days => ${u.inviteDays}))
        RETURNING ${USER_COLUMNS}`,
  ))!;
}

/** Whether a live invite has this token hash (unique across workspaces, so looked up alone). */
export async function hasLiveInvite(ex: Executor, inviteTokenHash: string): Promise<boolean> {
  const r = await firstRow<{ id: string }>(
    ex,
    sql`SELECT id FROM console_users WHERE invite_token_hash = ${inviteTokenHash} AND invite_expires_at > now() AND status = 'invited'`,
  );
  return r !== undefined;
}

/**
 * Use up a live invite, found by its token hash alone (unique across workspaces): the user gets
 * the password, becomes active and keeps their name unless one is given. Undefined when the
 * invite is unknown, used or expired.
 */
export async function activateInvitedUser(
  ex: Executor,
  a: { inviteTokenHash: string; passwordHash: string; name: string | null },
): Promise<UserRow | undefined> {
  return firstRow<UserRow>(
    ex,
    sql`UPDATE console_users SET password_hash = ${a.passwordHash}, status = 'active', invite_token_hash = NULL, invite_expires_at = NULL,
          name = COALESCE(${a.name}::text, name), updated_at = now()
        WHERE invite_token_hash = ${a.inviteTokenHash} AND invite_expires_at > now() AND status = 'invited'
        RETURNING ${USER_COLUMNS}`,
  );
}

/** The first start's admin, unless the email exists (another process won the race): undefined then. */
export async function insertBootstrapAdmin(
  ex: Executor,
  u: { workspaceId: string; id: string; email: string; passwordHash: string },
): Promise<{ id: string } | undefined> {
  return firstRow<{ id: string }>(
    ex,
    sql`INSERT INTO console_users (workspace_id, id, email, name, role, status, password_hash)
        VALUES (${u.workspaceId}, ${u.id}, ${u.email}, 'Admin', 'admin', 'active', ${u.passwordHash})
        ON CONFLICT (email) DO NOTHING RETURNING id`,
  );
}

/** Called on a row the caller has locked (FOR UPDATE), so it exists. */
export async function updateUser(
  ex: Executor,
  workspaceId: string,
  id: string,
  set: { role: string; status: string; name: string },
): Promise<UserRow> {
  return (await firstRow<UserRow>(
    ex,
    sql`UPDATE console_users SET role = ${set.role}, status = ${set.status}, name = ${set.name}, updated_at = now()
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${USER_COLUMNS}`,
  ))!;
}

export async function updateUserLastLogin(ex: Executor, workspaceId: string, id: string): Promise<void> {
  await ex.execute(sql`UPDATE console_users SET last_login_at = now() WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

// ---------------------------------------------------------------------------------------------
// Sessions

export async function insertSession(
  ex: Executor,
  s: { idHash: string; workspaceId: string; userId: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await ex.execute(
    sql`INSERT INTO console_sessions (id_hash, workspace_id, user_id, csrf_token, expires_at)
        VALUES (${s.idHash}, ${s.workspaceId}, ${s.userId}, ${s.csrfToken}, ${s.expiresAt.toISOString()})`,
  );
}

/**
 * The unexpired session with this hashed secret, with its user if still active. Looked up by the
 * hash alone (the primary key): the cookie is all the request has, and the session row is what tells its workspace.
 */
export async function selectLiveSession(ex: Executor, idHash: string): Promise<(UserRow & { csrf_token: string }) | undefined> {
  return firstRow<UserRow & { csrf_token: string }>(
    ex,
    sql`SELECT u.workspace_id, u.id, u.email, u.name, u.role, u.status, u.password_hash, u.last_login_at, u.created_at, s.csrf_token
        FROM console_sessions s JOIN console_users u ON u.workspace_id = s.workspace_id AND u.id = s.user_id
        WHERE s.id_hash = ${idHash} AND s.expires_at > now() AND u.status = 'active'`,
  );
}

/** Sign-out: by the hashed secret alone (the primary key), as the cookie is all the request has. */
export async function deleteSession(ex: Executor, idHash: string): Promise<void> {
  await ex.execute(sql`DELETE FROM console_sessions WHERE id_hash = ${idHash}`);
}

export async function deleteUserSessions(ex: Executor, workspaceId: string, userId: string): Promise<void> {
  await ex.execute(sql`DELETE FROM console_sessions WHERE workspace_id = ${workspaceId} AND user_id = ${userId}`);
}

// ---------------------------------------------------------------------------------------------
// Sign-in throttle (see throttle.ts). Keyed by hashes of emails and client addresses, before any
// workspace is known: no workspace_id, like the sign-in's own lookup by email.

export interface ThrottleRow {
  key: string;
  failures: number;
  /** Seconds since the last failure counted; null when none. */
  since_failure: number | null;
  /** Seconds the key stays locked; 0 when it is not. */
  locked_for: number;
  trusted: boolean;
}

/**
 * The rows of these keys, made if missing and locked until the transaction ends: concurrent
 * attempts on a key (from any process) queue here, so none is decided on a stale count.
 */
export async function lockThrottleRows(tx: Executor, entries: { key: string; lockAfter: number }[], windowSeconds: number): Promise<ThrottleRow[]> {
  await tx.execute(
    sql`INSERT INTO sign_in_throttle (key, lock_after, expires_at)
        SELECT e.key, e.lock_after, now() + make_interval(secs => ${windowSeconds})
        FROM jsonb_to_recordset(${JSON.stringify(entries.map((e) => ({ key: e.key, lock_after: e.lockAfter })))}::jsonb) AS e(key text, lock_after int)
        ON CONFLICT (key) DO NOTHING`,
  );
  return rows<ThrottleRow>(
    tx,
    sql`SELECT key, failures,
          floor(extract(epoch FROM now() - last_failure_at))::int AS since_failure,
          greatest(0, ceil(extract(epoch FROM locked_until - now())))::int AS locked_for,
          coalesce(trusted_until > now(), false) AS trusted
        FROM sign_in_throttle WHERE key = ${anyOf(entries.map((e) => e.key))}
        ORDER BY key FOR UPDATE`,
  );
}

/**
 * Write the counts decided for an attempt (in the transaction that locked the rows). A row the
 * clean-up removed in between is made again. `lockSeconds` 0 leaves a key unlocked.
 */
export async function writeThrottleFailures(
  tx: Executor,
  entries: { key: string; lockAfter: number; failures: number; lockSeconds: number }[],
  windowSeconds: number,
): Promise<void> {
  const data = entries.map((e) => ({ key: e.key, lock_after: e.lockAfter, failures: e.failures, lock_seconds: e.lockSeconds }));
  await tx.execute(
    sql`INSERT INTO sign_in_throttle AS t (key, lock_after, failures, last_failure_at, locked_until, expires_at)
        SELECT e.key, e.lock_after, e.failures, now(),
          CASE WHEN e.lock_seconds > 0 THEN now() + make_interval(secs => e.lock_seconds) END,
          now() + make_interval(secs => greatest(e.lock_seconds, ${windowSeconds}))
        FROM jsonb_to_recordset(${JSON.stringify(data)}::jsonb) AS e(key text, lock_after int, failures int, lock_seconds int)
        ON CONFLICT (key) DO UPDATE SET
          lock_after = EXCLUDED.lock_after, failures = EXCLUDED.failures, last_failure_at = EXCLUDED.last_failure_at,
          locked_until = EXCLUDED.locked_until, expires_at = greatest(EXCLUDED.expires_at, t.trusted_until)`,
  );
}

/**
 * A success: `reset` keys start over, `trust` keys also stay trusted for `trustDays`, and
 * `forgive` keys take back the one failure the attempt was counted as (unlocking below their limit).
 */
export async function settleThrottleSuccess(
  ex: Executor,
  s: { reset: string[]; trust: string[]; forgive: string[]; trustDays: number },
): Promise<void> {
  const all = [...s.reset, ...s.trust, ...s.forgive];
  if (all.length === 0) return;
  await ex.execute(
    sql`UPDATE sign_in_throttle SET
          failures = CASE WHEN key = ${anyOf(s.forgive)} THEN greatest(failures - 1, 0) ELSE 0 END,
          locked_until = CASE WHEN key = ${anyOf(s.forgive)} AND failures - 1 >= lock_after THEN locked_until END,
          trusted_until = CASE WHEN key = ${anyOf(s.trust)} THEN now() + make_interval(days => ${s.trustDays}) ELSE trusted_until END,
          expires_at = greatest(expires_at, CASE WHEN key = ${anyOf(s.trust)} THEN now() + make_interval(days => ${s.trustDays}) END)
        WHERE key = ${anyOf(all)}`,
  );
}

/** Remove rows that say nothing any more; rows an attempt holds are skipped (never waited for). */
export async function deleteExpiredThrottleRows(ex: Executor, limit: number): Promise<void> {
  await ex.execute(
    sql`DELETE FROM sign_in_throttle WHERE key IN (
          SELECT key FROM sign_in_throttle WHERE expires_at < now() ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
  );
}
