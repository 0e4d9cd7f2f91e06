/**
 * The only file with SQL for inventory_levels, inventory_adjustments and reservations.
 * Every change of a level is one conditional UPDATE (the row lock serialises concurrent
 * writers, and PostgreSQL re-checks the condition on the newest row version), followed by its
 * audit row.
 */
import { sql, type SQL } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';
import { newId } from '../../platform/ids';

export interface LevelRow {
  variant_id: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  low_stock_threshold: number | null;
  updated_at: Date | string;
}

const LEVEL_COLUMNS = sql.raw('variant_id, location_id, on_hand, reserved, low_stock_threshold, updated_at');

/** NOTIFY channel for stock changes: payload `{"w": workspaceId, "v": [variantIds]}`, delivered at commit. */
export const STOCK_NOTIFY_CHANNEL = 'omni_stock';

/**
 * A join that NOTIFYs `omni_stock` for every row of `upd` (a CTE of changed levels). Put it in a
 * data-modifying CTE's SELECT (those always run), so the notice travels in the same statement and
 * transaction as the change: delivered at commit, dropped on rollback.
 */
function notifyJoin(workspaceId: string): SQL {
  return sql`CROSS JOIN LATERAL (SELECT pg_notify(${STOCK_NOTIFY_CHANNEL}, json_build_object('w', ${workspaceId}::text, 'v', json_build_array(upd.variant_id))::text)) AS notified`;
}

/** How much of a level's available stock a channel may take (see SalesChannel.allocation). */
export interface Allocation {
  mode: 'none' | 'safety_stock' | 'percentage';
  value: number;
}

/** SQL for "what this channel may take from this row": available, minus safety stock, or a share of it. */
export function sellableSql(a: Allocation): SQL {
  switch (a.mode) {
    case 'safety_stock':
      return sql`GREATEST(on_hand - reserved - ${a.value}::int, 0)`;
    case 'percentage':
      return sql`((on_hand - reserved) * ${a.value}::int / 100)`;
    case 'none':
      return sql`(on_hand - reserved)`;
  }
}

export async function selectLevels(ex: Executor, workspaceId: string, variantIds: string[]): Promise<LevelRow[]> {
  if (variantIds.length === 0) return [];
  return rows<LevelRow>(
    ex,
    sql`SELECT ${LEVEL_COLUMNS} FROM inventory_levels
        WHERE workspace_id = ${workspaceId} AND variant_id = ${anyOf(variantIds)}
        ORDER BY variant_id, location_id`,
  );
}

export interface Change {
  workspaceId: string;
  variantId: string;
  locationId: string;
  onHandDelta: number;
  reservedDelta: number;
  reason: string;
  actor: string;
  ref?: string | null;
  note?: string | null;
}

/**
 * Apply a change only when `condition` holds on the current row (and the result stays valid);
 * records the adjustment. Returns the new level, or undefined when the condition failed (or the
 * level does not exist and the change takes stock away).
 */
export async function applyChange(ex: Executor, c: Change, condition: SQL = sql`TRUE`): Promise<LevelRow | undefined> {
  const row = await firstRow<LevelRow>(
    ex,
    sql`WITH upd AS (
          UPDATE inventory_levels SET on_hand = on_hand + ${c.onHandDelta}::int, reserved = reserved + ${c.reservedDelta}::int,
            updated_at = now()
          WHERE workspace_id = ${c.workspaceId} AND variant_id = ${c.variantId} AND location_id = ${c.locationId}
            AND on_hand + ${c.onHandDelta}::int >= 0 AND reserved + ${c.reservedDelta}::int >= 0
            AND reserved + ${c.reservedDelta}::int <= on_hand + ${c.onHandDelta}::int
            AND (${condition})
          RETURNING ${LEVEL_COLUMNS}),
        audit AS (
          INSERT INTO inventory_adjustments (workspace_id, id, variant_id, location_id, on_hand_delta, reserved_delta,
            on_hand_after, reserved_after, reason, actor, ref, note)
          SELECT ${c.workspaceId}, ${newId('adj')}, variant_id, location_id, ${c.onHandDelta}::int, ${c.reservedDelta}::int,
            on_hand, reserved, ${c.reason}, ${c.actor}, ${c.ref ?? null}, ${c.note ?? null} FROM upd ${notifyJoin(c.workspaceId)})
        SELECT * FROM upd`,
  );
  return row;
}

/** Create the level row if missing (0 on hand), so a first receipt can be applied as a change. */
export async function ensureLevel(ex: Executor, workspaceId: string, variantId: string, locationId: string): Promise<void> {
  await ex.execute(sql`
    INSERT INTO inventory_levels (workspace_id, variant_id, location_id) VALUES (${workspaceId}, ${variantId}, ${locationId})
    ON CONFLICT DO NOTHING`);
}

export async function setLowStockThreshold(ex: Executor, workspaceId: string, variantId: string, locationId: string, threshold: number | null): Promise<void> {
  await ex.execute(sql`
    WITH upd AS (
      UPDATE inventory_levels SET low_stock_threshold = ${threshold}
      WHERE workspace_id = ${workspaceId} AND variant_id = ${variantId} AND location_id = ${locationId}
      RETURNING variant_id)
    SELECT 1 FROM upd ${notifyJoin(workspaceId)}`);
}

/**
 * Variants with low stock: a level (at `locationId`, when given) whose available units are at or
 * below its own threshold, or `defaultThreshold` when it has none. At most `limit`, by variant id.
 */
export async function selectLowStockVariantIds(
  ex: Executor,
  opts: { workspaceId: string; locationId?: string; defaultThreshold: number; limit: number },
): Promise<string[]> {
  const found = await rows<{ variant_id: string }>(
    ex,
    sql`SELECT DISTINCT variant_id FROM inventory_levels
        WHERE workspace_id = ${opts.workspaceId} ${opts.locationId ? sql`AND location_id = ${opts.locationId}` : sql``}
          AND on_hand - reserved <= COALESCE(low_stock_threshold, ${opts.defaultThreshold}::int)
        ORDER BY variant_id LIMIT ${opts.limit}`,
  );
  return found.map((r) => r.variant_id);
}

export interface AdjustmentRow {
  id: string;
  variant_id: string;
  location_id: string;
  on_hand_delta: number;
  reserved_delta: number;
  on_hand_after: number;
  reserved_after: number;
  reason: string;
  actor: string;
  ref: string | null;
  note: string | null;
  created_at: Date | string;
}

export async function selectAdjustments(
  ex: Executor,
  opts: { workspaceId: string; variantId: string; limit: number; before?: string },
): Promise<AdjustmentRow[]> {
  return rows<AdjustmentRow>(
    ex,
    sql`SELECT id, variant_id, location_id, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reason, actor, ref, note, created_at
        FROM inventory_adjustments
        WHERE workspace_id = ${opts.workspaceId} AND variant_id = ${opts.variantId}
          ${opts.before ? sql`AND id < ${opts.before}` : sql``}
        ORDER BY id DESC LIMIT ${opts.limit}`,
  );
}

export interface ReservationRow {
  id: string;
  variant_id: string;
  location_id: string;
  channel_id: string;
  quantity: number;
  holder: string;
  status: string;
  expires_at: Date | string;
  created_at: Date | string;
  order_id: string | null;
}

const RESERVATION_COLUMNS = sql.raw('id, variant_id, location_id, channel_id, quantity, holder, status, expires_at, created_at, order_id');

export async function insertReservation(
  ex: Executor,
  r: { workspaceId: string; id: string; variantId: string; locationId: string; channelId: string; quantity: number; holder: string; expiresAt: Date },
): Promise<ReservationRow> {
  return (await firstRow<ReservationRow>(
    ex,
    sql`INSERT INTO reservations (workspace_id, id, variant_id, location_id, channel_id, quantity, holder, expires_at)
        VALUES (${r.workspaceId}, ${r.id}, ${r.variantId}, ${r.locationId}, ${r.channelId}, ${r.quantity}, ${r.holder}, ${r.expiresAt.toISOString()})
        RETURNING ${RESERVATION_COLUMNS}`,
  ))!;
}

/** Close a holder's active reservations (locking them); returns what was closed. */
export async function closeReservations(
  ex: Executor,
  opts: { workspaceId: string; holder: string; status: 'converted' | 'released' | 'expired'; orderId?: string; onlyExpired?: boolean },
): Promise<ReservationRow[]> {
  return rows<ReservationRow>(
    ex,
    sql`UPDATE reservations SET status = ${opts.status}, closed_at = now(), order_id = ${opts.orderId ?? null}
        WHERE workspace_id = ${opts.workspaceId} AND holder = ${opts.holder} AND status = 'active'
          ${opts.onlyExpired ? sql`AND expires_at <= now()` : sql``}
        RETURNING ${RESERVATION_COLUMNS}`,
  );
}

export async function selectActiveReservations(ex: Executor, workspaceId: string, holder: string): Promise<ReservationRow[]> {
  return rows<ReservationRow>(
    ex,
    sql`SELECT ${RESERVATION_COLUMNS} FROM reservations
        WHERE workspace_id = ${workspaceId} AND holder = ${holder} AND status = 'active' ORDER BY id`,
  );
}

/**
 * Claim a batch of expired reservations across workspaces (SKIP LOCKED: several processes can
 * sweep at once) and mark them expired. Returns them so their units can be released.
 */
export async function claimExpired(ex: Executor, limit: number): Promise<(ReservationRow & { workspace_id: string })[]> {
  return rows(
    ex,
    sql`UPDATE reservations r SET status = 'expired', closed_at = now()
        FROM (SELECT workspace_id, id FROM reservations WHERE status = 'active' AND expires_at <= now()
              ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED) due
        WHERE r.workspace_id = due.workspace_id AND r.id = due.id
        RETURNING r.workspace_id, r.id, r.variant_id, r.location_id, r.channel_id, r.quantity, r.holder, r.status,
          r.expires_at, r.created_at, r.order_id`,
  );
}

/**
 * One statement holding units: the conditional UPDATE of the level, its audit row and the
 * reservation row, all or none. With `unlessHeld`, nothing happens when reservation `id` already
 * exists (an earlier statement of the same transaction held the line at another location).
 * Returns the reservation row, or no row when the condition failed.
 */
export function holdSql(
  h: { workspaceId: string; id: string; variantId: string; locationId: string; channelId: string; quantity: number; holder: string; expiresAt: Date; actor: string },
  condition: SQL,
  opts: { unlessHeld: boolean },
): SQL {
  const unlessHeld = opts.unlessHeld ? sql`AND NOT EXISTS (SELECT 1 FROM reservations WHERE workspace_id = ${h.workspaceId} AND id = ${h.id})` : sql``;
  return sql`WITH upd AS (
      UPDATE inventory_levels SET reserved = reserved + ${h.quantity}::int, updated_at = now()
      WHERE workspace_id = ${h.workspaceId} AND variant_id = ${h.variantId} AND location_id = ${h.locationId}
        AND reserved + ${h.quantity}::int <= on_hand AND (${condition}) ${unlessHeld}
      RETURNING variant_id, location_id, on_hand, reserved),
    audit AS (
      INSERT INTO inventory_adjustments (workspace_id, id, variant_id, location_id, on_hand_delta, reserved_delta,
        on_hand_after, reserved_after, reason, actor, ref)
      SELECT ${h.workspaceId}, ${newId('adj')}, variant_id, location_id, 0, ${h.quantity}::int, on_hand, reserved,
        'reservation', ${h.actor}, ${h.id} FROM upd ${notifyJoin(h.workspaceId)})
    INSERT INTO reservations (workspace_id, id, variant_id, location_id, channel_id, quantity, holder, expires_at)
    SELECT ${h.workspaceId}, ${h.id}, variant_id, location_id, ${h.channelId}, ${h.quantity}::int, ${h.holder},
      ${h.expiresAt.toISOString()}::timestamptz FROM upd
    RETURNING ${RESERVATION_COLUMNS}`;
}

/**
 * The levels of these variants, and whether `holder` holds stock through reservations other
 * than `exceptIds` (active, unexpired), in one snapshot. Always one row at least: variant_id is
 * null when there are no levels (see parseLevelsAndHolds).
 */
export function levelsAndHoldsSql(workspaceId: string, variantIds: string[], holder: string, exceptIds: string[]): SQL {
  return sql`SELECT h.is_held, l.variant_id, l.location_id, l.on_hand, l.reserved, l.low_stock_threshold, l.updated_at
    FROM (SELECT EXISTS (SELECT 1 FROM reservations WHERE workspace_id = ${workspaceId} AND holder = ${holder}
            AND status = 'active' AND expires_at > now() AND NOT id = ${anyOf(exceptIds)})) AS h (is_held)
    LEFT JOIN inventory_levels l ON l.workspace_id = ${workspaceId} AND l.variant_id = ${anyOf(variantIds)}
    ORDER BY l.variant_id, l.location_id`;
}

export function parseLevelsAndHolds(found: Record<string, unknown>[]): { levels: LevelRow[]; isHeld: boolean } {
  const list = found as (Omit<LevelRow, 'variant_id'> & { variant_id: string | null; is_held: boolean })[];
  return {
    levels: list.flatMap(({ is_held: _held, variant_id, ...r }) => (variant_id === null ? [] : [{ ...r, variant_id }])),
    isHeld: list[0]?.is_held === true,
  };
}

/** Close these reservations if still active (locking them); returns what was closed. */
export async function closeReservationsById(
  ex: Executor,
  opts: { workspaceId: string; ids: string[]; status: 'converted' | 'released'; orderId?: string },
): Promise<ReservationRow[]> {
  if (opts.ids.length === 0) return [];
  return rows<ReservationRow>(
    ex,
    sql`UPDATE reservations SET status = ${opts.status}, closed_at = now(), order_id = ${opts.orderId ?? null}
        WHERE workspace_id = ${opts.workspaceId} AND id = ${anyOf(opts.ids)} AND status = 'active'
        RETURNING ${RESERVATION_COLUMNS}`,
  );
}
