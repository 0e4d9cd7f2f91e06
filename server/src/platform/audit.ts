/**
 * The audit trail: who exported personal data or unused codes, who erased a person — when, what,
 * from where. Written in the caller's transaction (an export is recorded exactly when it is
 * served), read by admins at GET /api/v1/audit.
 */
import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { rows, timeKey, toDate, type Executor } from '../db/client';
import type { AdminGuard, App, AppContext } from './context';
import { adminActor, adminWorkspace } from './context';
import { decodeCursor, encodeCursor } from './cursor';
import { newId } from './ids';
import { ErrorResponse, JsonObject, Nullable } from './schema';

export const AUDIT_ACTIONS = ['personal_data.exported', 'promotion_codes.exported', 'profile.erased'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  action: AuditAction;
  subjectType: string;
  subjectId: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
  at: string;
}

/** Record what an admin request did, in the caller's transaction. */
export async function recordAudit(ex: Executor, request: FastifyRequest, entry: AuditInput): Promise<void> {
  await ex.execute(sql`
    INSERT INTO audit_log (workspace_id, id, actor, action, subject_type, subject_id, details, ip, request_id)
    VALUES (${adminWorkspace(request)}, ${newId('aud')}, ${adminActor(request)}, ${entry.action}, ${entry.subjectType}, ${entry.subjectId},
            ${JSON.stringify(entry.details ?? {})}::jsonb, ${request.ip ?? null}, ${request.id})`);
}

/**
 * Erasure: entries about these subjects keep who did what and when, but no longer say about whom
 * (an erased person's id would point back at them).
 */
export async function forgetAuditSubjects(ex: Executor, opts: { workspaceId: string; subjectType: string; subjectIds: string[] }): Promise<void> {
  if (opts.subjectIds.length === 0) return;
  await ex.execute(sql`
    UPDATE audit_log SET subject_id = NULL
    WHERE workspace_id = ${opts.workspaceId} AND subject_type = ${opts.subjectType}
      AND subject_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(opts.subjectIds)}::jsonb)))`);
}

interface AuditRow {
  id: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  request_id: string | null;
  at: Date | string;
}

export async function listAudit(
  ex: Executor,
  opts: { workspaceId: string; action?: string; limit: number; cursor?: string },
): Promise<{ data: AuditEntry[]; nextCursor: string | null }> {
  const before = opts.cursor ? decodeCursor(opts.cursor, { at: 'timestamp', id: 'text' }) : undefined;
  const found = await rows<AuditRow>(
    ex,
    sql`SELECT id, actor, action, subject_type, subject_id, details, ip, request_id, at FROM audit_log
        WHERE workspace_id = ${opts.workspaceId}
          ${opts.action ? sql`AND action = ${opts.action}` : sql``}
          ${before ? sql`AND (at, id) < (${before.at}::timestamptz, ${before.id})` : sql``}
        ORDER BY at DESC, id DESC LIMIT ${opts.limit + 1}`,
  );
  const page = found.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => ({
      id: r.id,
      actor: r.actor,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      details: r.details,
      ip: r.ip,
      requestId: r.request_id,
      at: toDate(r.at).toISOString(),
    })),
    nextCursor: found.length > opts.limit && last ? encodeCursor({ at: timeKey(last.at), id: last.id }) : null,
  };
}

const AuditEntrySchema = Type.Object({
  id: Type.String(),
  actor: Type.String({ description: 'token:<id> (API token) or user:<id> (console user).' }),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Nullable(Type.String()),
  details: JsonObject,
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  at: Type.String({ format: 'date-time' }),
});

export function auditRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    app.get('/api/v1/audit', {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['console'],
        summary: 'The audit trail: personal-data and code exports, erasures — who, when, what, from where (newest first)',
        querystring: Type.Object({
          action: Type.Optional(Type.Unsafe<AuditAction>({ type: 'string', enum: [...AUDIT_ACTIONS] })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: Type.Object({ data: Type.Array(AuditEntrySchema), nextCursor: Nullable(Type.String()) }), 400: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) =>
      listAudit(ctx.db.orm, {
        workspaceId: adminWorkspace(request),
        limit: request.query.limit ?? 50,
        ...(request.query.action ? { action: request.query.action } : {}),
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      }),
    );
  };
}
