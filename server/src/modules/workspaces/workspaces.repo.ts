/** The only file with SQL for workspaces, sources and api_tokens. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { apiTokens, sources, workspaces } from './workspaces.tables';

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type SourceRow = typeof sources.$inferSelect;
export type TokenRow = typeof apiTokens.$inferSelect;

export async function insertWorkspace(ex: Executor, row: typeof workspaces.$inferInsert): Promise<WorkspaceRow> {
  const [created] = await ex.insert(workspaces).values(row).returning();
  return created!;
}

export async function countWorkspaces(ex: Executor): Promise<number> {
  const [r] = await ex.select({ n: sql<number>`count(*)::int` }).from(workspaces);
  return r?.n ?? 0;
}

export async function selectFirstWorkspaceId(ex: Executor): Promise<string | undefined> {
  const [r] = await ex.select({ id: workspaces.id }).from(workspaces).orderBy(workspaces.createdAt, workspaces.id).limit(1);
  return r?.id;
}

export async function selectWorkspace(ex: Executor, id: string): Promise<WorkspaceRow | undefined> {
  const [r] = await ex.select().from(workspaces).where(eq(workspaces.id, id));
  return r;
}

export async function updateWorkspaceRow(
  ex: Executor,
  id: string,
  patch: Partial<typeof workspaces.$inferInsert>,
): Promise<WorkspaceRow | undefined> {
  const [r] = await ex.update(workspaces).set(patch).where(eq(workspaces.id, id)).returning();
  return r;
}

export async function insertSource(ex: Executor, row: typeof sources.$inferInsert): Promise<SourceRow> {
  const [created] = await ex.insert(sources).values(row).returning();
  return created!;
}

export async function selectSources(ex: Executor, workspaceId: string): Promise<SourceRow[]> {
  return ex.select().from(sources).where(eq(sources.workspaceId, workspaceId)).orderBy(sources.createdAt);
}

export async function selectSourceByKeyHash(ex: Executor, hash: string): Promise<SourceRow | undefined> {
  const [r] = await ex
    .select()
    .from(sources)
    .where(and(eq(sources.writeKeyHash, hash), isNull(sources.revokedAt)));
  return r;
}

export async function updateSourceRow(
  ex: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<typeof sources.$inferInsert, 'name' | 'trust' | 'rateLimit'>>,
): Promise<SourceRow | undefined> {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) {
    const [r] = await ex.select().from(sources).where(and(eq(sources.workspaceId, workspaceId), eq(sources.id, id)));
    return r;
  }
  const [r] = await ex.update(sources).set(set).where(and(eq(sources.workspaceId, workspaceId), eq(sources.id, id))).returning();
  return r;
}

export async function revokeSourceRow(ex: Executor, workspaceId: string, id: string): Promise<SourceRow | undefined> {
  const [r] = await ex
    .update(sources)
    .set({ revokedAt: new Date() })
    .where(and(eq(sources.workspaceId, workspaceId), eq(sources.id, id)))
    .returning();
  return r;
}

export async function insertToken(ex: Executor, row: typeof apiTokens.$inferInsert): Promise<TokenRow> {
  const [created] = await ex.insert(apiTokens).values(row).returning();
  return created!;
}

export async function selectTokens(ex: Executor, workspaceId: string): Promise<TokenRow[]> {
  return ex.select().from(apiTokens).where(eq(apiTokens.workspaceId, workspaceId)).orderBy(apiTokens.createdAt);
}

export async function selectTokenByHash(ex: Executor, hash: string): Promise<TokenRow | undefined> {
  const [r] = await ex
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
  return r;
}

export async function touchToken(ex: Executor, id: string): Promise<void> {
  await ex.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, id));
}

export async function revokeTokenRow(ex: Executor, workspaceId: string, id: string): Promise<TokenRow | undefined> {
  const [r] = await ex
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.id, id)))
    .returning();
  return r;
}
