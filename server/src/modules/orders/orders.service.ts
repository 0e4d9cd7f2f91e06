/**
 * Orders from every channel, their status lifecycle, and each customer's commerce facts.
 * Creating an order takes its stock and records "Order Completed" on the customer's timeline in
 * the same transaction; a status change records itself, returns stock where it should, and keeps
 * the facts current.
 */
import type { FastifyBaseLogger } from 'fastify';
import { toDate, type Database, type Executor } from '../../db/client';
import { appendDomainEvents, startConsumer, type Consumer } from '../../platform/domain-log';
import { decodeCursor, encodeCursor } from '../../platform/cursor';
import { AppError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { Redactor } from '../../platform/redact';
import { recordEvents } from '../ingest';
import { restock } from '../inventory';
import { findTimelineProfileIds, getTimelineProfileIds } from '../profiles';
import * as repo from './orders.repo';

export const ORDER_STATUSES = ['placed', 'paid', 'fulfilled', 'cancelled', 'returned'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Cash on delivery: the order is confirmed without prepayment and paid when it is delivered. */
export const CASH_ON_DELIVERY = 'cod';

/** The lifecycle: which status may follow which. */
export const NEXT_STATUS: Record<OrderStatus, OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: ['returned'],
  cancelled: [],
  returned: [],
};

/** A COD order may also be delivered straight from placed: delivering it is being paid. */
function nextStatuses(from: OrderStatus, paymentMethod: string | null): OrderStatus[] {
  return paymentMethod === CASH_ON_DELIVERY && from === 'placed' ? ['paid', 'fulfilled', 'cancelled'] : NEXT_STATUS[from];
}

/** Where the money stands: awaiting (prepaid methods), due on delivery (COD), or received. */
export type PaymentStatus = 'awaiting_payment' | 'due_on_delivery' | 'paid';

export interface OrderLine {
  lineNo: number;
  variantId: string;
  productId: string;
  sku: string;
  title: string;
  categoryIds: string[];
  quantity: number;
  unitPrice: number;
  /** Promotions' discount on this line. */
  discount: number;
  /** unitPrice × quantity − discount. */
  total: number;
  locationId: string;
}

export interface OrderTransition {
  from: OrderStatus | null;
  to: OrderStatus;
  actor: string;
  note: string | null;
  restocked: boolean | null;
  at: string;
}

export interface Order {
  id: string;
  channelId: string;
  channelType: string;
  storeLocationId: string | null;
  externalId: string | null;
  profileId: string | null;
  cartId: string | null;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  paymentMethod: string | null;
  paymentStatus: PaymentStatus;
  paidAt: string | null;
  placedAt: string;
  createdAt: string;
  updatedAt: string;
  lines: OrderLine[];
  transitions?: OrderTransition[];
}

function toOrder(r: repo.OrderRow, lines: repo.LineRow[], transitions?: repo.TransitionRow[]): Order {
  return {
    id: r.id,
    channelId: r.channel_id,
    channelType: r.channel_type,
    storeLocationId: r.store_location_id,
    externalId: r.external_id,
    profileId: r.profile_id,
    cartId: r.cart_id,
    status: r.status as OrderStatus,
    currency: r.currency,
    subtotal: r.subtotal,
    discountTotal: r.discount_total,
    shippingTotal: r.shipping_total,
    total: r.total,
    paymentMethod: r.payment_method,
    paymentStatus: r.paid_at !== null ? 'paid' : r.payment_method === CASH_ON_DELIVERY ? 'due_on_delivery' : 'awaiting_payment',
    paidAt: r.paid_at === null ? null : toDate(r.paid_at).toISOString(),
    placedAt: toDate(r.placed_at).toISOString(),
    createdAt: toDate(r.created_at).toISOString(),
    updatedAt: toDate(r.updated_at).toISOString(),
    lines: lines
      .filter((l) => l.order_id === r.id)
      .map((l) => ({
        lineNo: l.line_no,
        variantId: l.variant_id,
        productId: l.product_id,
        sku: l.sku,
        title: l.title,
        categoryIds: l.category_ids,
        quantity: l.quantity,
        unitPrice: l.unit_price,
        discount: Number(l.discount),
        total: l.total,
        locationId: l.location_id,
      })),
    ...(transitions
      ? {
          transitions: transitions.map((t) => ({
            from: t.from_status as OrderStatus | null,
            to: t.to_status as OrderStatus,
            actor: t.actor,
            note: t.note,
            restocked: t.restocked === null ? null : t.restocked === 1,
            at: toDate(t.at).toISOString(),
          })),
        }
      : {}),
  };
}

/** Segment e-commerce spec properties of an order. */
function orderProperties(o: Order): Record<string, unknown> {
  return {
    order_id: o.id,
    external_id: o.externalId,
    channel_id: o.channelId,
    total: o.total,
    subtotal: o.subtotal,
    revenue: o.total,
    discount: o.discountTotal,
    shipping: o.shippingTotal,
    currency: o.currency,
    products: o.lines.map((l) => ({ product_id: l.productId, variant_id: l.variantId, sku: l.sku, name: l.title, price: l.unitPrice, quantity: l.quantity, discount: l.discount, category_ids: l.categoryIds })),
    ...(o.storeLocationId ? { store_location_id: o.storeLocationId } : {}),
  };
}

export interface NewOrderInput extends Omit<repo.NewOrder, 'subtotal' | 'total' | 'shippingTotal' | 'paymentMethod'> {
  shippingTotal?: number;
  paymentMethod?: string | null;
  lines: (Omit<OrderLine, 'lineNo' | 'total' | 'discount'> & { discount?: number })[];
  sourceId: string | null;
  actor: string;
}

/**
 * Create an order in the caller's transaction (the caller takes the stock in the same one).
 * Returns `created: false` with the existing order when the channel's external id or the
 * idempotency key was seen before.
 */
export async function createOrder(ex: Executor, input: NewOrderInput): Promise<{ order: Order; created: boolean }> {
  const lines = input.lines.map((l, i) => ({ ...l, lineNo: i + 1, discount: l.discount ?? 0, total: l.unitPrice * l.quantity - (l.discount ?? 0) }));
  const subtotal = lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0);
  const shippingTotal = input.shippingTotal ?? 0;
  const row = await repo.insertOrder(ex, { ...input, paymentMethod: input.paymentMethod ?? null, subtotal, shippingTotal, total: Math.max(subtotal - input.discountTotal, 0) + shippingTotal });
  if (!row) {
    const existing = await findExisting(ex, input);
    if (!existing) throw new Error('order insert conflicted but no existing order was found');
    return { order: existing, created: false };
  }
  const lineRows: repo.LineRow[] = lines.map((l) => ({
    order_id: row.id,
    line_no: l.lineNo,
    variant_id: l.variantId,
    product_id: l.productId,
    sku: l.sku,
    title: l.title,
    category_ids: l.categoryIds,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    discount: l.discount,
    total: l.total,
    location_id: l.locationId,
  }));
  await repo.insertLines(ex, input.workspaceId, lineRows);
  await repo.insertTransition(ex, input.workspaceId, {
    id: newId('otr'),
    order_id: row.id,
    from_status: null,
    to_status: input.status,
    actor: input.actor,
    note: null,
    restocked: null,
  });
  const order = toOrder(row, lineRows);
  if (order.profileId) {
    await recordEvents(ex, [
      {
        workspaceId: input.workspaceId,
        profileId: order.profileId,
        messageId: `order:${order.id}:completed`,
        event: 'Order Completed',
        properties: orderProperties(order),
        channel: order.channelType,
        sourceId: input.sourceId,
        timestamp: input.placedAt,
      },
    ]);
    await refreshCommerceFacts(ex, input.workspaceId, order.profileId, order.currency);
  }
  await appendDomainEvents(ex, [
    { workspaceId: input.workspaceId, type: 'order.placed', profileId: order.profileId, ref: order.id, data: { channelId: order.channelId, total: order.total, currency: order.currency } },
  ]);
  return { order, created: true };
}

async function findExisting(ex: Executor, o: { workspaceId: string; channelId: string; externalId: string | null; idempotencyKey: string | null }): Promise<Order | undefined> {
  const row =
    (o.externalId ? await repo.selectOrderByExternalId(ex, o.workspaceId, o.channelId, o.externalId) : undefined) ??
    (o.idempotencyKey ? await repo.selectOrderByIdempotencyKey(ex, o.workspaceId, o.idempotencyKey) : undefined);
  return row ? toOrder(row, await repo.selectLines(ex, o.workspaceId, [row.id])) : undefined;
}

/** An order already placed under this channel's external id or this idempotency key, if any. */
export async function findOrder(
  ex: Executor,
  o: { workspaceId: string; channelId: string; externalId?: string | null; idempotencyKey?: string | null },
): Promise<Order | undefined> {
  return findExisting(ex, { ...o, externalId: o.externalId ?? null, idempotencyKey: o.idempotencyKey ?? null });
}

/** Record where lines' stock actually came from (when not the first location tried). */
export async function setLineLocations(ex: Executor, workspaceId: string, orderId: string, locationOf: Map<string, string>): Promise<Order> {
  await repo.updateLineLocations(ex, workspaceId, orderId, [...locationOf].map(([variantId, locationId]) => ({ variantId, locationId })));
  const row = await repo.selectOrder(ex, workspaceId, orderId);
  return toOrder(row!, await repo.selectLines(ex, workspaceId, [orderId]));
}

export async function getOrder(ex: Executor, workspaceId: string, id: string): Promise<Order> {
  const row = await repo.selectOrder(ex, workspaceId, id);
  if (!row) throw new AppError('order_not_found', `Order ${id} not found`, { id });
  const [lines, transitions] = await Promise.all([repo.selectLines(ex, workspaceId, [id]), repo.selectTransitions(ex, workspaceId, id)]);
  return toOrder(row, lines, transitions);
}

export async function listOrders(
  ex: Executor,
  opts: { workspaceId: string; profileId?: string; channelId?: string; status?: string; from?: string; to?: string; timeZone?: string; limit: number; cursor?: string },
): Promise<{ data: Order[]; nextCursor: string | null }> {
  if (opts.from && opts.to && opts.to < opts.from) throw new AppError('invalid_field', `to (${opts.to}) is before from (${opts.from})`, { field: 'to' });
  const profileIds = opts.profileId ? await getTimelineProfileIds(ex, opts.workspaceId, opts.profileId) : undefined;
  const before = opts.cursor ? decodeCursor(opts.cursor, { placedAt: 'timestamp', id: 'text' }) : undefined;
  const found = await repo.selectOrders(ex, { ...opts, profileIds, limit: opts.limit + 1, before });
  const page = found.slice(0, opts.limit);
  const lines = await repo.selectLines(ex, opts.workspaceId, page.map((r) => r.id));
  const last = page[page.length - 1];
  return {
    data: page.map((r) => toOrder(r, lines)),
    nextCursor: found.length > opts.limit && last ? encodeCursor({ placedAt: toDate(last.placed_at).toISOString(), id: last.id }) : null,
  };
}

const STATUS_EVENT: Partial<Record<OrderStatus, string>> = { cancelled: 'Order Cancelled', returned: 'Order Refunded' };

/**
 * Move an order along its lifecycle. Cancelling returns its stock to the locations it came
 * from; a return does when `restock` is true. Records the transition, the timeline event and
 * the new commerce facts in the caller's transaction.
 */
export async function transitionOrder(
  ex: Executor,
  opts: { workspaceId: string; id: string; to: OrderStatus; actor: string; note?: string; restock?: boolean; sourceId?: string | null },
): Promise<Order> {
  const row = await repo.selectOrder(ex, opts.workspaceId, opts.id, { forUpdate: true });
  if (!row) throw new AppError('order_not_found', `Order ${opts.id} not found`, { id: opts.id });
  const from = row.status as OrderStatus;
  const allowed = nextStatuses(from, row.payment_method);
  if (!allowed.includes(opts.to)) {
    throw new AppError('invalid_transition', `An order that is ${from} cannot become ${opts.to}`, { from, to: opts.to, allowed });
  }
  const lines = await repo.selectLines(ex, opts.workspaceId, [row.id]);
  const restocked = opts.to === 'cancelled' ? true : opts.to === 'returned' ? opts.restock === true : null;
  if (restocked) {
    await restock(ex, {
      workspaceId: opts.workspaceId,
      lines: lines.map((l) => ({ variantId: l.variant_id, locationId: l.location_id, quantity: l.quantity })),
      reason: opts.to === 'cancelled' ? 'cancellation' : 'return',
      actor: opts.actor,
      ref: row.id,
    });
  }
  // Paid now: marked paid, or a cash-on-delivery order delivered (the courier collected the cash).
  const paid = opts.to === 'paid' || (opts.to === 'fulfilled' && row.payment_method === CASH_ON_DELIVERY);
  const updated = await repo.updateOrderStatus(ex, opts.workspaceId, row.id, opts.to, { paid });
  await repo.insertTransition(ex, opts.workspaceId, {
    id: newId('otr'),
    order_id: row.id,
    from_status: from,
    to_status: opts.to,
    actor: opts.actor,
    note: opts.note ?? null,
    restocked: restocked === null ? null : restocked ? 1 : 0,
  });
  const order = toOrder(updated, lines);
  const event = STATUS_EVENT[opts.to];
  if (order.profileId && event) {
    await recordEvents(ex, [
      {
        workspaceId: opts.workspaceId,
        profileId: order.profileId,
        messageId: `order:${order.id}:${opts.to}`,
        event,
        properties: { ...orderProperties(order), status: opts.to, restocked },
        channel: order.channelType,
        sourceId: opts.sourceId ?? null,
        timestamp: new Date(),
      },
    ]);
  }
  if (order.profileId) await refreshCommerceFacts(ex, opts.workspaceId, order.profileId, order.currency);
  await appendDomainEvents(ex, [
    { workspaceId: opts.workspaceId, type: 'order.status_changed', profileId: order.profileId, ref: order.id, data: { from, to: opts.to } },
  ]);
  return getOrder(ex, opts.workspaceId, order.id);
}

// ---------------------------------------------------------------------------------------------
// Commerce facts

export interface CommerceFacts {
  profileId: string;
  currency: string;
  totalSpent: number;
  orderCount: number;
  byChannel: Record<string, { orders: number; spent: number }>;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  lastStoreLocationId: string | null;
  lastStoreVisitAt: string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : toDate(v).toISOString());

/** Recompute the facts of a profile (resolved to its survivor) over its and its merged profiles' orders. */
export async function refreshCommerceFacts(ex: Executor, workspaceId: string, profileId: string, currency: string): Promise<void> {
  const ids = await findTimelineProfileIds(ex, workspaceId, profileId); // [] once erased
  const [live, ...merged] = ids;
  if (!live) return;
  await repo.recomputeCommerce(ex, workspaceId, live, ids, currency);
  await repo.deleteCommerce(ex, workspaceId, merged);
}

/**
 * Erasure: the orders of these profiles stay — they are the merchant's accounting, totals and
 * lines unchanged — but no longer lead to the person: no profile, no checkout retry key, and the
 * person's own values (`redactor`) cut out of the notes on their history. Their commerce facts
 * go. A personal field added to orders must be cleared here too: the erasure test scans every
 * column for the person. Returns how many orders were detached.
 */
export async function detachOrdersFromProfiles(ex: Executor, opts: { workspaceId: string; profileIds: string[]; redactor: Redactor }): Promise<number> {
  const orderIds = await repo.detachOrders(ex, opts.workspaceId, opts.profileIds);
  const notes = await repo.selectTransitionNotes(ex, opts.workspaceId, orderIds);
  await repo.updateTransitionNotes(
    ex,
    opts.workspaceId,
    notes.filter((n) => opts.redactor.mentions(n.note)).map((n) => ({ id: n.id, note: opts.redactor.redact(n.note) })),
  );
  await repo.deleteCommerce(ex, opts.workspaceId, opts.profileIds);
  return orderIds.length;
}

/** What pricing needs from a customer's orders (survivor id first in `profileIds`), in one read. */
export async function getPurchaseFacts(
  ex: Executor,
  workspaceId: string,
  profileIds: string[],
): Promise<{ totalSpent: number; orderCount: number; lastStoreLocationId: string | null; lastBoughtByCategory: Record<string, string> }> {
  const [live] = profileIds;
  const r = live ? await repo.selectPurchaseFacts(ex, workspaceId, live, profileIds) : undefined;
  const bought = Object.fromEntries(Object.entries(r?.bought ?? {}).map(([k, v]) => [k, toDate(v).toISOString()]));
  return { totalSpent: Number(r?.total_spent ?? 0), orderCount: r?.order_count ?? 0, lastStoreLocationId: r?.last_store_location_id ?? null, lastBoughtByCategory: bought };
}

function factsOf(r: repo.CommerceRow): CommerceFacts {
  return {
    profileId: r.profile_id,
    currency: r.currency,
    totalSpent: r.total_spent,
    orderCount: r.order_count,
    byChannel: r.by_channel,
    firstOrderAt: iso(r.first_order_at),
    lastOrderAt: iso(r.last_order_at),
    lastStoreLocationId: r.last_store_location_id,
    lastStoreVisitAt: iso(r.last_store_visit_at),
  };
}

const noFacts = (profileId: string, currency: string): CommerceFacts => ({
  profileId,
  currency,
  totalSpent: 0,
  orderCount: 0,
  byChannel: {},
  firstOrderAt: null,
  lastOrderAt: null,
  lastStoreLocationId: null,
  lastStoreVisitAt: null,
});

/** Facts of many live profiles (e.g. a page of the customer list) in one query. */
export async function getCommerceFactsMany(ex: Executor, workspaceId: string, profileIds: string[], currency: string): Promise<Map<string, CommerceFacts>> {
  const found = new Map((await repo.selectCommerceMany(ex, workspaceId, profileIds)).map((r) => [r.profile_id, factsOf(r)]));
  return new Map(profileIds.map((id) => [id, found.get(id) ?? noFacts(id, currency)]));
}

export async function getCommerceFacts(
  ex: Executor,
  workspaceId: string,
  profileId: string,
  currency: string,
): Promise<CommerceFacts> {
  const [live] = await getTimelineProfileIds(ex, workspaceId, profileId);
  const r = live ? await repo.selectCommerce(ex, workspaceId, live) : undefined;
  return r ? factsOf(r) : noFacts(live ?? profileId, currency);
}

/**
 * Keeps facts current when identity resolution merges profiles: the survivor's facts are
 * recomputed over both profiles' orders.
 */
export function startCommerceFactsConsumer(db: Database, log: FastifyBaseLogger, currencyOf: (ex: Executor, workspaceId: string) => Promise<string>): Promise<Consumer> {
  return startConsumer({
    db,
    log,
    name: 'orders.commerce-facts',
    handle: async (tx, entries) => {
      for (const e of entries) {
        if (e.type !== 'profile.merged' || !e.profileId) continue;
        await refreshCommerceFacts(tx, e.workspaceId, e.profileId, await currencyOf(tx, e.workspaceId));
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Dashboard aggregates (counted in SQL; cancelled and returned orders are not sales)

export type SalesRange = repo.SalesRange;

export interface SalesTotals {
  orders: number;
  /** Minor units of the range's currency. */
  revenue: number;
  buyers: number;
}

export async function getSalesTotals(ex: Executor, range: SalesRange): Promise<SalesTotals> {
  const t = await repo.selectSalesTotals(ex, range);
  return { orders: t?.orders ?? 0, revenue: Number(t?.revenue ?? 0), buyers: t?.buyers ?? 0 };
}

/** Orders and revenue per day (in the range's time zone) and sales channel, and in total. */
export async function getSalesSummary(
  ex: Executor,
  range: SalesRange,
): Promise<{ totals: SalesTotals; byDay: { day: string; channelId: string; channelType: string; orders: number; revenue: number }[] }> {
  const totals = await getSalesTotals(ex, range);
  const byDay = await repo.selectSalesByDay(ex, range);
  return { totals, byDay: byDay.map((r) => ({ day: r.day, channelId: r.channel_id, channelType: r.channel_type, orders: r.orders, revenue: Number(r.revenue) })) };
}

/** Customers whose first order falls in [from, to), with that order's time and channel. */
export async function listFirstOrders(
  ex: Executor,
  range: { workspaceId: string; timeZone: string; from: string; to: string },
): Promise<{ profileId: string; placedAt: Date; channelId: string; channelType: string }[]> {
  const found = await repo.selectFirstOrders(ex, range);
  return found.map((r) => ({ profileId: r.profile_id, placedAt: toDate(r.placed_at), channelId: r.channel_id, channelType: r.channel_type }));
}
