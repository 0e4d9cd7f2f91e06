import { Type } from 'typebox';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminActor, adminWorkspace } from '../../platform/context';
import { getWorkspace } from '../workspaces';
import { CommerceFactsSchema, ListOrdersQuery, OrderListSchema, OrderSchema, TransitionBody } from './orders.schema';
import * as service from './orders.service';

const IdParams = Type.Object({ id: Type.String() });

export function ordersRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const orm = ctx.db.orm;

    app.get('/api/v1/orders', {
      config: { permission: 'orders.read' },
      schema: { tags: ['orders'], summary: 'Orders from every channel, newest first; filter by channel, status and days placed', querystring: ListOrdersQuery, response: { 200: OrderListSchema } },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      const timeZone = req.query.from || req.query.to ? (await getWorkspace(orm, workspaceId)).timeZone : undefined;
      return service.listOrders(orm, { workspaceId, ...req.query, ...(timeZone ? { timeZone } : {}), limit: req.query.limit ?? 50 });
    });

    app.get('/api/v1/orders/:id', {
      config: { permission: 'orders.read' },
      schema: { tags: ['orders'], summary: 'One order with its lines and status history', params: IdParams, response: { 200: OrderSchema } },
    }, async (req) => service.getOrder(orm, adminWorkspace(req), req.params.id));

    app.post('/api/v1/orders/:id/transitions', {
      config: { permission: 'orders.write' },
      schema: {
        tags: ['orders'],
        summary: 'Change an order’s status: placed → paid → fulfilled; cancelled (stock returns); returned (restock optional)',
        params: IdParams,
        body: TransitionBody,
        response: { 200: OrderSchema },
      },
    }, async (req) =>
      orm.transaction((tx) =>
        service.transitionOrder(tx, { workspaceId: adminWorkspace(req), id: req.params.id, ...req.body, actor: adminActor(req) }),
      ));

    app.get('/api/v1/profiles/:id/orders', {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['profiles'],
        summary: 'A customer’s orders from every channel (including profiles merged into it)',
        params: IdParams,
        querystring: ListOrdersQuery,
        response: { 200: OrderListSchema },
      },
    }, async (req) => service.listOrders(orm, { workspaceId: adminWorkspace(req), profileId: req.params.id, ...req.query, limit: req.query.limit ?? 50 }));

    app.get('/api/v1/profiles/:id/commerce', {
      config: { permission: 'profiles.read' },
      schema: {
        tags: ['profiles'],
        summary: 'A customer’s commerce facts: total spent, orders per channel, first and last order, last store visited',
        params: IdParams,
        response: { 200: CommerceFactsSchema },
      },
    }, async (req) => {
      const ws = adminWorkspace(req);
      const workspace = await getWorkspace(orm, ws);
      return service.getCommerceFacts(orm, ws, req.params.id, workspace.currency);
    });
  };
}
