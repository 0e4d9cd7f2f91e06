/** The only file with SQL for customer_tokens. */
import { sql } from 'drizzle-orm';
import { anyOf, firstRow, type Executor } from '../../db/client';

export interface CustomerTokenRow {
  workspace_id: string;
  id: string;
  profile_id: string;
  expires_at: Date | string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

const COLUMNS = sql.raw('workspace_id, id, profile_id, expires_at, created_at, revoked_at');

export async function insertToken(
  ex: Executor,
  t: { workspaceId: string; id: string; profileId: string; tokenHash: string; expiresAt: Date },
): Promise<CustomerTokenRow> {
  const row = await firstRow<CustomerTokenRow>(
    ex,
    sql`INSERT INTO customer_tokens (workspace_id, id, profile_id, token_hash, expires_at)
        VALUES (${t.workspaceId}, ${t.id}, ${t.profileId}, ${t.tokenHash}, ${t.expiresAt.toISOString()})
        RETURNING ${COLUMNS}`,
  );
  return row!;
}

/** A live token by its hash: not revoked, not expired. */
export async function selectLiveToken(ex: Executor, tokenHash: string): Promise<CustomerTokenRow | undefined> {
  return firstRow<CustomerTokenRow>(
    ex,
    sql`SELECT ${COLUMNS} FROM customer_tokens WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND expires_at > now()`,
  );
}

export async function revokeToken(ex: Executor, workspaceId: string, id: string): Promise<CustomerTokenRow | undefined> {
  return firstRow<CustomerTokenRow>(
    ex,
    sql`UPDATE customer_tokens SET revoked_at = COALESCE(revoked_at, now())
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${COLUMNS}`,
  );
}

/** Erasure: the tokens of these profiles go with them. */
export async function deleteTokensOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<void> {
  if (profileIds.length === 0) return;
  await ex.execute(sql`DELETE FROM customer_tokens WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)}`);
}
