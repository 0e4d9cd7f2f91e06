import { Type } from 'typebox';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminWorkspace } from '../../platform/context';
import { ErrorResponse } from '../../platform/schema';
import {
  CreatedSourceSchema,
  CreatedTokenSchema,
  CreateSourceBody,
  CreateTokenBody,
  IdParams,
  SourceSchema,
  TokenSchema,
  UpdateSourceBody,
  UpdateWorkspaceBody,
  WorkspaceSchema,
} from './workspaces.schema';
import * as service from './workspaces.service';

export function workspacesRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const orm = ctx.db.orm;

    app.get('/api/v1/workspace', {
      config: { permission: 'workspace.read' },
      schema: { tags: ['workspace'], summary: 'The workspace of this token', response: { 200: WorkspaceSchema } },
    }, async (req) => service.getWorkspace(orm, adminWorkspace(req)));

    app.patch('/api/v1/workspace', {
      config: { permission: 'workspace.manage' },
      schema: { tags: ['workspace'], summary: 'Change workspace settings and identity rules', body: UpdateWorkspaceBody, response: { 200: WorkspaceSchema } },
    }, async (req) => service.updateWorkspace(orm, adminWorkspace(req), req.body));

    app.get('/api/v1/sources', {
      config: { permission: 'workspace.read' },
      schema: { tags: ['workspace'], summary: 'List sources', response: { 200: Type.Object({ data: Type.Array(SourceSchema) }) } },
    }, async (req) => ({ data: await service.listSources(orm, adminWorkspace(req)) }));

    app.post('/api/v1/sources', {
      config: { permission: 'workspace.manage' },
      schema: { tags: ['workspace'], summary: 'Create a source; its write key is returned once', body: CreateSourceBody, response: { 201: CreatedSourceSchema } },
    }, async (req, reply) => {
      const created = await service.createSource(orm, { workspaceId: adminWorkspace(req), ...req.body });
      return reply.code(201).send(created);
    });

    app.patch('/api/v1/sources/:id', {
      config: { permission: 'workspace.manage' },
      schema: {
        tags: ['workspace'],
        summary: 'Rename a source, set its trust (client: self-reported traits; server: trusted) or its rate limit',
        params: IdParams,
        body: UpdateSourceBody,
        response: { 200: SourceSchema, 404: ErrorResponse },
      },
    }, async (req) => service.updateSource(orm, adminWorkspace(req), req.params.id, req.body));

    app.delete('/api/v1/sources/:id', {
      config: { permission: 'workspace.manage' },
      schema: { tags: ['workspace'], summary: 'Revoke a source write key', params: IdParams, response: { 200: SourceSchema } },
    }, async (req) => service.revokeSource(orm, adminWorkspace(req), req.params.id));

    app.get('/api/v1/tokens', {
      config: { permission: 'workspace.read' },
      schema: { tags: ['workspace'], summary: 'List admin API tokens', response: { 200: Type.Object({ data: Type.Array(TokenSchema) }) } },
    }, async (req) => ({ data: await service.listApiTokens(orm, adminWorkspace(req)) }));

    app.post('/api/v1/tokens', {
      config: { permission: 'workspace.manage' },
      schema: { tags: ['workspace'], summary: 'Create an admin API token; the secret is returned once', body: CreateTokenBody, response: { 201: CreatedTokenSchema } },
    }, async (req, reply) => {
      const created = await service.createApiToken(orm, { workspaceId: adminWorkspace(req), name: req.body.name });
      return reply.code(201).send(created);
    });

    app.delete('/api/v1/tokens/:id', {
      config: { permission: 'workspace.manage' },
      schema: { tags: ['workspace'], summary: 'Revoke an admin API token', params: IdParams, response: { 200: TokenSchema } },
    }, async (req) => service.revokeApiToken(orm, adminWorkspace(req), req.params.id));
  };
}
