/**
 * An order that happened on another channel — a POS sale, a marketplace or phone order — comes
 * in through `POST /api/v1/orders`. The customer is found through identity resolution (a POS
 * sale by phone lands on the same profile as the web visitor who gave that phone), the stock
 * leaves the channel's location, and the channel's external id makes retries safe.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../platform/errors';
import { newId } from '../platform/ids';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminActor, adminWorkspace } from '../platform/context';
import { ErrorResponse } from '../platform/schema';
import { findVariantsBySkuCached, getChannelCached, priceFor, type CatalogVariant, type SalesChannel } from '../modules/catalog';
import { identifyCustomer, type IngestWriter } from '../modules/ingest';
import { holdStock, releaseHeldStock, sellHeldStock, type Reservation, type StockLine } from '../modules/inventory';
import { createOrder, findOrder, OrderSchema, PlaceOrderBody, setLineLocations, type Order, type PlaceOrderInput } from '../modules/orders';
import { priceForOrder, recordRedemptions } from '../modules/promotions';

/**
 * How long an attempt's hold outlives a process that dies before selling or releasing it (the
 * reservation sweeper then puts the units back). An attempt normally ends within a second.
 */
const HOLD_TTL_SECONDS = 30;

/**
 * Place an order: hold the stock first (one short round trip; a refusal ends here with 409
 * insufficient_stock and leaves nothing behind), then resolve the customer, then write the order
 * and sell what is held in one transaction. Anything failing after the hold gives it back.
 */
export async function placeOrder(
  deps: { ctx: AppContext; writer: IngestWriter },
  input: { workspaceId: string; actor: string; body: PlaceOrderInput },
): Promise<{ order: Order; created: boolean }> {
  const { ctx } = deps;
  const orm = ctx.db.orm;
  const { workspaceId, body } = input;
  // Channels and variants through the catalog's cache: a burst of orders reads each once.
  const channel = await getChannelCached(orm, workspaceId, body.channelId);
  if (channel.archivedAt) {
    throw new AppError('validation_failed', `channelId: channel ${channel.id} is archived`, { field: 'channelId' });
  }
  const placed = { workspaceId, channelId: channel.id, externalId: body.externalId };

  const variants = await findVariantsBySkuCached(orm, workspaceId, body.lines.map((l) => l.sku));
  const prepared = prepareLines(channel, body, variants);
  if (prepared instanceof AppError) {
    // A repeat of an order already placed is answered with it, even when its input would no longer be accepted.
    const existing = await findOrder(orm, placed);
    if (existing) return { order: existing, created: false };
    throw prepared;
  }
  const { lines, currency } = prepared;
  const stockLines: StockLine[] = lines.map((l) => ({ variantId: l.v.id, sku: l.v.sku, quantity: l.quantity }));

  const hold = await holdForOrder(ctx, { workspaceId, channel, lines: stockLines, locationId: body.locationId, placed });
  if ('order' in hold) return { order: hold.order, created: false };
  const reservationIds = hold.reservations.map((r) => r.id);
  const heldAt = new Map(hold.reservations.map((r) => [r.variantId, r.locationId]));

  try {
    const placedAt = body.placedAt ? new Date(body.placedAt) : new Date();
    const profileId = body.customer ? await resolveCustomer(deps, { workspaceId, channel, externalId: body.externalId, customer: body.customer, placedAt }) : null;
    // Everything else first, the contended stock rows last: their locks are held only until commit.
    return await orm.transaction(async (tx) => {
      // The workspace's promotions price the order unless the channel priced it itself (a
      // marketplace's own vouchers): the same engine and amounts as the website's cart.
      const priced = omniPriced(body)
        ? await priceForOrder(tx, { workspaceId, profileId, channel, lines: lines.map((l) => ({ variant: l.v, quantity: l.quantity, unitPrice: l.unitPrice })), codes: body.codes ?? [], shippingFee: 0 })
        : undefined;
      const refused = priced?.codes.filter((c) => c.status !== 'applied') ?? [];
      if (refused.length > 0) {
        throw new AppError('coupon_denied', `Code ${refused[0]!.code}: ${refused[0]!.message ?? 'does not apply'}`, { coupon: refused[0]!.code, reason: refused[0]!.reason });
      }
      const discountOf = new Map(priced?.result.lines.map((l) => [l.variantId, l.discount]) ?? []);
      const result = await createOrder(tx, {
        workspaceId,
        id: newId('ord'),
        channelId: channel.id,
        channelType: channel.type,
        storeLocationId: channel.type === 'pos' ? (body.locationId ?? channel.locations[0]?.id ?? '') : null,
        externalId: body.externalId,
        idempotencyKey: null,
        profileId,
        cartId: null,
        status: body.status ?? 'placed',
        paymentMethod: body.paymentMethod ?? null,
        currency,
        discountTotal: priced ? priced.result.discountTotal : (body.discountTotal ?? 0),
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
          discount: discountOf.get(l.v.id) ?? 0,
          locationId: heldAt.get(l.v.id) ?? '',
        })),
      });
      // Another attempt of this order won the insert: roll back, answer with its order.
      if (!result.created) throw new RepeatedOrder(result.order);
      if (priced && priced.result.applied.length > 0) {
        await recordRedemptions(tx, {
          workspaceId,
          orderId: result.order.id,
          profileId,
          channelId: channel.id,
          orderTotal: result.order.total,
          applied: priced.result.applied.map((a) => ({ promotionId: a.promotionId, amount: a.amount, code: a.code })),
        });
      }
      const sold = await sellHeldStock(tx, {
        workspaceId,
        channel,
        reservationIds,
        lines: stockLines,
        locationId: body.locationId,
        actor: `channel:${channel.id}`,
        orderId: result.order.id,
      });
      // A hold that expired before the sale may have been taken from another location.
      const moved = sold.filter((t) => t.locationId !== heldAt.get(t.variantId));
      if (moved.length === 0) return result;
      return { ...result, order: await setLineLocations(tx, workspaceId, result.order.id, new Map(moved.map((t) => [t.variantId, t.locationId]))) };
    });
  } catch (err) {
    await orm
      .transaction((tx) => releaseHeldStock(tx, { workspaceId, reservationIds, actor: `channel:${channel.id}` }))
      .catch((releaseErr: unknown) => ctx.log.error({ err: releaseErr, reservationIds }, 'order hold not released; it expires'));
    if (err instanceof RepeatedOrder) return { order: err.order, created: false };
    throw err;
  }
}

class RepeatedOrder extends Error {
  constructor(readonly order: Order) {
    super('order already placed');
  }
}

/** Omni prices the order (promotions, codes) unless the channel sent its own prices or discount. */
function omniPriced(body: PlaceOrderInput): boolean {
  return body.discountTotal === undefined && body.lines.every((l) => l.unitPrice === undefined);
}

/** The order's lines priced for the channel, or what is wrong with the input. */
function prepareLines(
  channel: SalesChannel,
  body: PlaceOrderInput,
  variants: Map<string, CatalogVariant>,
): AppError | { lines: { v: CatalogVariant; quantity: number; unitPrice: number }[]; currency: string } {
  if (!omniPriced(body) && body.codes && body.codes.length > 0) {
    return new AppError('validation_failed', 'codes: only when Omni prices the order (leave out unitPrice and discountTotal)', { field: 'codes' });
  }
  const unknown = [...new Set(body.lines.map((l) => l.sku).filter((sku) => !variants.has(sku)))];
  if (unknown.length > 0) {
    return new AppError('unknown_sku', `Unknown SKU${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { skus: unknown });
  }
  const currency = body.currency ?? channel.currency;
  if (currency !== channel.currency) {
    return new AppError('currency_mismatch', `currency: the order is in ${currency} but channel ${channel.id} sells in ${channel.currency}`, {
      field: 'currency',
    });
  }
  for (const v of variants.values()) {
    if (v.currency !== currency) {
      return new AppError('currency_mismatch', `${v.sku} is priced in ${v.currency}, the order is in ${currency}`, { sku: v.sku });
    }
  }
  if (body.locationId !== undefined && !channel.locations.some((l) => l.id === body.locationId)) {
    return new AppError('location_not_in_channel', `Location ${body.locationId} does not fulfil channel ${channel.id}`, {
      channelId: channel.id,
      locationId: body.locationId,
    });
  }
  const lines = body.lines.map((l) => {
    const v = variants.get(l.sku)!;
    return { v, quantity: l.quantity, unitPrice: l.unitPrice ?? priceFor(v, channel.id) };
  });
  return { lines, currency };
}

/**
 * Hold the order's stock for this attempt, or find the order already placed. All attempts of one
 * order (the channel's retries, concurrent repeats) hold under one holder, so when stock runs out
 * an attempt can tell "sold out" from "another attempt of this order holds it", and then waits
 * for that attempt's outcome (its order, or its units back) instead of answering 409.
 */
async function holdForOrder(
  ctx: AppContext,
  opts: { workspaceId: string; channel: SalesChannel; lines: StockLine[]; locationId?: string; placed: { workspaceId: string; channelId: string; externalId: string } },
): Promise<{ reservations: Reservation[] } | { order: Order }> {
  const { db } = ctx;
  const hold = {
    workspaceId: opts.workspaceId,
    channel: opts.channel,
    lines: opts.lines,
    locationId: opts.locationId,
    holder: `order:${opts.channel.id}:${opts.placed.externalId}`,
    ttlSeconds: HOLD_TTL_SECONDS,
    actor: `channel:${opts.channel.id}`,
  };
  const deadline = Date.now() + HOLD_TTL_SECONDS * 1000;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    // A repeat of an order already placed changes nothing (and holds nothing).
    const existing = await findOrder(db.orm, opts.placed);
    if (existing) return { order: existing };
    const held = await holdStock(db, hold);
    if (held.isHeld) return { reservations: held.reservations };
    // Looked up after the refusal: an attempt of this order that took the last units has either
    // placed the order (found here) or still holds them (seen by holdStock).
    const placed = await findOrder(db.orm, opts.placed);
    if (placed) return { order: placed };
    if (!held.isHolderHolding || Date.now() + pause > deadline) throw held.shortage;
    await sleep(pause);
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
    app.addHook('onRequest', guard);
    app.post('/api/v1/orders', {
      config: { permission: 'orders.write' },
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
      const { order, created } = await placeOrder({ ctx, writer }, { workspaceId: adminWorkspace(req), actor: adminActor(req), body: req.body });
      return reply.code(created ? 201 : 200).send(order);
    });
  };
}
