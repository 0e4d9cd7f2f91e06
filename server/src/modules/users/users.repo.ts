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
import { firstRow, rows, type Executor } from '../../db/client';

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
