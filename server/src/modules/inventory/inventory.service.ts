/**
 * Inventory: one stock count per variant per location, shared by every channel.
 *
 * Taking stock (a sale), reserving it (a checkout) and holding it (an order being placed) are
 * single conditional UPDATEs of the level row: concurrent takers queue on the row lock and each
 * re-checks "is enough left for my channel" against the newest value, so the last unit is sold
 * exactly once on PostgreSQL (any number of connections) and on PGlite (one connection). Lines
 * are taken in variant order so two multi-line orders never wait on each other in a cycle.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import { toDate, type Database, type Executor } from '../../db/client';
import { AppError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import * as repo from './inventory.repo';

/** What inventory needs to know about a channel: its allocation rule and its locations in order. */
export interface ChannelStock {
  id: string;
  allocation: repo.Allocation;
  locations: { id: string }[];
}

export interface Level {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number | null;
  isLowStock: boolean;
  updatedAt: string;
}

export interface StockLine {
  variantId: string;
  sku: string;
  quantity: number;
}

export interface TakenLine extends StockLine {
  locationId: string;
}

function toLevel(r: repo.LevelRow): Level {
  const available = r.on_hand - r.reserved;
  return {
    variantId: r.variant_id,
    locationId: r.location_id,
    onHand: r.on_hand,
    reserved: r.reserved,
    available,
    lowStockThreshold: r.low_stock_threshold,
    isLowStock: r.low_stock_threshold !== null && available <= r.low_stock_threshold,
    updatedAt: toDate(r.updated_at).toISOString(),
  };
}

/** What a channel may take from one level under its allocation rule. */
export function sellableFor(channel: Pick<ChannelStock, 'allocation'>, level: Pick<Level, 'available'>): number {
  const { mode, value } = channel.allocation;
  const available = Math.max(level.available, 0);
  if (mode === 'safety_stock') return Math.max(available - value, 0);
  if (mode === 'percentage') return Math.floor((available * value) / 100);
  return available;
}

export async function getLevels(ex: Executor, workspaceId: string, variantIds: string[]): Promise<Level[]> {
  return (await repo.selectLevels(ex, workspaceId, variantIds)).map(toLevel);
}

/** What a channel may sell of a variant now, over all the locations that fulfil it. */
export function availableForChannel(channel: ChannelStock, levels: Level[], variantId: string): number {
  const fulfils = new Set(channel.locations.map((l) => l.id));
  return levels.filter((l) => l.variantId === variantId && fulfils.has(l.locationId)).reduce((n, l) => n + sellableFor(channel, l), 0);
}

function locationsFor(channel: ChannelStock, locationId: string | undefined): string[] {
  if (locationId === undefined) {
    if (channel.locations.length === 0) {
      throw new AppError('location_not_in_channel', `Channel ${channel.id} has no stock location to sell from`, { channelId: channel.id });
    }
    return channel.locations.map((l) => l.id);
  }
  if (!channel.locations.some((l) => l.id === locationId)) {
    throw new AppError('location_not_in_channel', `Location ${locationId} does not fulfil channel ${channel.id}`, {
      channelId: channel.id,
      locationId,
    });
  }
  return [locationId];
}

/** The channel as seen from one of its locations (all of them when none is given). */
function channelAt(channel: ChannelStock, locationId: string | undefined): ChannelStock {
  return locationId ? { ...channel, locations: channel.locations.filter((l) => l.id === locationId) } : channel;
}

function insufficientStock(line: StockLine, available: number): AppError {
  return new AppError(
    'insufficient_stock',
    `Not enough stock of ${line.sku}: ${line.quantity} requested, ${available} available on this channel`,
    { sku: line.sku, requested: line.quantity, available },
  );
}

async function insufficient(ex: Executor, workspaceId: string, channel: ChannelStock, line: StockLine): Promise<AppError> {
  return insufficientStock(line, availableForChannel(channel, await getLevels(ex, workspaceId, [line.variantId]), line.variantId));
}

/**
 * Refuse early what a plain read shows the channel cannot sell (from `locationId` only, when
 * given). Not a guarantee: takeStock re-checks under the row lock.
 */
export async function checkAvailable(
  ex: Executor,
  opts: { workspaceId: string; channel: ChannelStock; lines: StockLine[]; locationId?: string },
): Promise<void> {
  const levels = await getLevels(ex, opts.workspaceId, opts.lines.map((l) => l.variantId));
  const channel = channelAt(opts.channel, opts.locationId);
  for (const line of normaliseLines(opts.lines)) {
    const available = availableForChannel(channel, levels, line.variantId);
    if (line.quantity > available) throw insufficientStock(line, available);
  }
}

/** One line per variant, in variant order (the lock order). */
function normaliseLines(lines: StockLine[]): StockLine[] {
  const byVariant = new Map<string, StockLine>();
  for (const l of lines) {
    const seen = byVariant.get(l.variantId);
    byVariant.set(l.variantId, seen ? { ...seen, quantity: seen.quantity + l.quantity } : { ...l });
  }
  return [...byVariant.values()].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));
}

/**
 * Take stock for a sale: each line from the first of the channel's locations (or the given one)
 * that has enough for this channel. All or nothing within the caller's transaction: throws
 * `insufficient_stock` naming the SKU and what the channel has available.
 */
export async function takeStock(
  ex: Executor,
  opts: { workspaceId: string; channel: ChannelStock; lines: StockLine[]; locationId?: string; actor: string; ref: string },
): Promise<TakenLine[]> {
  const candidates = locationsFor(opts.channel, opts.locationId);
  const sellable = repo.sellableSql(opts.channel.allocation);
  const taken: TakenLine[] = [];
  for (const line of normaliseLines(opts.lines)) {
    let from: string | undefined;
    for (const locationId of candidates) {
      const row = await repo.applyChange(
        ex,
        { workspaceId: opts.workspaceId, variantId: line.variantId, locationId, onHandDelta: -line.quantity, reservedDelta: 0, reason: 'sale', actor: opts.actor, ref: opts.ref },
        sql`${sellable} >= ${line.quantity}::int`,
      );
      if (row) {
        from = locationId;
        break;
      }
    }
    if (!from) throw await insufficient(ex, opts.workspaceId, opts.channel, line);
    taken.push({ ...line, locationId: from });
  }
  return taken;
}

export interface Reservation {
  id: string;
  variantId: string;
  locationId: string;
  channelId: string;
  quantity: number;
  holder: string;
  status: string;
  expiresAt: string;
  createdAt: string;
  orderId: string | null;
}

function toReservation(r: repo.ReservationRow): Reservation {
  return {
    id: r.id,
    variantId: r.variant_id,
    locationId: r.location_id,
    channelId: r.channel_id,
    quantity: r.quantity,
    holder: r.holder,
    status: r.status,
    expiresAt: toDate(r.expires_at).toISOString(),
    createdAt: toDate(r.created_at).toISOString(),
    orderId: r.order_id,
  };
}

/**
 * Hold units for a holder (a cart's checkout) until `ttlSeconds` from now. Replaces the
 * holder's earlier reservations (released first, in the same transaction). All or nothing.
 */
export async function reserveStock(
  ex: Executor,
  opts: { workspaceId: string; channel: ChannelStock; holder: string; lines: StockLine[]; ttlSeconds: number; actor: string },
): Promise<Reservation[]> {
  await releaseReservations(ex, { workspaceId: opts.workspaceId, holder: opts.holder, actor: opts.actor });
  const candidates = locationsFor(opts.channel, undefined);
  const sellable = repo.sellableSql(opts.channel.allocation);
  const expiresAt = new Date(Date.now() + opts.ttlSeconds * 1000);
  const out: Reservation[] = [];
  for (const line of normaliseLines(opts.lines)) {
    const id = newId('rsv');
    let from: string | undefined;
    for (const locationId of candidates) {
      const row = await repo.applyChange(
        ex,
        { workspaceId: opts.workspaceId, variantId: line.variantId, locationId, onHandDelta: 0, reservedDelta: line.quantity, reason: 'reservation', actor: opts.actor, ref: id },
        sql`${sellable} >= ${line.quantity}::int`,
      );
      if (row) {
        from = locationId;
        break;
      }
    }
    if (!from) throw await insufficient(ex, opts.workspaceId, opts.channel, line);
    const r = await repo.insertReservation(ex, {
      workspaceId: opts.workspaceId,
      id,
      variantId: line.variantId,
      locationId: from,
      channelId: opts.channel.id,
      quantity: line.quantity,
      holder: opts.holder,
      expiresAt,
    });
    out.push(toReservation(r));
  }
  return out;
}

export type HoldResult =
  | { isHeld: true; reservations: Reservation[] }
  | {
      isHeld: false;
      /** `insufficient_stock` for the first line that could not be held, with what the channel has. */
      shortage: AppError;
      /** The holder holds stock through other reservations (another attempt of the same order, say). */
      isHolderHolding: boolean;
    };

class NotHeld extends Error {
  constructor(readonly result: HoldResult & { isHeld: false }) {
    super('not enough stock to hold');
  }
}

/**
 * Hold units for one attempt of `holder` until `ttlSeconds` from now: each line at the first of
 * the channel's locations (or the given one) that has enough for this channel. Unlike
 * reserveStock it releases nothing first, so several attempts may hold for one holder; each
 * converts or releases its own reservations by id (sellHeldStock, releaseHeldStock).
 *
 * One round trip for a one-line order, win or lose: the conditional UPDATEs (one per candidate
 * location) and a fresh read of the levels travel in one batch. All or nothing: when a line
 * cannot be held nothing is, and the result says what the channel has and whether the holder
 * holds stock through another attempt.
 */
export async function holdStock(
  db: Database,
  opts: { workspaceId: string; channel: ChannelStock; holder: string; lines: StockLine[]; locationId?: string; ttlSeconds: number; actor: string },
): Promise<HoldResult> {
  const candidates = opts.locationId === undefined ? opts.channel.locations.map((l) => l.id) : locationsFor(opts.channel, opts.locationId);
  const sellable = repo.sellableSql(opts.channel.allocation);
  const expiresAt = new Date(Date.now() + opts.ttlSeconds * 1000);
  const lines = normaliseLines(opts.lines).map((line) => ({ line, id: newId('rsv') }));
  const holds = lines.flatMap(({ line, id }) =>
    candidates.map((locationId, i) =>
      repo.holdSql(
        { workspaceId: opts.workspaceId, id, variantId: line.variantId, locationId, channelId: opts.channel.id, quantity: line.quantity, holder: opts.holder, expiresAt, actor: opts.actor },
        sql`${sellable} >= ${line.quantity}::int`,
        { unlessHeld: i > 0 },
      ),
    ),
  );
  const look = repo.levelsAndHoldsSql(opts.workspaceId, lines.map((l) => l.line.variantId), opts.holder, lines.map((l) => l.id));
  try {
    return await db.batchTransaction(async (tx) => {
      // One line cannot be half held: commit in the same round trip. Several lines commit only when all are held.
      const results = lines.length === 1 ? await tx.commit(...holds, look) : await tx.query(...holds, look);
      const held = results.slice(0, -1).flat() as unknown as repo.ReservationRow[];
      const missing = lines.find(({ id }) => !held.some((r) => r.id === id));
      if (!missing) {
        if (lines.length > 1) await tx.commit();
        return { isHeld: true, reservations: held.map(toReservation) };
      }
      const { levels, isHeld } = repo.parseLevelsAndHolds(results[results.length - 1] ?? []);
      const available = availableForChannel(channelAt(opts.channel, opts.locationId), levels.map(toLevel), missing.line.variantId);
      const refused = { isHeld: false as const, shortage: insufficientStock(missing.line, available), isHolderHolding: isHeld };
      if (held.length > 0) throw new NotHeld(refused); // roll back the lines that were held
      return refused;
    });
  } catch (err) {
    if (err instanceof NotHeld) return err.result;
    throw err;
  }
}

/**
 * Sell what one attempt holds, in the caller's transaction: its reservations (by id) become a
 * sale, lines in variant order. A line whose reservation is no longer active (expired and swept)
 * is taken directly as takeStock would, or refused with `insufficient_stock`. Returns each line
 * with the location its units left.
 */
export async function sellHeldStock(
  ex: Executor,
  opts: { workspaceId: string; channel: ChannelStock; reservationIds: string[]; lines: StockLine[]; locationId?: string; orderId: string; actor: string },
): Promise<TakenLine[]> {
  const closed = await repo.closeReservationsById(ex, { workspaceId: opts.workspaceId, ids: opts.reservationIds, status: 'converted', orderId: opts.orderId });
  const heldAt = new Map(closed.map((r) => [r.variant_id, r]));
  const sellable = repo.sellableSql(opts.channel.allocation);
  const taken: TakenLine[] = [];
  for (const line of normaliseLines(opts.lines)) {
    const held = heldAt.get(line.variantId);
    if (held && held.quantity !== line.quantity) throw new Error(`reservation ${held.id} holds ${held.quantity} of ${line.sku}, the line wants ${line.quantity}`);
    const change = { workspaceId: opts.workspaceId, variantId: line.variantId, onHandDelta: -line.quantity, reason: 'sale', actor: opts.actor, ref: opts.orderId };
    let from: string | undefined;
    if (held) {
      if (!(await repo.applyChange(ex, { ...change, locationId: held.location_id, reservedDelta: -line.quantity }))) {
        throw new Error(`reservation ${held.id} could not be converted: its level changed underneath it`);
      }
      from = held.location_id;
    } else {
      for (const locationId of locationsFor(opts.channel, opts.locationId)) {
        if (await repo.applyChange(ex, { ...change, locationId, reservedDelta: 0 }, sql`${sellable} >= ${line.quantity}::int`)) {
          from = locationId;
          break;
        }
      }
      if (!from) throw await insufficient(ex, opts.workspaceId, opts.channel, line);
    }
    taken.push({ ...line, locationId: from });
  }
  return taken;
}

/** Give back one attempt's units: these reservations, when still active. Returns how many closed. */
export async function releaseHeldStock(ex: Executor, opts: { workspaceId: string; reservationIds: string[]; actor: string }): Promise<number> {
  const closed = await repo.closeReservationsById(ex, { workspaceId: opts.workspaceId, ids: opts.reservationIds, status: 'released' });
  await returnReserved(ex, opts.workspaceId, closed, 'release', opts.actor);
  return closed.length;
}

export async function listReservations(ex: Executor, workspaceId: string, holder: string): Promise<Reservation[]> {
  return (await repo.selectActiveReservations(ex, workspaceId, holder)).map(toReservation);
}

async function returnReserved(ex: Executor, workspaceId: string, list: repo.ReservationRow[], reason: string, actor: string): Promise<void> {
  for (const r of [...list].sort((a, b) => (a.variant_id < b.variant_id ? -1 : 1))) {
    await repo.applyChange(ex, { workspaceId, variantId: r.variant_id, locationId: r.location_id, onHandDelta: 0, reservedDelta: -r.quantity, reason, actor, ref: r.id });
  }
}

/** Give a holder's held units back (cancelled checkout, emptied cart). Returns how many reservations closed. */
export async function releaseReservations(ex: Executor, opts: { workspaceId: string; holder: string; actor: string }): Promise<number> {
  const closed = await repo.closeReservations(ex, { workspaceId: opts.workspaceId, holder: opts.holder, status: 'released' });
  await returnReserved(ex, opts.workspaceId, closed, 'release', opts.actor);
  return closed.length;
}

/**
 * Turn a holder's reservations into a sale: the held units leave the shelf. Returns the lines
 * with the locations they came from; an expired or missing reservation yields nothing for its
 * line (the caller then takes stock directly).
 */
export async function convertReservations(
  ex: Executor,
  opts: { workspaceId: string; holder: string; orderId: string; actor: string },
): Promise<{ variantId: string; locationId: string; quantity: number }[]> {
  const closed = await repo.closeReservations(ex, { workspaceId: opts.workspaceId, holder: opts.holder, status: 'converted', orderId: opts.orderId });
  const out: { variantId: string; locationId: string; quantity: number }[] = [];
  for (const r of [...closed].sort((a, b) => (a.variant_id < b.variant_id ? -1 : 1))) {
    const row = await repo.applyChange(ex, {
      workspaceId: opts.workspaceId,
      variantId: r.variant_id,
      locationId: r.location_id,
      onHandDelta: -r.quantity,
      reservedDelta: -r.quantity,
      reason: 'sale',
      actor: opts.actor,
      ref: opts.orderId,
    });
    if (!row) throw new Error(`reservation ${r.id} could not be converted: its level changed underneath it`);
    out.push({ variantId: r.variant_id, locationId: r.location_id, quantity: r.quantity });
  }
  return out;
}

/** Release reservations past their expiry, across workspaces; returns how many. */
export async function expireReservations(db: Database, opts: { limit?: number } = {}): Promise<number> {
  return db.orm.transaction(async (tx) => {
    const due = await repo.claimExpired(tx, opts.limit ?? 500);
    const byWorkspace = new Map<string, repo.ReservationRow[]>();
    for (const r of due) byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), r]);
    for (const [workspaceId, list] of byWorkspace) await returnReserved(tx, workspaceId, list, 'expiry', 'system');
    return due.length;
  });
}

/** Sweep expired reservations every `intervalMs`; returns a stop function. */
export function startReservationSweeper(db: Database, log: FastifyBaseLogger, intervalMs: number): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        let n: number;
        do n = await expireReservations(db);
        while (n >= 500);
      })
      .catch((err: unknown) => log.error({ err }, 'reservation sweep failed'));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Put units back on the shelf (cancelled order, return). */
export async function restock(
  ex: Executor,
  opts: { workspaceId: string; lines: { variantId: string; locationId: string; quantity: number }[]; reason: string; actor: string; ref: string },
): Promise<void> {
  for (const l of [...opts.lines].sort((a, b) => (a.variantId < b.variantId ? -1 : 1))) {
    await repo.ensureLevel(ex, opts.workspaceId, l.variantId, l.locationId);
    await repo.applyChange(ex, { workspaceId: opts.workspaceId, variantId: l.variantId, locationId: l.locationId, onHandDelta: l.quantity, reservedDelta: 0, reason: opts.reason, actor: opts.actor, ref: opts.ref });
  }
}

/** Most units one location may hold of a SKU: well inside the level's 32-bit counters, so no sum overflows them. */
export const MAX_ON_HAND = 1_000_000_000;

/**
 * A manual change of stock at one location: `delta` (received +20, damaged −1) or `count` (a
 * stock take: on hand becomes exactly this). Never below zero, never below what is reserved.
 */
export async function adjustStock(
  ex: Executor,
  opts: {
    workspaceId: string;
    variantId: string;
    sku: string;
    locationId: string;
    delta?: number;
    count?: number;
    reason: string;
    note?: string;
    actor: string;
    lowStockThreshold?: number | null;
  },
): Promise<Level> {
  await repo.ensureLevel(ex, opts.workspaceId, opts.variantId, opts.locationId);
  if (opts.lowStockThreshold !== undefined) {
    await repo.setLowStockThreshold(ex, opts.workspaceId, opts.variantId, opts.locationId, opts.lowStockThreshold);
  }
  const [current] = (await repo.selectLevels(ex, opts.workspaceId, [opts.variantId])).filter((l) => l.location_id === opts.locationId);
  const delta = opts.count !== undefined ? opts.count - (current?.on_hand ?? 0) : (opts.delta ?? 0);
  if ((current?.on_hand ?? 0) + delta > MAX_ON_HAND) {
    throw new AppError('invalid_field', `delta: ${opts.sku} at ${opts.locationId} would have more than ${MAX_ON_HAND.toLocaleString('en-US')} on hand`, { field: 'delta', sku: opts.sku, locationId: opts.locationId });
  }
  const base = { workspaceId: opts.workspaceId, variantId: opts.variantId, locationId: opts.locationId, reservedDelta: 0, reason: opts.reason, actor: opts.actor, note: opts.note ?? null };
  // A count is "on hand becomes N": the row must still hold what we read, or we would apply a stale delta.
  const condition = opts.count !== undefined ? sql`on_hand = ${current?.on_hand ?? 0}::int` : sql`TRUE`;
  const row = delta === 0 && opts.count === undefined ? current : await repo.applyChange(ex, { ...base, onHandDelta: delta }, condition);
  if (!row) {
    const level = current ? toLevel(current) : undefined;
    throw new AppError(
      'insufficient_stock',
      `Cannot change ${opts.sku} at ${opts.locationId} by ${delta}: ${level?.onHand ?? 0} on hand, ${level?.reserved ?? 0} reserved`,
      { sku: opts.sku, locationId: opts.locationId, onHand: level?.onHand ?? 0, reserved: level?.reserved ?? 0 },
    );
  }
  return toLevel(row);
}

export interface Adjustment {
  id: string;
  variantId: string;
  locationId: string;
  onHandDelta: number;
  reservedDelta: number;
  onHandAfter: number;
  reservedAfter: number;
  reason: string;
  actor: string;
  ref: string | null;
  note: string | null;
  createdAt: string;
}

export async function listAdjustments(
  ex: Executor,
  opts: { workspaceId: string; variantId: string; limit: number; before?: string },
): Promise<Adjustment[]> {
  return (await repo.selectAdjustments(ex, opts)).map((r) => ({
    id: r.id,
    variantId: r.variant_id,
    locationId: r.location_id,
    onHandDelta: r.on_hand_delta,
    reservedDelta: r.reserved_delta,
    onHandAfter: r.on_hand_after,
    reservedAfter: r.reserved_after,
    reason: r.reason,
    actor: r.actor,
    ref: r.ref,
    note: r.note,
    createdAt: toDate(r.created_at).toISOString(),
  }));
}
