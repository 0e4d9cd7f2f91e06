/**
 * The only file with SQL for sales_channels, stock_locations, channel_locations, categories,
 * products, product_categories, variants and channel_prices. Every statement is scoped by
 * workspace_id; lists of ids travel as one JSON parameter (`anyOf`) so plans stay index scans.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';
import {
  categories,
  channelLocations,
  channelPrices,
  productCategories,
  products,
  salesChannels,
  stockLocations,
  variants,
} from './catalog.tables';

type Timestamp = Date | string;

// Sales channels

export interface ChannelRow {
  id: string;
  name: string;
  type: string;
  platform: string | null;
  currency: string;
  source_id: string | null;
  allocation_mode: string;
  allocation_value: number;
  shipping_methods: { id: string; name: string; fee: number; freeAbove: number | null }[];
  cash_on_delivery: boolean;
  created_at: Timestamp;
  archived_at: Timestamp | null;
  locations: { id: string; name: string; kind: string; priority: number }[];
}

export async function selectChannels(
  ex: Executor,
  workspaceId: string,
  opts: { ids?: string[]; type?: string; includeArchived: boolean },
): Promise<ChannelRow[]> {
  const conds: SQL[] = [sql`c.workspace_id = ${workspaceId}`];
  if (opts.ids) conds.push(sql`c.id = ${anyOf(opts.ids)}`);
  if (opts.type) conds.push(sql`c.type = ${opts.type}`);
  if (!opts.includeArchived) conds.push(sql`c.archived_at IS NULL`);
  return rows<ChannelRow>(
    ex,
    sql`SELECT c.id, c.name, c.type, c.platform, c.currency, c.source_id, c.allocation_mode, c.allocation_value,
               c.shipping_methods, c.cash_on_delivery, c.created_at, c.archived_at,
               (SELECT coalesce(json_agg(json_build_object('id', l.id, 'name', l.name, 'kind', l.kind, 'priority', cl.priority)
                                         ORDER BY cl.priority, l.id), '[]'::json)
                FROM channel_locations cl
                JOIN stock_locations l ON l.workspace_id = ${workspaceId} AND l.id = cl.location_id
                WHERE cl.workspace_id = ${workspaceId} AND cl.channel_id = c.id) AS locations
        FROM sales_channels c
        WHERE ${sql.join(conds, sql` AND `)}
        ORDER BY c.id`,
  );
}

/** Lock a channel row for a read-modify-write; its type. */
export async function lockChannel(ex: Executor, workspaceId: string, id: string): Promise<{ type: string } | undefined> {
  return firstRow(ex, sql`SELECT type FROM sales_channels WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`);
}

/** Id and currency of the channels among `ids` (archived included). */
export async function selectChannelCurrencies(ex: Executor, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const found = await rows<{ id: string; currency: string }>(
    ex,
    sql`SELECT id, currency FROM sales_channels WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids)}`,
  );
  return new Map(found.map((r) => [r.id, r.currency]));
}

export async function insertChannel(ex: Executor, row: typeof salesChannels.$inferInsert): Promise<void> {
  await ex.insert(salesChannels).values(row);
}

export async function updateChannelRow(
  ex: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<typeof salesChannels.$inferInsert, 'name' | 'allocationMode' | 'allocationValue' | 'sourceId' | 'shippingMethods' | 'cashOnDelivery'>>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await ex.update(salesChannels).set(patch).where(and(eq(salesChannels.workspaceId, workspaceId), eq(salesChannels.id, id)));
}

/** Set archived_at (kept when already archived); false when there is no such channel. */
export async function archiveChannelRow(ex: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await firstRow<{ id: string }>(
    ex,
    sql`UPDATE sales_channels SET archived_at = coalesce(archived_at, now())
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );
  return r !== undefined;
}

/** The channel's locations become exactly these, with priority = position in the list. */
export async function replaceChannelLocations(ex: Executor, workspaceId: string, channelId: string, locationIds: string[]): Promise<void> {
  await ex.execute(sql`DELETE FROM channel_locations WHERE workspace_id = ${workspaceId} AND channel_id = ${channelId}`);
  if (locationIds.length === 0) return;
  await ex.insert(channelLocations).values(locationIds.map((locationId, priority) => ({ workspaceId, channelId, locationId, priority })));
}

// Stock locations

export type LocationRow = typeof stockLocations.$inferSelect;

export async function selectLocations(ex: Executor, workspaceId: string, ids?: string[]): Promise<LocationRow[]> {
  const conds: SQL[] = [sql`${stockLocations.workspaceId} = ${workspaceId}`];
  if (ids) conds.push(sql`${stockLocations.id} = ${anyOf(ids)}`);
  return ex.select().from(stockLocations).where(and(...conds)).orderBy(stockLocations.id);
}

export async function insertLocation(ex: Executor, row: typeof stockLocations.$inferInsert): Promise<LocationRow> {
  const [created] = await ex.insert(stockLocations).values(row).returning();
  return created!;
}

export async function updateLocationRow(
  ex: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<typeof stockLocations.$inferInsert, 'name' | 'kind' | 'address' | 'city'>>,
): Promise<LocationRow | undefined> {
  const where = and(eq(stockLocations.workspaceId, workspaceId), eq(stockLocations.id, id));
  if (Object.keys(patch).length === 0) {
    const [r] = await ex.select().from(stockLocations).where(where);
    return r;
  }
  const [r] = await ex.update(stockLocations).set(patch).where(where).returning();
  return r;
}

// Categories

export type CategoryRow = typeof categories.$inferSelect;

export async function selectCategories(ex: Executor, workspaceId: string, ids?: string[]): Promise<CategoryRow[]> {
  const conds: SQL[] = [sql`${categories.workspaceId} = ${workspaceId}`];
  if (ids) conds.push(sql`${categories.id} = ${anyOf(ids)}`);
  // By slug in byte order: alphabetical with accents ignored, the same on every collation.
  return ex.select().from(categories).where(and(...conds)).orderBy(sql`${categories.slug} COLLATE "C"`);
}

/**
 * Ids among `ids` that exist, share-locked until commit so that a concurrent delete waits for
 * (and then sees) the product rows that use them.
 */
export async function lockCategoriesShared(ex: Executor, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await rows<{ id: string }>(
    ex,
    sql`SELECT id FROM categories WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids)} FOR SHARE`,
  );
  return new Set(found.map((r) => r.id));
}

export async function lockCategory(ex: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await firstRow(ex, sql`SELECT id FROM categories WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`);
  return r !== undefined;
}

/** Slugs in use that are `base` or `base-<n>`. */
export async function selectSlugsLike(ex: Executor, workspaceId: string, base: string): Promise<Set<string>> {
  const found = await rows<{ slug: string }>(
    ex,
    sql`SELECT slug FROM categories WHERE workspace_id = ${workspaceId}
        AND (slug = ${base} OR slug LIKE ${base.replace(/[\\%_]/g, (c) => '\\' + c) + '-%'})`,
  );
  return new Set(found.map((r) => r.slug));
}

/** The category and all its ancestors (ids). */
export async function selectAncestorIds(ex: Executor, workspaceId: string, id: string): Promise<string[]> {
  const found = await rows<{ id: string }>(
    ex,
    sql`WITH RECURSIVE up(id, parent_id) AS (
          SELECT id, parent_id FROM categories WHERE workspace_id = ${workspaceId} AND id = ${id}
          UNION
          SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
          WHERE c.workspace_id = ${workspaceId})
        SELECT id FROM up`,
  );
  return found.map((r) => r.id);
}

export async function insertCategory(ex: Executor, row: typeof categories.$inferInsert): Promise<CategoryRow> {
  const [created] = await ex.insert(categories).values(row).returning();
  return created!;
}

export async function updateCategoryRow(
  ex: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<typeof categories.$inferInsert, 'name' | 'slug' | 'parentId'>>,
): Promise<CategoryRow | undefined> {
  const where = and(eq(categories.workspaceId, workspaceId), eq(categories.id, id));
  if (Object.keys(patch).length === 0) {
    const [r] = await ex.select().from(categories).where(where);
    return r;
  }
  const [r] = await ex.update(categories).set(patch).where(where).returning();
  return r;
}

/** How many products use the category, and how many categories sit under it. */
export async function countCategoryUses(ex: Executor, workspaceId: string, id: string): Promise<{ products: number; children: number }> {
  const r = await firstRow<{ products: number; children: number }>(
    ex,
    sql`SELECT (SELECT count(*)::int FROM product_categories WHERE workspace_id = ${workspaceId} AND category_id = ${id}) AS products,
               (SELECT count(*)::int FROM categories WHERE workspace_id = ${workspaceId} AND parent_id = ${id}) AS children`,
  );
  return r ?? { products: 0, children: 0 };
}

export async function deleteCategoryRow(ex: Executor, workspaceId: string, id: string): Promise<void> {
  await ex.delete(categories).where(and(eq(categories.workspaceId, workspaceId), eq(categories.id, id)));
}

// Products

export interface ProductRow {
  id: string;
  title: string;
  description: string;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  category_ids: string[];
}

const PRODUCT_COLUMNS = (workspaceId: string) => sql`
  p.id, p.title, p.description, p.status, p.created_at, p.updated_at,
  (SELECT coalesce(json_agg(pc.category_id ORDER BY pc.category_id), '[]'::json)
   FROM product_categories pc WHERE pc.workspace_id = ${workspaceId} AND pc.product_id = p.id) AS category_ids`;

export async function selectProducts(ex: Executor, workspaceId: string, ids: string[]): Promise<ProductRow[]> {
  if (ids.length === 0) return [];
  return rows<ProductRow>(
    ex,
    sql`SELECT ${PRODUCT_COLUMNS(workspaceId)} FROM products p
        WHERE p.workspace_id = ${workspaceId} AND p.id = ${anyOf(ids)} ORDER BY p.id`,
  );
}

/** Newest first (ids are time-ordered); `terms` are folded words that must all occur in search_text. */
export async function searchProducts(
  ex: Executor,
  opts: { workspaceId: string; terms: string[]; categoryId?: string; status?: string; beforeId?: string; limit: number },
): Promise<ProductRow[]> {
  const ws = opts.workspaceId;
  const conds: SQL[] = [sql`p.workspace_id = ${ws}`];
  conds.push(opts.status ? sql`p.status = ${opts.status}` : sql`p.status <> 'archived'`);
  for (const t of opts.terms) conds.push(sql`p.search_text LIKE ${'%' + t.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`);
  if (opts.categoryId) {
    conds.push(sql`p.id = ANY(ARRAY(SELECT product_id FROM product_categories
                                    WHERE workspace_id = ${ws} AND category_id = ${opts.categoryId}))`);
  }
  if (opts.beforeId) conds.push(sql`p.id < ${opts.beforeId}`);
  return rows<ProductRow>(
    ex,
    sql`SELECT ${PRODUCT_COLUMNS(ws)} FROM products p WHERE ${sql.join(conds, sql` AND `)}
        ORDER BY p.id DESC LIMIT ${opts.limit}`,
  );
}

/** Lock a product row for a read-modify-write (title, variants, search text). */
export async function lockProduct(ex: Executor, workspaceId: string, id: string): Promise<{ title: string } | undefined> {
  return firstRow(ex, sql`SELECT title FROM products WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`);
}

export async function insertProduct(ex: Executor, row: typeof products.$inferInsert): Promise<void> {
  await ex.insert(products).values(row);
}

export async function updateProductRow(
  ex: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<typeof products.$inferInsert, 'title' | 'description' | 'status' | 'searchText'>>,
): Promise<void> {
  await ex
    .update(products)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(products.workspaceId, workspaceId), eq(products.id, id)));
}

export async function replaceProductCategories(ex: Executor, workspaceId: string, productId: string, categoryIds: string[]): Promise<void> {
  await ex.execute(sql`DELETE FROM product_categories WHERE workspace_id = ${workspaceId} AND product_id = ${productId}`);
  if (categoryIds.length === 0) return;
  await ex.insert(productCategories).values(categoryIds.map((categoryId) => ({ workspaceId, productId, categoryId })));
}

// Variants

export interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  barcode: string | null;
  title: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  channel_prices: Record<string, number>;
}

const VARIANT_COLUMNS = (workspaceId: string) => sql`
  v.id, v.product_id, v.sku, v.barcode, v.title, v.options, v.price, v.currency, v.created_at, v.updated_at,
  (SELECT coalesce(json_object_agg(cp.channel_id, cp.price ORDER BY cp.channel_id), '{}'::json)
   FROM channel_prices cp WHERE cp.workspace_id = ${workspaceId} AND cp.variant_id = v.id) AS channel_prices`;

export async function selectVariantsOfProducts(ex: Executor, workspaceId: string, productIds: string[]): Promise<VariantRow[]> {
  if (productIds.length === 0) return [];
  return rows<VariantRow>(
    ex,
    sql`SELECT ${VARIANT_COLUMNS(workspaceId)} FROM variants v
        WHERE v.workspace_id = ${workspaceId} AND v.product_id = ${anyOf(productIds)}
        ORDER BY v.product_id, v.id`,
  );
}

export async function selectVariant(ex: Executor, workspaceId: string, id: string): Promise<VariantRow | undefined> {
  return firstRow<VariantRow>(ex, sql`SELECT ${VARIANT_COLUMNS(workspaceId)} FROM variants v WHERE v.workspace_id = ${workspaceId} AND v.id = ${id}`);
}

/** Lock a variant row for a read-modify-write. */
export async function lockVariant(ex: Executor, workspaceId: string, id: string): Promise<{ sku: string; currency: string } | undefined> {
  return firstRow(ex, sql`SELECT sku, currency FROM variants WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`);
}

export async function selectSkusOfProduct(ex: Executor, workspaceId: string, productId: string): Promise<string[]> {
  const found = await rows<{ sku: string }>(
    ex,
    sql`SELECT sku FROM variants WHERE workspace_id = ${workspaceId} AND product_id = ${productId} ORDER BY id`,
  );
  return found.map((r) => r.sku);
}

/** Existing variants (other than `exceptId`) holding any of these SKUs or barcodes. */
export async function selectTakenCodes(
  ex: Executor,
  workspaceId: string,
  opts: { skus: string[]; barcodes: string[]; exceptId?: string },
): Promise<{ sku: string; barcode: string | null }[]> {
  if (opts.skus.length === 0 && opts.barcodes.length === 0) return [];
  const except = opts.exceptId ? sql` AND id <> ${opts.exceptId}` : sql``;
  return rows(
    ex,
    sql`SELECT sku, barcode FROM variants WHERE workspace_id = ${workspaceId}
        AND (sku = ${anyOf(opts.skus)} OR barcode = ${anyOf(opts.barcodes)})${except}`,
  );
}

export async function insertVariants(ex: Executor, list: (typeof variants.$inferInsert)[]): Promise<void> {
  if (list.length === 0) return;
  await ex.insert(variants).values(list);
}

export async function updateVariantRow(
  ex: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<typeof variants.$inferInsert, 'title' | 'barcode' | 'options' | 'price'>>,
): Promise<void> {
  await ex
    .update(variants)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(variants.workspaceId, workspaceId), eq(variants.id, id)));
}

export async function upsertChannelPrices(
  ex: Executor,
  list: { workspaceId: string; variantId: string; channelId: string; price: number }[],
): Promise<void> {
  if (list.length === 0) return;
  await ex
    .insert(channelPrices)
    .values(list)
    .onConflictDoUpdate({
      target: [channelPrices.workspaceId, channelPrices.variantId, channelPrices.channelId],
      set: { price: sql`excluded.price` },
    });
}

export async function deleteChannelPrice(ex: Executor, workspaceId: string, variantId: string, channelId: string): Promise<void> {
  await ex.execute(sql`DELETE FROM channel_prices
    WHERE workspace_id = ${workspaceId} AND variant_id = ${variantId} AND channel_id = ${channelId}`);
}

export interface CatalogVariantRow {
  id: string;
  product_id: string;
  product_title: string;
  product_status: string;
  sku: string;
  barcode: string | null;
  title: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  category_ids: string[];
  channel_prices: Record<string, number>;
}

/** Variants with their product's title, status and categories and their channel prices: one statement. */
export async function selectCatalogVariants(
  ex: Executor,
  workspaceId: string,
  by: { ids: string[] } | { skus: string[] } | { barcodes: string[] },
): Promise<CatalogVariantRow[]> {
  const where =
    'ids' in by ? sql`v.id = ${anyOf(by.ids)}` : 'skus' in by ? sql`v.sku = ${anyOf(by.skus)}` : sql`v.barcode = ${anyOf(by.barcodes)}`;
  return rows<CatalogVariantRow>(
    ex,
    sql`SELECT v.id, v.product_id, p.title AS product_title, p.status AS product_status, v.sku, v.barcode, v.title,
               v.options, v.price, v.currency,
               (SELECT coalesce(json_agg(pc.category_id ORDER BY pc.category_id), '[]'::json)
                FROM product_categories pc WHERE pc.workspace_id = ${workspaceId} AND pc.product_id = v.product_id) AS category_ids,
               (SELECT coalesce(json_object_agg(cp.channel_id, cp.price ORDER BY cp.channel_id), '{}'::json)
                FROM channel_prices cp WHERE cp.workspace_id = ${workspaceId} AND cp.variant_id = v.id) AS channel_prices
        FROM variants v
        JOIN products p ON p.workspace_id = ${workspaceId} AND p.id = v.product_id
        WHERE v.workspace_id = ${workspaceId} AND ${where}
        ORDER BY v.id`,
  );
}

// References

/** Which of these ids exist in the workspace, per kind (one round trip). */
export async function selectExistingIds(
  ex: Executor,
  workspaceId: string,
  ids: { productIds: string[]; categoryIds: string[]; variantIds: string[]; channelIds: string[] },
): Promise<{ kind: string; id: string }[]> {
  return rows<{ kind: string; id: string }>(
    ex,
    sql`SELECT 'product' AS kind, id FROM products WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids.productIds)}
        UNION ALL SELECT 'category', id FROM categories WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids.categoryIds)}
        UNION ALL SELECT 'variant', id FROM variants WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids.variantIds)}
        UNION ALL SELECT 'channel', id FROM sales_channels WHERE workspace_id = ${workspaceId} AND id = ${anyOf(ids.channelIds)}`,
  );
}
