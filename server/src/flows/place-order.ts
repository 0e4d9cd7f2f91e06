/**
 * An order that happened on another channel — a POS sale, a marketplace or phone order — comes
 * in through `POST /api/v1/orders`. The customer is found through identity resolution (a POS
 * sale by phone lands on the same profile as the web visitor who gave that phone), the stock
 * leaves the channel's location, and the channel's external id makes retries safe.
 */
import { AppError } from '../platform/errors';
import { newId } from '../platform/ids';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminWorkspace } from '../platform/context';
import { ErrorResponse } from '../platform/schema';
import { findVariantsBySku, getChannel, priceFor, type SalesChannel } from '../modules/catalog';
import { identifyCustomer, type IngestWriter } from '../modules/ingest';
import { checkAvailable, takeStock } from '../modules/inventory';
import { createOrder, findOrder, OrderSchema, PlaceOrderBody, setLineLocations, type Order, type PlaceOrderInput } from '../modules/orders';

export async function placeOrder(
  deps: { ctx: AppContext; writer: IngestWriter },
  input: { workspaceId: string; actor: string; body: PlaceOrderInput },
): Promise<{ order: Order; created: boolean }> {
  const { ctx } = deps;
  const orm = ctx.db.orm;
  const { workspaceId, body } = input;
  const channel = await getChannel(orm, workspaceId, body.channelId);
  if (channel.archivedAt) {
    throw new AppError('validation_failed', `channelId: channel ${channel.id} is archived`, { field: 'channelId' });
  }

  // A repeat of an order already placed changes nothing.
  const existing = await findOrder(orm, { workspaceId, channelId: channel.id, externalId: body.externalId });
  if (existing) return { order: existing, created: false };

  const variants = await findVariantsBySku(orm, workspaceId, [...new Set(body.lines.map((l) => l.sku))]);
  const unknown = [...new Set(body.lines.map((l) => l.sku).filter((sku) => !variants.has(sku)))];
  if (unknown.length > 0) {
    throw new AppError('unknown_sku', `Unknown SKU${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { skus: unknown });
  }
  const currency = body.currency ?? channel.currency;
  if (currency !== channel.currency) {
    throw new AppError('currency_mismatch', `currency: the order is in ${currency} but channel ${channel.id} sells in ${channel.currency}`, {
      field: 'currency',
    });
  }
  for (const v of variants.values()) {
    if (v.currency !== currency) {
      throw new AppError('currency_mismatch', `${v.sku} is priced in ${v.currency}, the order is in ${currency}`, { sku: v.sku });
    }
  }
  if (body.locationId !== undefined && !channel.locations.some((l) => l.id === body.locationId)) {
    throw new AppError('location_not_in_channel', `Location ${body.locationId} does not fulfil channel ${channel.id}`, {
      channelId: channel.id,
      locationId: body.locationId,
    });
  }

  const lines = body.lines.map((l) => {
    const v = variants.get(l.sku)!;
    return { v, quantity: l.quantity, unitPrice: l.unitPrice ?? priceFor(v, channel.id) };
  });
  const stockLines = lines.map((l) => ({ variantId: l.v.id, sku: l.v.sku, quantity: l.quantity }));
  // Refuse early what clearly cannot be sold (a plain read; the sale itself re-checks under the row lock).
  await checkAvailable(orm, { workspaceId, channel, lines: stockLines, locationId: body.locationId });

  const placedAt = body.placedAt ? new Date(body.placedAt) : new Date();
  const profileId = body.customer ? await resolveCustomer(deps, { workspaceId, channel, externalId: body.externalId, customer: body.customer, placedAt }) : null;

  // Everything else first, the contended stock rows last: their locks are held only until commit.
  const provisional = body.locationId ?? channel.locations[0]?.id ?? '';
  return orm.transaction(async (tx) => {
    const result = await createOrder(tx, {
      workspaceId,
      id: newId('ord'),
      channelId: channel.id,
      channelType: channel.type,
      storeLocationId: channel.type === 'pos' ? provisional : null,
      externalId: body.externalId,
      idempotencyKey: null,
      profileId,
      cartId: null,
      status: body.status ?? 'placed',
      currency,
      discountTotal: body.discountTotal ?? 0,
      placedAt,
      sourceId: channel.sourceId,
      actor: input.actor,
      lines: lines.map((l) => ({
        variantId: l.v.id,
        productId: l.v.productId,
        sku: l.v.sku,
        title: l.v.title ? `${l.v.productTitle} — ${l.v.title}` : l.v.productTitle,
        categoryIds: l.v.categoryIds,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        locationId: provisional,
      })),
    });
    // A concurrent repeat won the insert: roll back, answer with its order.
    if (!result.created) throw new RepeatedOrder(result.order);
    const taken = await takeStock(tx, {
      workspaceId,
      channel,
      lines: stockLines,
      locationId: body.locationId,
      actor: `channel:${channel.id}`,
      ref: result.order.id,
    });
    const moved = taken.filter((t) => t.locationId !== provisional);
    if (moved.length === 0) return result;
    return { ...result, order: await setLineLocations(tx, workspaceId, result.order.id, new Map(moved.map((t) => [t.variantId, t.locationId]))) };
  }).catch((err: unknown) => {
    if (err instanceof RepeatedOrder) return { order: err.order, created: false };
    throw err;
  });
}

class RepeatedOrder extends Error {
  constructor(readonly order: Order) {
    super('order already placed');
  }
}


async function resolveCustomer(
  deps: { ctx: AppContext; writer: IngestWriter },
  opts: { workspaceId: string; channel: SalesChannel; externalId: string; customer: NonNullable<PlaceOrderInput['customer']>; placedAt: Date },
): Promise<string | null> {
  const c = opts.customer;
  const traits: Record<string, unknown> = {};
  if (c.email) traits.email = c.email;
  if (c.phone) traits.phone = c.phone;
  if (c.name) traits.name = c.name;
  return identifyCustomer(
    { ex: deps.ctx.db.orm, writer: deps.writer },
    {
      workspaceId: opts.workspaceId,
      sourceId: opts.channel.sourceId,
      channel: opts.channel.type,
      messageId: `order-customer:${opts.channel.id}:${opts.externalId}`,
      userId: c.userId,
      traits,
      externalIds: c.loyaltyCard ? [{ id: c.loyaltyCard, type: 'loyalty_card' }] : [],
      timestamp: opts.placedAt,
    },
  );
}

export function placeOrderRoutes(ctx: AppContext, guard: AdminGuard, writer: IngestWriter) {
  return async function routes(app: App) {
    app.addHook('preHandler', guard);
    app.post('/api/v1/orders', {
      schema: {
        tags: ['orders'],
        summary: 'Record an order placed on any channel (POS sale, marketplace, phone): resolves the customer, takes the stock',
        description:
          '201 with the new order; 200 with the existing one when this channel already sent this externalId. ' +
          '409 insufficient_stock names the SKU and what the channel has available; stock is then unchanged.',
        body: PlaceOrderBody,
        response: { 200: OrderSchema, 201: OrderSchema, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    }, async (req, reply) => {
      const { order, created } = await placeOrder({ ctx, writer }, { workspaceId: adminWorkspace(req), actor: `token:${req.admin?.tokenId ?? 'unknown'}`, body: req.body });
      return reply.code(created ? 201 : 200).send(order);
    });
  };
}
