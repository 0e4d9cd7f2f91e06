import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/** People who sign in to the console. Passwords are argon2id hashes; invites are hashed tokens. */
export const consoleUsers = pgTable(
  'console_users',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    /** Lower case; one account per email. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** admin | marketer | agent | viewer */
    role: text('role').notNull(),
    /** invited | active | disabled */
    status: text('status').notNull(),
    passwordHash: text('password_hash'),
    inviteTokenHash: text('invite_token_hash'),
    inviteExpiresAt: timestamptz('invite_expires_at'),
    lastLoginAt: timestamptz('last_login_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex('console_users_email').on(t.email), uniqueIndex('console_users_invite').on(t.inviteTokenHash)],
);

/** Server-side sessions: the browser holds the secret in an HttpOnly cookie; only its hash is stored. */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    /** Sent back by the console in X-CSRF-Token on every change. */
    csrfToken: text('csrf_token').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('console_sessions_user').on(t.workspaceId, t.userId)],
);

/**
 * Failed sign-ins and invite attempts, counted per key so that guessing is slowed (see
 * throttle.ts). A key is a kind and a sha256: of the email, of the client's address, or of the
 * pair; never the email or address itself. Rows belong to no workspace (the attempt comes before
 * any account is known, like the sign-in's own lookup) and are deleted once `expires_at` passes.
 */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    /** `email:<sha256>`, `ip:<sha256>`, `pair:<sha256>` or `invite_ip:<sha256>`. */
    key: text('key').primaryKey(),
    /** Failures in the current run (a quiet hour starts a new one). */
    failures: integer('failures').notNull().default(0),
    /** How many failures this kind of key allows before it locks. */
    lockAfter: integer('lock_after').notNull(),
    lastFailureAt: timestamptz('last_failure_at'),
    lockedUntil: timestamptz('locked_until'),
    /** Pairs only: this email signed in from this address, so locks set by others' failures spare it. */
    trustedUntil: timestamptz('trusted_until'),
    /** When the row says nothing any more (no run, lock or trust left): then it is deleted. */
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('sign_in_throttle_expires').on(t.expiresAt)],
);
