/** The only file with SQL for orders, order_lines, order_transitions and profile_commerce. */
import { sql, type SQL } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';
import { dayAfter, dayOf, dayStart } from '../../platform/days';
import { mergedProfilesRelation } from '../profiles';

const json = (value: unknown): string => JSON.stringify(value);

export interface OrderRow {
  id: string;
  channel_id: string;
  channel_type: string;
  store_location_id: string | null;
  external_id: string | null;
  idempotency_key: string | null;
  profile_id: string | null;
  cart_id: string | null;
  status: string;
  currency: string;
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  total: number;
  payment_method: string | null;
  paid_at: Date | string | null;
  placed_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const ORDER_COLUMNS = sql.raw(
  'id, channel_id, channel_type, store_location_id, external_id, idempotency_key, profile_id, cart_id, status, currency, subtotal, discount_total, shipping_total, total, payment_method, paid_at, placed_at, created_at, updated_at',
);

export interface NewOrder {
  workspaceId: string;
  id: string;
  channelId: string;
  channelType: string;
  storeLocationId: string | null;
  externalId: string | null;
  idempotencyKey: string | null;
  profileId: string | null;
  cartId: string | null;
  status: string;
  currency: string;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  paymentMethod: string | null;
  placedAt: Date;
}

/** Insert unless the channel's external id (or the idempotency key) exists; undefined then. */
export async function insertOrder(ex: Executor, o: NewOrder): Promise<OrderRow | undefined> {
  return firstRow<OrderRow>(
    ex,
    sql`INSERT INTO orders (workspace_id, id, channel_id, channel_type, store_location_id, external_id, idempotency_key, profile_id,
          cart_id, status, currency, subtotal, discount_total, shipping_total, total, payment_method, paid_at, placed_at)
        VALUES (${o.workspaceId}, ${o.id}, ${o.channelId}, ${o.channelType}, ${o.storeLocationId}, ${o.externalId}, ${o.idempotencyKey},
          ${o.profileId}, ${o.cartId}, ${o.status}, ${o.currency}, ${o.subtotal}, ${o.discountTotal}, ${o.shippingTotal}, ${o.total},
          ${o.paymentMethod}, ${o.status === 'paid' ? o.placedAt.toISOString() : null}, ${o.placedAt.toISOString()})
        ON CONFLICT DO NOTHING
        RETURNING ${ORDER_COLUMNS}`,
  );
}

export async function selectOrder(ex: Executor, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<OrderRow | undefined> {
  return firstRow<OrderRow>(
    ex,
    sql`SELECT ${ORDER_COLUMNS} FROM orders WHERE workspace_id = ${workspaceId} AND id = ${id} ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
}

export async function selectOrderByExternalId(ex: Executor, workspaceId: string, channelId: string, externalId: string): Promise<OrderRow | undefined> {
  return firstRow<OrderRow>(
    ex,
    sql`SELECT ${ORDER_COLUMNS} FROM orders WHERE workspace_id = ${workspaceId} AND channel_id = ${channelId} AND external_id = ${externalId}`,
  );
}

export async function selectOrderByIdempotencyKey(ex: Executor, workspaceId: string, key: string): Promise<OrderRow | undefined> {
  return firstRow<OrderRow>(ex, sql`SELECT ${ORDER_COLUMNS} FROM orders WHERE workspace_id = ${workspaceId} AND idempotency_key = ${key}`);
}

/** Move the status on; `paid` also records when the payment was received (once). */
export async function updateOrderStatus(ex: Executor, workspaceId: string, id: string, status: string, opts: { paid?: boolean } = {}): Promise<OrderRow> {
  return (await firstRow<OrderRow>(
    ex,
    sql`UPDATE orders SET status = ${status}, updated_at = now() ${opts.paid ? sql`, paid_at = coalesce(paid_at, now())` : sql``}
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${ORDER_COLUMNS}`,
  ))!;
}

export async function selectOrders(
  ex: Executor,
  opts: {
    workspaceId: string;
    profileIds?: string[];
    channelId?: string;
    status?: string;
    /** Calendar days in `timeZone`, inclusive. */
    from?: string;
    to?: string;
    timeZone?: string;
    limit: number;
    before?: { placedAt: string; id: string };
  },
): Promise<OrderRow[]> {
  const conds: SQL[] = [sql`workspace_id = ${opts.workspaceId}`];
  const timeZone = opts.timeZone ?? 'UTC';
  if (opts.from) conds.push(sql`placed_at >= ${dayStart({ from: opts.from, timeZone })}`);
  if (opts.to) conds.push(sql`placed_at < ${dayAfter({ to: opts.to, timeZone })}`);
  if (opts.profileIds) conds.push(sql`profile_id = ${anyOf(opts.profileIds)}`);
  if (opts.channelId) conds.push(sql`channel_id = ${opts.channelId}`);
  if (opts.status) conds.push(sql`status = ${opts.status}`);
  if (opts.before) conds.push(sql`(placed_at, id) < (${opts.before.placedAt}::timestamptz, ${opts.before.id})`);
  return rows<OrderRow>(
    ex,
    sql`SELECT ${ORDER_COLUMNS} FROM orders WHERE ${sql.join(conds, sql` AND `)} ORDER BY placed_at DESC, id DESC LIMIT ${opts.limit}`,
  );
}

export interface LineRow {
  order_id: string;
  line_no: number;
  variant_id: string;
  product_id: string;
  sku: string;
  title: string;
  category_ids: string[];
  quantity: number;
  unit_price: number;
  discount: number;
  total: number;
  location_id: string;
}

export async function insertLines(ex: Executor, workspaceId: string, lines: LineRow[]): Promise<void> {
  if (lines.length === 0) return;
  await ex.execute(sql`
    INSERT INTO order_lines (workspace_id, order_id, line_no, variant_id, product_id, sku, title, category_ids, quantity, unit_price, discount, total, location_id)
    SELECT ${workspaceId}, x.order_id, x.line_no, x.variant_id, x.product_id, x.sku, x.title, x.category_ids, x.quantity, x.unit_price, x.discount, x.total, x.location_id
    FROM json_to_recordset(${json(lines)}::json) AS x(order_id text, line_no int, variant_id text, product_id text, sku text, title text,
      category_ids jsonb, quantity int, unit_price bigint, discount bigint, total bigint, location_id text)`);
}

export async function updateLineLocations(ex: Executor, workspaceId: string, orderId: string, list: { variantId: string; locationId: string }[]): Promise<void> {
  if (list.length === 0) return;
  await ex.execute(sql`
    UPDATE order_lines l SET location_id = x."locationId"
    FROM json_to_recordset(${json(list)}::json) AS x("variantId" text, "locationId" text)
    WHERE l.workspace_id = ${workspaceId} AND l.order_id = ${orderId} AND l.variant_id = x."variantId"`);
}

export async function selectLines(ex: Executor, workspaceId: string, orderIds: string[]): Promise<LineRow[]> {
  if (orderIds.length === 0) return [];
  return rows<LineRow>(
    ex,
    sql`SELECT order_id, line_no, variant_id, product_id, sku, title, category_ids, quantity, unit_price, discount, total, location_id
        FROM order_lines WHERE workspace_id = ${workspaceId} AND order_id = ${anyOf(orderIds)} ORDER BY order_id, line_no`,
  );
}

export interface TransitionRow {
  id: string;
  order_id: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  note: string | null;
  restocked: number | null;
  at: Date | string;
}

export async function insertTransition(ex: Executor, workspaceId: string, t: Omit<TransitionRow, 'at'>): Promise<void> {
  await ex.execute(sql`
    INSERT INTO order_transitions (workspace_id, id, order_id, from_status, to_status, actor, note, restocked)
    VALUES (${workspaceId}, ${t.id}, ${t.order_id}, ${t.from_status}, ${t.to_status}, ${t.actor}, ${t.note}, ${t.restocked})`);
}

export async function selectTransitions(ex: Executor, workspaceId: string, orderId: string): Promise<TransitionRow[]> {
  return rows<TransitionRow>(
    ex,
    sql`SELECT id, order_id, from_status, to_status, actor, note, restocked, at FROM order_transitions
        WHERE workspace_id = ${workspaceId} AND order_id = ${orderId} ORDER BY at, id`,
  );
}

/** Erasure: these profiles' orders lose their customer and the checkout's retry key. Returns their ids. */
export async function detachOrders(ex: Executor, workspaceId: string, profileIds: string[]): Promise<string[]> {
  if (profileIds.length === 0) return [];
  const found = await rows<{ id: string }>(
    ex,
    sql`UPDATE orders SET profile_id = NULL, idempotency_key = NULL, updated_at = now()
        WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)}
        RETURNING id`,
  );
  return found.map((r) => r.id);
}

export async function selectTransitionNotes(ex: Executor, workspaceId: string, orderIds: string[]): Promise<{ id: string; note: string }[]> {
  if (orderIds.length === 0) return [];
  return rows(
    ex,
    sql`SELECT id, note FROM order_transitions
        WHERE workspace_id = ${workspaceId} AND order_id = ${anyOf(orderIds)} AND note IS NOT NULL`,
  );
}

export async function updateTransitionNotes(ex: Executor, workspaceId: string, list: { id: string; note: string }[]): Promise<void> {
  if (list.length === 0) return;
  await ex.execute(sql`
    UPDATE order_transitions t SET note = x.note
    FROM json_to_recordset(${json(list)}::json) AS x(id text, note text)
    WHERE t.workspace_id = ${workspaceId} AND t.id = x.id`);
}

export interface CommerceRow {
  profile_id: string;
  currency: string;
  total_spent: number;
  order_count: number;
  by_channel: Record<string, { orders: number; spent: number }>;
  first_order_at: Date | string | null;
  last_order_at: Date | string | null;
  last_store_location_id: string | null;
  last_store_visit_at: Date | string | null;
  updated_at: Date | string;
}

/**
 * Recompute a profile's commerce facts from its orders (and those of the profiles merged into
 * it): counted orders are those not cancelled or returned. One statement, so it is always
 * consistent with the orders it read.
 */
export async function recomputeCommerce(ex: Executor, workspaceId: string, profileId: string, profileIds: string[], currency: string): Promise<void> {
  await ex.execute(sql`
    WITH o AS (
      SELECT channel_id, channel_type, store_location_id, total, placed_at FROM orders
      WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)} AND status NOT IN ('cancelled', 'returned')),
    per AS (SELECT channel_id, count(*)::int AS n, sum(total)::bigint AS spent FROM o GROUP BY channel_id),
    store AS (SELECT store_location_id, placed_at FROM o WHERE store_location_id IS NOT NULL ORDER BY placed_at DESC LIMIT 1)
    INSERT INTO profile_commerce (workspace_id, profile_id, currency, total_spent, order_count, by_channel, first_order_at, last_order_at,
      last_store_location_id, last_store_visit_at, updated_at)
    SELECT ${workspaceId}, ${profileId}, ${currency},
      coalesce((SELECT sum(total) FROM o), 0), (SELECT count(*) FROM o),
      coalesce((SELECT jsonb_object_agg(channel_id, jsonb_build_object('orders', n, 'spent', spent)) FROM per), '{}'::jsonb),
      (SELECT min(placed_at) FROM o), (SELECT max(placed_at) FROM o),
      (SELECT store_location_id FROM store), (SELECT placed_at FROM store), now()
    ON CONFLICT (workspace_id, profile_id) DO UPDATE SET currency = excluded.currency, total_spent = excluded.total_spent,
      order_count = excluded.order_count, by_channel = excluded.by_channel, first_order_at = excluded.first_order_at,
      last_order_at = excluded.last_order_at, last_store_location_id = excluded.last_store_location_id,
      last_store_visit_at = excluded.last_store_visit_at, updated_at = now()`);
}

export async function selectCommerce(ex: Executor, workspaceId: string, profileId: string): Promise<CommerceRow | undefined> {
  return firstRow<CommerceRow>(
    ex,
    sql`SELECT profile_id, currency, total_spent, order_count, by_channel, first_order_at, last_order_at, last_store_location_id,
          last_store_visit_at, updated_at
        FROM profile_commerce WHERE workspace_id = ${workspaceId} AND profile_id = ${profileId}`,
  );
}

/** The facts rows of many (live) profiles at once; profiles without orders have none. */
export async function selectCommerceMany(ex: Executor, workspaceId: string, profileIds: string[]): Promise<CommerceRow[]> {
  if (profileIds.length === 0) return [];
  return rows<CommerceRow>(
    ex,
    sql`SELECT profile_id, currency, total_spent, order_count, by_channel, first_order_at, last_order_at, last_store_location_id,
          last_store_visit_at, updated_at
        FROM profile_commerce WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)}`,
  );
}

/** Facts of profiles that were merged away: dropped once folded into the survivor's. */
export async function deleteCommerce(ex: Executor, workspaceId: string, profileIds: string[]): Promise<void> {
  if (profileIds.length === 0) return;
  await ex.execute(sql`DELETE FROM profile_commerce WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)}`);
}

/** For pricing, in one round trip: the survivor's commerce facts and when each category was last bought. */
export async function selectPurchaseFacts(
  ex: Executor,
  workspaceId: string,
  liveId: string,
  profileIds: string[],
): Promise<{ total_spent: number | null; order_count: number | null; last_store_location_id: string | null; bought: Record<string, string> | null } | undefined> {
  return firstRow(
    ex,
    sql`SELECT c.total_spent, c.order_count, c.last_store_location_id,
               (SELECT jsonb_object_agg(x.category_id, x.at) FROM (
                  SELECT cat.category_id, max(o.placed_at) AS at
                  FROM orders o
                  JOIN order_lines l ON l.workspace_id = o.workspace_id AND l.order_id = o.id
                  CROSS JOIN LATERAL jsonb_array_elements_text(l.category_ids) AS cat(category_id)
                  WHERE o.workspace_id = ${workspaceId} AND o.profile_id = ${anyOf(profileIds)} AND o.status NOT IN ('cancelled')
                  GROUP BY cat.category_id) x) AS bought
        FROM (SELECT 1) AS one
        LEFT JOIN profile_commerce c ON c.workspace_id = ${workspaceId} AND c.profile_id = ${liveId}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Dashboard aggregates. Counted orders are those not cancelled or returned (as in the commerce
// facts); a range is [from, to) as instants, days in the given time zone.

/** Statuses whose orders are not counted as sales. */
const NOT_SALES = sql.raw(`('cancelled', 'returned')`);

export interface SalesRange {
  workspaceId: string;
  timeZone: string;
  currency: string;
  /** First and last day, YYYY-MM-DD in the time zone (inclusive). */
  from: string;
  to: string;
}


/** Per day and sales channel: orders and revenue (in the given currency). */
export async function selectSalesByDay(ex: Executor, r: SalesRange): Promise<{ day: string; channel_id: string; channel_type: string; orders: number; revenue: number | string }[]> {
  return rows(
    ex,
    sql`SELECT ${dayOf(sql`placed_at`, r.timeZone)} AS day, channel_id, min(channel_type) AS channel_type,
               count(*)::int AS orders, sum(total)::bigint AS revenue
        FROM orders
        WHERE workspace_id = ${r.workspaceId} AND currency = ${r.currency} AND status NOT IN ${NOT_SALES}
          AND placed_at >= ${dayStart(r)} AND placed_at < ${dayAfter(r)}
        GROUP BY 1, 2
        ORDER BY 1, 2`,
  );
}

/** Over the range: orders, revenue and distinct buyers. */
export async function selectSalesTotals(ex: Executor, r: SalesRange): Promise<{ orders: number; revenue: number | string; buyers: number } | undefined> {
  return firstRow(
    ex,
    sql`SELECT count(*)::int AS orders, coalesce(sum(o.total), 0)::bigint AS revenue,
               count(DISTINCT COALESCE(m.live_id, o.profile_id))::int AS buyers
        FROM orders o LEFT JOIN ${mergedProfilesRelation(r.workspaceId)} m ON m.id = o.profile_id
        WHERE o.workspace_id = ${r.workspaceId} AND o.currency = ${r.currency} AND o.status NOT IN ${NOT_SALES}
          AND o.placed_at >= ${dayStart(r)} AND o.placed_at < ${dayAfter(r)}`,
  );
}

/** Customers (live profiles: orders of the profiles merged into one count as theirs) whose first counted order (any currency) falls in the range: that order's time and channel. */
export async function selectFirstOrders(
  ex: Executor,
  r: { workspaceId: string; timeZone: string; from: string; to: string },
): Promise<{ profile_id: string; placed_at: Date | string; channel_id: string; channel_type: string }[]> {
  return rows(
    ex,
    sql`SELECT * FROM (
          SELECT DISTINCT ON (1) COALESCE(m.live_id, o.profile_id) AS profile_id, o.placed_at, o.channel_id, o.channel_type
          FROM orders o LEFT JOIN ${mergedProfilesRelation(r.workspaceId)} m ON m.id = o.profile_id
          WHERE o.workspace_id = ${r.workspaceId} AND o.profile_id IS NOT NULL AND o.status NOT IN ${NOT_SALES} AND o.placed_at < ${dayAfter(r)}
          ORDER BY 1, o.placed_at, o.id) first
        WHERE first.placed_at >= ${dayStart(r)}`,
  );
}
