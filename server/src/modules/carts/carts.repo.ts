/** The only file with SQL for carts and cart_lines. */
import { sql } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';

export interface CartRow {
  id: string;
  profile_id: string;
  status: string;
  currency: string;
  channel_id: string | null;
  version: number;
  checkout: Record<string, unknown>;
  merged_into: string | null;
  order_id: string | null;
  writers: string[];
  created_at: Date | string;
  updated_at: Date | string;
}

export interface CartLineRow {
  cart_id: string;
  variant_id: string;
  quantity: number;
  channel_id: string | null;
  added_at: Date | string;
  updated_at: Date | string;
}

const CART_COLUMNS = sql.raw('id, profile_id, status, currency, channel_id, version, checkout, merged_into, order_id, writers, created_at, updated_at');
const LINE_COLUMNS = sql.raw('cart_id, variant_id, quantity, channel_id, added_at, updated_at');

/** The active carts of these profiles (a survivor and the profiles merged into it), newest change first. */
export async function selectActiveCarts(ex: Executor, workspaceId: string, profileIds: string[], opts: { forUpdate?: boolean } = {}): Promise<CartRow[]> {
  if (profileIds.length === 0) return [];
  return rows<CartRow>(
    ex,
    sql`SELECT ${CART_COLUMNS} FROM carts
        WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)} AND status = 'active'
        ORDER BY updated_at DESC, id
        ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
}

export async function selectCart(ex: Executor, workspaceId: string, id: string): Promise<CartRow | undefined> {
  return firstRow<CartRow>(ex, sql`SELECT ${CART_COLUMNS} FROM carts WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

/** Create the profile's active cart unless one exists (a concurrent creator wins; the caller re-reads). */
export async function insertCart(
  ex: Executor,
  c: { workspaceId: string; id: string; profileId: string; currency: string; channelId: string; writers: string[] },
): Promise<CartRow | undefined> {
  return firstRow<CartRow>(
    ex,
    sql`INSERT INTO carts (workspace_id, id, profile_id, status, currency, channel_id, version, writers)
        VALUES (${c.workspaceId}, ${c.id}, ${c.profileId}, 'active', ${c.currency}, ${c.channelId}, 0, ${JSON.stringify(c.writers)}::jsonb)
        ON CONFLICT (workspace_id, profile_id) WHERE status = 'active' DO NOTHING
        RETURNING ${CART_COLUMNS}`,
  );
}

export interface CartPatch {
  channelId?: string | null;
  checkout?: Record<string, unknown>;
  status?: string;
  orderId?: string | null;
  mergedInto?: string | null;
  profileId?: string;
  writers?: string[];
}

/** Apply a change and move the version on by one. */
export async function updateCart(ex: Executor, workspaceId: string, id: string, patch: CartPatch): Promise<CartRow> {
  const sets = [sql`version = version + 1`, sql`updated_at = now()`];
  if (patch.channelId !== undefined) sets.push(sql`channel_id = ${patch.channelId}`);
  if (patch.checkout !== undefined) sets.push(sql`checkout = ${JSON.stringify(patch.checkout)}::jsonb`);
  if (patch.status !== undefined) sets.push(sql`status = ${patch.status}`);
  if (patch.orderId !== undefined) sets.push(sql`order_id = ${patch.orderId}`);
  if (patch.mergedInto !== undefined) sets.push(sql`merged_into = ${patch.mergedInto}`);
  if (patch.profileId !== undefined) sets.push(sql`profile_id = ${patch.profileId}`);
  if (patch.writers !== undefined) sets.push(sql`writers = ${JSON.stringify(patch.writers)}::jsonb`);
  const row = await firstRow<CartRow>(
    ex,
    sql`UPDATE carts SET ${sql.join(sets, sql`, `)} WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${CART_COLUMNS}`,
  );
  if (!row) throw new Error(`cart ${id} vanished during an update`);
  return row;
}

export async function selectLines(ex: Executor, workspaceId: string, cartIds: string[]): Promise<CartLineRow[]> {
  if (cartIds.length === 0) return [];
  return rows<CartLineRow>(
    ex,
    sql`SELECT ${LINE_COLUMNS} FROM cart_lines
        WHERE workspace_id = ${workspaceId} AND cart_id = ${anyOf(cartIds)}
        ORDER BY added_at, variant_id`,
  );
}

/** Set a line's quantity (creating the line), keeping when and where it was first added. */
export async function upsertLine(ex: Executor, workspaceId: string, l: { cartId: string; variantId: string; quantity: number; channelId: string | null }): Promise<void> {
  await ex.execute(
    sql`INSERT INTO cart_lines (workspace_id, cart_id, variant_id, quantity, channel_id)
        VALUES (${workspaceId}, ${l.cartId}, ${l.variantId}, ${l.quantity}, ${l.channelId})
        ON CONFLICT (workspace_id, cart_id, variant_id)
        DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()`,
  );
}

export async function deleteLines(ex: Executor, workspaceId: string, cartId: string, variantIds?: string[]): Promise<void> {
  await ex.execute(
    sql`DELETE FROM cart_lines WHERE workspace_id = ${workspaceId} AND cart_id = ${cartId}
        ${variantIds ? sql`AND variant_id = ${anyOf(variantIds)}` : sql``}`,
  );
}

/** Delete every cart (and its lines) of these profiles: erasure. */
export async function deleteCartsOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<number> {
  if (profileIds.length === 0) return 0;
  const gone = await rows<{ id: string }>(
    ex,
    sql`WITH c AS (DELETE FROM carts WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)} RETURNING id),
             l AS (DELETE FROM cart_lines WHERE workspace_id = ${workspaceId} AND cart_id IN (SELECT id FROM c)),
             k AS (DELETE FROM cart_codes WHERE workspace_id = ${workspaceId} AND cart_id IN (SELECT id FROM c))
        SELECT id FROM c`,
  );
  return gone.length;
}

/** Codes entered on a cart, in the order they were entered. */
export async function selectCodes(ex: Executor, workspaceId: string, cartId: string): Promise<string[]> {
  const found = await rows<{ code: string }>(ex, sql`SELECT code FROM cart_codes WHERE workspace_id = ${workspaceId} AND cart_id = ${cartId} ORDER BY added_at, code`);
  return found.map((r) => r.code);
}

export async function insertCode(ex: Executor, workspaceId: string, cartId: string, code: string): Promise<void> {
  await ex.execute(sql`INSERT INTO cart_codes (workspace_id, cart_id, code) VALUES (${workspaceId}, ${cartId}, ${code}) ON CONFLICT DO NOTHING`);
}

export async function deleteCode(ex: Executor, workspaceId: string, cartId: string, code: string): Promise<void> {
  await ex.execute(sql`DELETE FROM cart_codes WHERE workspace_id = ${workspaceId} AND cart_id = ${cartId} AND code = ${code}`);
}

/** Carry codes over to a cart (merge). */
export async function copyCodes(ex: Executor, workspaceId: string, fromCartIds: string[], toCartId: string): Promise<void> {
  if (fromCartIds.length === 0) return;
  await ex.execute(
    sql`INSERT INTO cart_codes (workspace_id, cart_id, code, added_at)
        SELECT workspace_id, ${toCartId}, code, added_at FROM cart_codes WHERE workspace_id = ${workspaceId} AND cart_id = ${anyOf(fromCartIds)}
        ON CONFLICT DO NOTHING`,
  );
}

/** Who has written to the active carts of these profiles (a survivor and the profiles merged into it). */
export async function selectActiveWriters(ex: Executor, workspaceId: string, profileIds: string[]): Promise<string[]> {
  if (profileIds.length === 0) return [];
  const found = await rows<{ writer: string }>(
    ex,
    sql`SELECT DISTINCT jsonb_array_elements_text(writers) AS writer FROM carts
        WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)} AND status = 'active'`,
  );
  return found.map((r) => r.writer);
}
