import { Type } from 'typebox';
import { AppError } from '../../platform/errors';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminActor, adminWorkspace } from '../../platform/context';
import { ErrorResponse, Nullable } from '../../platform/schema';
import { openEventStream } from '../../platform/sse';
import { findVariantsBySku, getChannel, listChannels, listLocations, type CatalogVariant } from '../catalog';
import type { Executor } from '../../db/client';
import { AdjustBody, AdjustmentSchema, AvailabilitySchema, ReservationSchema, ReserveBody, StockListQuery, StockListSchema } from './inventory.schema';
import * as service from './inventory.service';
import { listStock } from './stock-list';
import { StockHub, type StockChange } from './stock-hub';

const SkuParams = Type.Object({ sku: Type.String() });

async function variantOf(ex: Executor, workspaceId: string, sku: string): Promise<CatalogVariant> {
  const v = (await findVariantsBySku(ex, workspaceId, [sku])).get(sku);
  if (!v) throw new AppError('unknown_sku', `Unknown SKU: ${sku}`, { skus: [sku] });
  return v;
}

/** Stock per location and what each channel may sell. */
export async function getAvailability(ex: Executor, workspaceId: string, sku: string) {
  const v = await variantOf(ex, workspaceId, sku);
  const [levels, locations, channels] = await Promise.all([
    service.getLevels(ex, workspaceId, [v.id]),
    listLocations(ex, workspaceId),
    listChannels(ex, workspaceId),
  ]);
  const byId = new Map(locations.map((l) => [l.id, l]));
  const sum = (f: (l: service.Level) => number) => levels.reduce((n, l) => n + f(l), 0);
  return {
    sku: v.sku,
    variantId: v.id,
    onHand: sum((l) => l.onHand),
    reserved: sum((l) => l.reserved),
    available: sum((l) => l.available),
    locations: levels.map((l) => ({ ...l, locationName: byId.get(l.locationId)?.name ?? l.locationId, kind: byId.get(l.locationId)?.kind ?? 'warehouse' })),
    channels: channels.map((c) => ({ channelId: c.id, name: c.name, type: c.type, allocation: c.allocation, available: service.availableForChannel(c, levels, v.id) })),
  };
}

export function inventoryRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const orm = ctx.db.orm;
    const actorOf = adminActor;
    const hub = new StockHub(ctx.db, ctx.log);
    await hub.start();
    // Live streams end first, or closing would wait on them.
    app.addHook('preClose', async () => hub.stop());

    app.get('/api/v1/inventory', {
      config: { permission: 'inventory.read' },
      schema: {
        tags: ['inventory'],
        summary: 'Stock of every SKU per location and what each channel may sell now; low stock only with ?lowStock=true',
        querystring: StockListQuery,
        response: { 200: StockListSchema, 400: ErrorResponse },
      },
    }, async (req) => {
      const ws = adminWorkspace(req);
      const q = req.query;
      if (q.locationId && !(await listLocations(orm, ws)).some((l) => l.id === q.locationId)) {
        throw new AppError('location_not_found', `Location ${q.locationId} not found`, { id: q.locationId });
      }
      return listStock(orm, { workspaceId: ws, q: q.q, locationId: q.locationId, lowStock: q.lowStock, threshold: q.threshold ?? 5, limit: q.limit ?? 50, cursor: q.cursor });
    });

    app.get('/api/v1/inventory/stream', {
      config: { permission: 'inventory.read' },
      schema: {
        tags: ['inventory'],
        summary: 'Server-sent events: `event: stock` with `{"skus": [...]}` whenever the stock of those SKUs changes (orders on any channel, reservations, adjustments)',
      },
    }, async (req, reply) => {
      const workspaceId = adminWorkspace(req);
      let unsubscribe = (): void => {};
      const stream = openEventStream(req, reply, { onClose: () => unsubscribe() });
      stream.send('ready', {});
      unsubscribe = hub.subscribe({ workspaceId, send: (change: StockChange) => stream.send('stock', change), close: () => stream.end() });
    });

    app.get('/api/v1/inventory/:sku', {
      config: { permission: 'inventory.read' },
      schema: { tags: ['inventory'], summary: 'Availability of a SKU per location and per channel', params: SkuParams, response: { 200: AvailabilitySchema, 400: ErrorResponse } },
    }, async (req) => getAvailability(orm, adminWorkspace(req), req.params.sku));

    app.post('/api/v1/inventory/adjustments', {
      config: { permission: 'inventory.adjust' },
      schema: {
        tags: ['inventory'],
        summary: 'Change stock at a location (delta or stock-take count), with a reason; recorded in the audit trail',
        body: AdjustBody,
        response: { 200: AvailabilitySchema, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    }, async (req) => {
      const ws = adminWorkspace(req);
      const b = req.body;
      if ((b.delta === undefined) === (b.count === undefined) && b.lowStockThreshold === undefined) {
        throw new AppError('validation_failed', 'body: give exactly one of delta or count', { field: 'delta' });
      }
      if (b.delta !== undefined && b.count !== undefined) {
        throw new AppError('validation_failed', 'body: give exactly one of delta or count', { field: 'count' });
      }
      await orm.transaction(async (tx) => {
        const v = await variantOf(tx, ws, b.sku);
        const location = (await listLocations(tx, ws)).find((l) => l.id === b.locationId);
        if (!location) throw new AppError('location_not_found', `Location ${b.locationId} not found`, { id: b.locationId });
        await service.adjustStock(tx, { workspaceId: ws, variantId: v.id, sku: v.sku, locationId: location.id, delta: b.delta, count: b.count, reason: b.reason, note: b.note, actor: actorOf(req), lowStockThreshold: b.lowStockThreshold });
      });
      return getAvailability(orm, ws, b.sku);
    });

    app.get('/api/v1/inventory/:sku/adjustments', {
      config: { permission: 'inventory.read' },
      schema: {
        tags: ['inventory'],
        summary: 'The audit trail of a SKU’s stock, newest first',
        params: SkuParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), cursor: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ data: Type.Array(AdjustmentSchema), nextCursor: Nullable(Type.String()) }) },
      },
    }, async (req) => {
      const ws = adminWorkspace(req);
      const v = await variantOf(orm, ws, req.params.sku);
      const limit = req.query.limit ?? 100;
      const found = await service.listAdjustments(orm, { workspaceId: ws, variantId: v.id, limit: limit + 1, before: req.query.cursor });
      const page = found.slice(0, limit);
      return { data: page, nextCursor: found.length > limit ? (page[page.length - 1]?.id ?? null) : null };
    });

    app.post('/api/v1/reservations', {
      config: { permission: 'reservations.write' },
      schema: {
        tags: ['inventory'],
        summary: 'Hold stock for a holder until it expires (replaces the holder’s earlier holds); all lines or none',
        body: ReserveBody,
        response: { 201: Type.Object({ data: Type.Array(ReservationSchema) }), 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    }, async (req, reply) => {
      const ws = adminWorkspace(req);
      const b = req.body;
      const channel = await getChannel(orm, ws, b.channelId);
      const variants = await findVariantsBySku(orm, ws, b.lines.map((l) => l.sku));
      const unknown = b.lines.map((l) => l.sku).filter((s) => !variants.has(s));
      if (unknown.length > 0) throw new AppError('unknown_sku', `Unknown SKU: ${unknown.join(', ')}`, { skus: unknown });
      const data = await orm.transaction((tx) =>
        service.reserveStock(tx, {
          workspaceId: ws,
          channel,
          holder: b.holder,
          lines: b.lines.map((l) => ({ variantId: variants.get(l.sku)!.id, sku: l.sku, quantity: l.quantity })),
          ttlSeconds: b.ttlSeconds ?? 900,
          actor: actorOf(req),
        }),
      );
      return reply.code(201).send({ data });
    });

    app.get('/api/v1/reservations/:holder', {
      config: { permission: 'inventory.read' },
      schema: { tags: ['inventory'], summary: 'A holder’s active reservations', params: Type.Object({ holder: Type.String() }), response: { 200: Type.Object({ data: Type.Array(ReservationSchema) }) } },
    }, async (req) => ({ data: await service.listReservations(orm, adminWorkspace(req), req.params.holder) }));

    app.delete('/api/v1/reservations/:holder', {
      config: { permission: 'reservations.write' },
      schema: { tags: ['inventory'], summary: 'Release a holder’s reservations', params: Type.Object({ holder: Type.String() }), response: { 200: Type.Object({ released: Type.Integer() }) } },
    }, async (req) => ({
      released: await orm.transaction((tx) => service.releaseReservations(tx, { workspaceId: adminWorkspace(req), holder: req.params.holder, actor: actorOf(req) })),
    }));
  };
}
