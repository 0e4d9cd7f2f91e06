/**
 * The dead letters of domain log consumers, per workspace: list them (ops.read), retry or
 * discard one (ops.write). A retry makes the entry due now and wakes the consumers; the
 * consumer that owns it runs it once more (a failure parks it again).
 */
import { Type } from 'typebox';
import { notify } from '../db/client';
import type { AdminGuard, App, AppContext } from './context';
import { adminWorkspace } from './context';
import { DEAD_LETTER_STATUSES, deleteDeadLetter, listDeadLetters, requeueDeadLetter, type DeadLetterStatus } from './dead-letters';
import { DOMAIN_LOG_CHANNEL } from './domain-log';
import { AppError } from './errors';
import { ErrorResponse, Nullable } from './schema';

const DeadLetterSchema = Type.Object({
  id: Type.String(),
  consumer: Type.String({ description: 'The consumer whose handler threw, e.g. carts.merge.' }),
  entryId: Type.Integer({ description: 'The domain log entry.' }),
  entryType: Type.String(),
  status: Type.Unsafe<DeadLetterStatus>({ type: 'string', enum: [...DEAD_LETTER_STATUSES], description: 'retrying (with backoff, at nextAttemptAt) or parked (after the last attempt).' }),
  attempts: Type.Integer(),
  error: Type.String({ description: "The last error's message." }),
  firstFailedAt: Type.String({ format: 'date-time' }),
  lastFailedAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
});

const params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

function notFound(id: string): AppError {
  return new AppError('dead_letter_not_found', `Dead letter ${id} not found`);
}

export function deadLetterRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    app.get('/api/v1/dead-letters', {
      config: { permission: 'ops.read' },
      schema: {
        tags: ['ops'],
        summary: 'Domain log entries a consumer failed to handle: retrying with backoff, or parked (most recently failed first)',
        querystring: Type.Object({
          consumer: Type.Optional(Type.String({ maxLength: 100 })),
          status: Type.Optional(Type.Unsafe<DeadLetterStatus>({ type: 'string', enum: [...DEAD_LETTER_STATUSES] })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: Type.Object({ data: Type.Array(DeadLetterSchema), nextCursor: Nullable(Type.String()) }), 400: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) =>
      listDeadLetters(ctx.db.orm, {
        workspaceId: adminWorkspace(request),
        limit: request.query.limit ?? 50,
        ...(request.query.consumer ? { consumer: request.query.consumer } : {}),
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      }),
    );

    app.post('/api/v1/dead-letters/:id/retry', {
      config: { permission: 'ops.write' },
      schema: {
        tags: ['ops'],
        summary: 'Retry a dead letter now: its consumer runs the entry once more (a failure parks it again)',
        params,
        response: { 200: DeadLetterSchema, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const letter = await ctx.db.orm.transaction(async (tx) => {
        const found = await requeueDeadLetter(tx, adminWorkspace(request), request.params.id);
        if (found) await notify(tx, DOMAIN_LOG_CHANNEL, '');
        return found;
      });
      if (!letter) throw notFound(request.params.id);
      const { workspaceId: _, ...body } = letter;
      return body;
    });

    app.delete('/api/v1/dead-letters/:id', {
      config: { permission: 'ops.write' },
      schema: {
        tags: ['ops'],
        summary: 'Discard a dead letter: its entry is not handled by that consumer',
        params,
        response: { 200: Type.Object({ id: Type.String(), discarded: Type.Literal(true) }), 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      if (!(await deleteDeadLetter(ctx.db.orm, adminWorkspace(request), request.params.id))) throw notFound(request.params.id);
      return { id: request.params.id, discarded: true as const };
    });
  };
}
