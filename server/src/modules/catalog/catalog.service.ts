/**
 * Catalog: where a workspace sells (sales channels), where stock sits (stores and warehouses),
 * categories, products and their variants (one per SKU) with per-channel prices.
 * Money is an integer in minor units with its ISO currency; ₫ has no minor unit.
 */
import { toDate, type Executor } from '../../db/client';
import { decodeCursor, encodeCursor } from '../../platform/cursor';
import { AppError, assertNever } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { foldForSearch } from '../profiles';
import { getWorkspace, listSources } from '../workspaces';
import * as repo from './catalog.repo';
import { cacheKey, channelsById, channelsBySource, forgetChannel, forgetVariants, variantsBySku } from './channel-cache';
import {
  MARKETPLACE_PLATFORMS,
  SOCIAL_PLATFORMS,
  type AllocationInput,
  type ShippingMethodInput,
  type AllocationMode,
  type CreateCategoryInput,
  type CreateChannelInput,
  type CreateLocationInput,
  type CreateProductInput,
  type LocationKind,
  type ProductStatus,
  type SalesChannelType,
  type UpdateCategoryInput,
  type UpdateChannelInput,
  type UpdateLocationInput,
  type UpdateProductInput,
  type UpdateVariantInput,
  type VariantInput,
} from './catalog.schema';

export interface SalesChannel {
  id: string;
  name: string;
  type: SalesChannelType;
  platform: string | null;
  currency: string;
  sourceId: string | null;
  allocation: { mode: AllocationMode; value: number };
  /** What shoppers choose from at checkout; the fee of an order always comes from here. */
  shippingMethods: ShippingMethod[];
  /** Orders may be paid in cash on delivery. */
  cashOnDelivery: boolean;
  /** By priority, most preferred first. */
  locations: { id: string; name: string; kind: LocationKind; priority: number }[];
  createdAt: string;
  archivedAt: string | null;
}

export interface ShippingMethod {
  id: string;
  name: string;
  /** Minor units. */
  fee: number;
  /** Free when the cart's subtotal (before discounts) reaches this; null: never free. */
  freeAbove: number | null;
}

/** The fee of a shipping method for a cart of this subtotal. */
export function shippingFeeOf(method: Pick<ShippingMethod, 'fee' | 'freeAbove'>, subtotal: number): number {
  return method.freeAbove !== null && subtotal >= method.freeAbove ? 0 : method.fee;
}

export interface StockLocation {
  id: string;
  name: string;
  kind: LocationKind;
  address: string | null;
  city: string | null;
  createdAt: string;
}

export interface Category {
  id: string;
  name: string;
  slug: string;
  parentId: string | null;
  createdAt: string;
}

export interface Variant {
  id: string;
  productId: string;
  sku: string;
  barcode: string | null;
  title: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  channelPrices: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

export interface Product {
  id: string;
  title: string;
  description: string;
  status: ProductStatus;
  categoryIds: string[];
  variants: Variant[];
  createdAt: string;
  updatedAt: string;
}

/** A variant as other modules (carts, orders, inventory) see it. */
export interface CatalogVariant {
  id: string;
  productId: string;
  productTitle: string;
  sku: string;
  barcode: string | null;
  title: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  categoryIds: string[];
  channelPrices: Record<string, number>;
  productStatus: ProductStatus;
}

const iso = (v: Date | string): string => toDate(v).toISOString();

// Errors

interface UniqueViolation {
  constraint: string | undefined;
  /** The conflicting value parsed from the error detail, when present. */
  value: string | undefined;
}

/** SQLSTATE 23505 anywhere in the cause chain (Drizzle wraps driver errors). */
function uniqueViolation(err: unknown): UniqueViolation | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const c = e as { code?: unknown; constraint?: unknown; detail?: unknown };
    if (c.code === '23505') {
      const detail = typeof c.detail === 'string' ? c.detail : '';
      // Key (workspace_id, sku)=(ws_…, SKU-1) already exists.
      const m = /^Key \([^)]*\)=\((.*)\) already exists\.?$/s.exec(detail);
      const inner = m?.[1];
      const comma = inner?.indexOf(', ') ?? -1;
      return {
        constraint: typeof c.constraint === 'string' ? c.constraint : undefined,
        value: inner !== undefined && comma >= 0 ? inner.slice(comma + 2) : undefined,
      };
    }
  }
  return undefined;
}

function duplicateSku(sku: string): AppError {
  return new AppError('duplicate_sku', `SKU "${sku}" is already used in this workspace`, { field: 'sku', sku });
}

function duplicateBarcode(barcode: string, sku?: string): AppError {
  return new AppError('duplicate_sku', `Barcode "${barcode}" is already used in this workspace`, {
    field: 'barcode',
    barcode,
    ...(sku ? { sku } : {}),
  });
}

/**
 * Run a write; unique-index violations (the final guard against concurrent writers) become
 * 409s naming the value. `fallback` names the value when the detail does not.
 */
async function guardUnique<T>(run: () => Promise<T>, fallback: { sku?: string; barcode?: string; slug?: string } = {}): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const v = uniqueViolation(err);
    if (!v) throw err;
    if (v.constraint === 'variants_ws_sku') throw duplicateSku(v.value ?? fallback.sku ?? '');
    if (v.constraint === 'variants_ws_barcode') throw duplicateBarcode(v.value ?? fallback.barcode ?? '', fallback.sku);
    if (v.constraint === 'categories_ws_slug') {
      const slug = v.value ?? fallback.slug ?? '';
      throw new AppError('conflict', `Category slug "${slug}" is already used`, { field: 'slug', slug });
    }
    throw new AppError('conflict', 'A record with these values already exists');
  }
}

function currencyMismatch(opts: { channelId: string; channelCurrency: string; variantCurrency: string; sku?: string }): AppError {
  return new AppError(
    'currency_mismatch',
    `Channel ${opts.channelId} sells in ${opts.channelCurrency} but ${opts.sku ? `variant ${opts.sku}` : 'the price'} is in ${opts.variantCurrency}`,
    { channelId: opts.channelId, channelCurrency: opts.channelCurrency, variantCurrency: opts.variantCurrency, ...(opts.sku ? { sku: opts.sku } : {}) },
  );
}

// Sales channels

function toChannel(r: repo.ChannelRow): SalesChannel {
  return {
    id: r.id,
    name: r.name,
    type: r.type as SalesChannelType,
    platform: r.platform,
    currency: r.currency,
    sourceId: r.source_id,
    allocation: { mode: r.allocation_mode as AllocationMode, value: r.allocation_value },
    shippingMethods: (r.shipping_methods ?? []).map((m) => ({ id: m.id, name: m.name, fee: Number(m.fee), freeAbove: m.freeAbove === null || m.freeAbove === undefined ? null : Number(m.freeAbove) })),
    cashOnDelivery: r.cash_on_delivery === true,
    locations: r.locations.map((l) => ({ id: l.id, name: l.name, kind: l.kind as LocationKind, priority: l.priority })),
    createdAt: iso(r.created_at),
    archivedAt: r.archived_at === null ? null : iso(r.archived_at),
  };
}

function checkPlatform(type: SalesChannelType, platform: string | undefined): string | null {
  const allowed: readonly string[] | undefined =
    type === 'marketplace' ? MARKETPLACE_PLATFORMS : type === 'social' ? SOCIAL_PLATFORMS : undefined;
  if (!allowed) {
    if (platform !== undefined) {
      throw new AppError('validation_failed', `platform: only marketplace and social channels have a platform (this is ${type})`, { field: 'platform' });
    }
    return null;
  }
  if (platform === undefined || !allowed.includes(platform)) {
    throw new AppError('validation_failed', `platform: a ${type} channel needs one of ${allowed.join(', ')}`, { field: 'platform', allowed });
  }
  return platform;
}

function checkShippingMethods(list: ShippingMethodInput[]): ShippingMethod[] {
  const seen = new Set<string>();
  return list.map((m, i) => {
    if (seen.has(m.id)) throw new AppError('validation_failed', `shippingMethods[${i}].id: "${m.id}" is used twice`, { field: `shippingMethods[${i}].id` });
    seen.add(m.id);
    return { id: m.id, name: m.name, fee: m.fee, freeAbove: m.freeAbove ?? null };
  });
}

function checkAllocation(a: AllocationInput): { allocationMode: AllocationMode; allocationValue: number } {
  switch (a.mode) {
    case 'none':
      if (a.value !== undefined && a.value !== 0) {
        throw new AppError('validation_failed', 'allocation.value: must be 0 (or absent) when mode is none', { field: 'allocation.value' });
      }
      return { allocationMode: 'none', allocationValue: 0 };
    case 'safety_stock':
      if (a.value === undefined) {
        throw new AppError('validation_failed', 'allocation.value: the units to keep back (≥ 0) are required', { field: 'allocation.value' });
      }
      return { allocationMode: 'safety_stock', allocationValue: a.value };
    case 'percentage':
      if (a.value === undefined || a.value < 1 || a.value > 100) {
        throw new AppError('validation_failed', 'allocation.value: a percentage from 1 to 100 is required', { field: 'allocation.value' });
      }
      return { allocationMode: 'percentage', allocationValue: a.value };
    default:
      return assertNever(a.mode);
  }
}

function checkPosLocations(type: string, locationIds: string[]): void {
  if (type === 'pos' && locationIds.length > 1) {
    throw new AppError('validation_failed', `locationIds: a pos channel fulfils from exactly one location (its store); ${locationIds.length} given`, {
      field: 'locationIds',
    });
  }
}

async function checkSource(ex: Executor, workspaceId: string, sourceId: string): Promise<void> {
  const sources = await listSources(ex, workspaceId);
  if (!sources.some((s) => s.id === sourceId)) {
    throw new AppError('source_not_found', `Source ${sourceId} not found`, { field: 'sourceId' });
  }
}

async function checkLocationsExist(ex: Executor, workspaceId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set((await repo.selectLocations(ex, workspaceId, ids)).map((l) => l.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw new AppError('location_not_found', `Location ${missing} not found`, { field: 'locationIds', locationId: missing });
}

/** getChannel through the catalog cache (channel-cache.ts): every order, quote and cart read names a channel. */
export function getChannelCached(ex: Executor, workspaceId: string, id: string): Promise<SalesChannel> {
  return channelsById.get(cacheKey(workspaceId, id), () => getChannel(ex, workspaceId, id));
}

/** The (unarchived) channel that names this source as the one it sells on, through the catalog cache; undefined: none. */
export function findChannelOfSourceCached(ex: Executor, workspaceId: string, sourceId: string): Promise<SalesChannel | undefined> {
  return channelsBySource.get(cacheKey(workspaceId, sourceId), async () => (await listChannels(ex, workspaceId)).find((c) => c.sourceId === sourceId));
}

export async function getChannel(ex: Executor, workspaceId: string, id: string): Promise<SalesChannel> {
  const [r] = await repo.selectChannels(ex, workspaceId, { ids: [id], includeArchived: true });
  if (!r) throw new AppError('channel_not_found', `Channel ${id} not found`);
  return toChannel(r);
}

export async function listChannels(
  ex: Executor,
  workspaceId: string,
  opts: { type?: SalesChannelType; includeArchived?: boolean } = {},
): Promise<SalesChannel[]> {
  const found = await repo.selectChannels(ex, workspaceId, { type: opts.type, includeArchived: opts.includeArchived ?? false });
  return found.map(toChannel);
}

export async function createChannel(ex: Executor, workspaceId: string, input: CreateChannelInput): Promise<SalesChannel> {
  const platform = checkPlatform(input.type, input.platform);
  const allocation = checkAllocation(input.allocation ?? { mode: 'none' });
  const locationIds = input.locationIds ?? [];
  checkPosLocations(input.type, locationIds);
  const currency = input.currency ?? (await getWorkspace(ex, workspaceId)).currency;
  if (input.sourceId !== undefined) await checkSource(ex, workspaceId, input.sourceId);
  const id = newId('ch');
  const channel = await ex.transaction(async (tx) => {
    await checkLocationsExist(tx, workspaceId, locationIds);
    await repo.insertChannel(tx, {
      workspaceId,
      id,
      name: input.name,
      type: input.type,
      platform,
      currency,
      sourceId: input.sourceId ?? null,
      ...allocation,
      shippingMethods: checkShippingMethods(input.shippingMethods ?? []),
      cashOnDelivery: input.cashOnDelivery ?? false,
    });
    await repo.replaceChannelLocations(tx, workspaceId, id, locationIds);
    return getChannel(tx, workspaceId, id);
  });
  forgetChannel(workspaceId, id);
  return channel;
}

export async function updateChannel(ex: Executor, workspaceId: string, id: string, patch: UpdateChannelInput): Promise<SalesChannel> {
  const allocation = patch.allocation ? checkAllocation(patch.allocation) : {};
  if (patch.sourceId) await checkSource(ex, workspaceId, patch.sourceId);
  const channel = await ex.transaction(async (tx) => {
    const locked = await repo.lockChannel(tx, workspaceId, id);
    if (!locked) throw new AppError('channel_not_found', `Channel ${id} not found`);
    if (patch.locationIds) {
      checkPosLocations(locked.type, patch.locationIds);
      await checkLocationsExist(tx, workspaceId, patch.locationIds);
      await repo.replaceChannelLocations(tx, workspaceId, id, patch.locationIds);
    }
    await repo.updateChannelRow(tx, workspaceId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.sourceId !== undefined ? { sourceId: patch.sourceId } : {}),
      ...(patch.shippingMethods !== undefined ? { shippingMethods: checkShippingMethods(patch.shippingMethods) } : {}),
      ...(patch.cashOnDelivery !== undefined ? { cashOnDelivery: patch.cashOnDelivery } : {}),
      ...allocation,
    });
    return getChannel(tx, workspaceId, id);
  });
  forgetChannel(workspaceId, id);
  return channel;
}

/** Archive a channel (kept for its orders and prices); it leaves the default channel list. */
export async function archiveChannel(ex: Executor, workspaceId: string, id: string): Promise<SalesChannel> {
  if (!(await repo.archiveChannelRow(ex, workspaceId, id))) throw new AppError('channel_not_found', `Channel ${id} not found`);
  forgetChannel(workspaceId, id);
  return getChannel(ex, workspaceId, id);
}

// Stock locations

function toLocation(r: repo.LocationRow): StockLocation {
  return { id: r.id, name: r.name, kind: r.kind as LocationKind, address: r.address, city: r.city, createdAt: iso(r.createdAt) };
}

export async function getLocation(ex: Executor, workspaceId: string, id: string): Promise<StockLocation> {
  const [r] = await repo.selectLocations(ex, workspaceId, [id]);
  if (!r) throw new AppError('location_not_found', `Location ${id} not found`);
  return toLocation(r);
}

export async function listLocations(ex: Executor, workspaceId: string): Promise<StockLocation[]> {
  return (await repo.selectLocations(ex, workspaceId)).map(toLocation);
}

export async function createLocation(ex: Executor, workspaceId: string, input: CreateLocationInput): Promise<StockLocation> {
  const row = await repo.insertLocation(ex, {
    workspaceId,
    id: newId('loc'),
    name: input.name,
    kind: input.kind,
    address: input.address ?? null,
    city: input.city ?? null,
  });
  return toLocation(row);
}

export async function updateLocation(ex: Executor, workspaceId: string, id: string, patch: UpdateLocationInput): Promise<StockLocation> {
  const row = await repo.updateLocationRow(ex, workspaceId, id, {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
    ...(patch.address !== undefined ? { address: patch.address } : {}),
    ...(patch.city !== undefined ? { city: patch.city } : {}),
  });
  if (!row) throw new AppError('location_not_found', `Location ${id} not found`);
  return toLocation(row);
}

// Categories

function toCategory(r: repo.CategoryRow): Category {
  return { id: r.id, name: r.name, slug: r.slug, parentId: r.parentId, createdAt: iso(r.createdAt) };
}

/** "Áo Đầm Nữ" → "ao-dam-nu": diacritics folded, đ → d, lower-case, words joined by hyphens. */
export function slugify(name: string): string {
  return foldForSearch(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 180)
    .replace(/-+$/, '');
}

async function checkParent(ex: Executor, workspaceId: string, parentId: string, childId?: string): Promise<void> {
  const chain = await repo.selectAncestorIds(ex, workspaceId, parentId);
  if (chain.length === 0) throw new AppError('category_not_found', `Category ${parentId} not found`, { field: 'parentId' });
  if (childId && chain.includes(childId)) {
    throw new AppError('validation_failed', 'parentId: a category cannot sit under itself or one of its subcategories', { field: 'parentId' });
  }
}

export async function listCategories(ex: Executor, workspaceId: string): Promise<Category[]> {
  return (await repo.selectCategories(ex, workspaceId)).map(toCategory);
}

export async function getCategory(ex: Executor, workspaceId: string, id: string): Promise<Category> {
  const [r] = await repo.selectCategories(ex, workspaceId, [id]);
  if (!r) throw new AppError('category_not_found', `Category ${id} not found`);
  return toCategory(r);
}

/** A slug given is used as is (409 when taken); one derived from the name gets -2, -3 … when taken. */
export async function createCategory(ex: Executor, workspaceId: string, input: CreateCategoryInput): Promise<Category> {
  if (input.parentId) await checkParent(ex, workspaceId, input.parentId);
  let slug = input.slug;
  if (slug === undefined) {
    const base = slugify(input.name) || 'category';
    const taken = await repo.selectSlugsLike(ex, workspaceId, base);
    slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  }
  const row = await guardUnique(
    () => repo.insertCategory(ex, { workspaceId, id: newId('cat'), name: input.name, slug, parentId: input.parentId ?? null }),
    { slug },
  );
  return toCategory(row);
}

export async function updateCategory(ex: Executor, workspaceId: string, id: string, patch: UpdateCategoryInput): Promise<Category> {
  if (patch.parentId) await checkParent(ex, workspaceId, patch.parentId, id);
  const row = await guardUnique(
    () =>
      repo.updateCategoryRow(ex, workspaceId, id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.slug !== undefined ? { slug: patch.slug } : {}),
        ...(patch.parentId !== undefined ? { parentId: patch.parentId } : {}),
      }),
    { slug: patch.slug },
  );
  if (!row) throw new AppError('category_not_found', `Category ${id} not found`);
  return toCategory(row);
}

/** Delete a category no product uses and no category sits under (else 409 conflict). */
export async function deleteCategory(ex: Executor, workspaceId: string, id: string): Promise<Category> {
  return ex.transaction(async (tx) => {
    // The row lock makes a concurrent product write (which share-locks its categories) finish first.
    if (!(await repo.lockCategory(tx, workspaceId, id))) throw new AppError('category_not_found', `Category ${id} not found`);
    const category = await getCategory(tx, workspaceId, id);
    const uses = await repo.countCategoryUses(tx, workspaceId, id);
    if (uses.products > 0) {
      throw new AppError('conflict', `Category ${id} is used by ${uses.products} product(s); remove it from them first`, { productCount: uses.products });
    }
    if (uses.children > 0) {
      throw new AppError('conflict', `Category ${id} has ${uses.children} subcategories; move or delete them first`, { childCount: uses.children });
    }
    await repo.deleteCategoryRow(tx, workspaceId, id);
    return category;
  });
}

// Products and variants

function toVariant(r: repo.VariantRow): Variant {
  return {
    id: r.id,
    productId: r.product_id,
    sku: r.sku,
    barcode: r.barcode,
    title: r.title,
    options: r.options,
    price: Number(r.price),
    currency: r.currency,
    channelPrices: numbers(r.channel_prices),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function toProduct(r: repo.ProductRow, variants: Variant[]): Product {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    status: r.status as ProductStatus,
    categoryIds: r.category_ids,
    variants,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function toCatalogVariant(r: repo.CatalogVariantRow): CatalogVariant {
  return {
    id: r.id,
    productId: r.product_id,
    productTitle: r.product_title,
    sku: r.sku,
    barcode: r.barcode,
    title: r.title,
    options: r.options,
    price: Number(r.price),
    currency: r.currency,
    categoryIds: r.category_ids,
    channelPrices: numbers(r.channel_prices),
    productStatus: r.product_status as ProductStatus,
  };
}

function numbers(map: Record<string, number | string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(map)) out[k] = Number(v);
  return out;
}

/** Folded title and SKUs: what ?q= matches, accents ignored. */
function searchTextOf(title: string, skus: string[]): string {
  return foldForSearch([title, ...skus].join(' '));
}

async function loadProducts(ex: Executor, workspaceId: string, found: repo.ProductRow[]): Promise<Product[]> {
  const variants = await repo.selectVariantsOfProducts(ex, workspaceId, found.map((p) => p.id));
  const byProduct = new Map<string, Variant[]>();
  for (const v of variants) {
    const list = byProduct.get(v.product_id) ?? [];
    list.push(toVariant(v));
    byProduct.set(v.product_id, list);
  }
  return found.map((p) => toProduct(p, byProduct.get(p.id) ?? []));
}

export async function getProduct(ex: Executor, workspaceId: string, id: string): Promise<Product> {
  const found = await repo.selectProducts(ex, workspaceId, [id]);
  if (found.length === 0) throw new AppError('product_not_found', `Product ${id} not found`);
  return (await loadProducts(ex, workspaceId, found))[0]!;
}

export async function listProducts(
  ex: Executor,
  workspaceId: string,
  opts: { q?: string; categoryId?: string; status?: ProductStatus; limit: number; cursor?: string },
): Promise<{ data: Product[]; nextCursor: string | null }> {
  const terms = foldForSearch(opts.q ?? '').split(' ').filter(Boolean);
  const before = opts.cursor ? decodeCursor(opts.cursor, { id: 'text' }) : undefined;
  const found = await repo.searchProducts(ex, {
    workspaceId,
    terms,
    categoryId: opts.categoryId,
    status: opts.status,
    beforeId: before?.id,
    limit: opts.limit + 1,
  });
  const page = found.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    data: await loadProducts(ex, workspaceId, page),
    nextCursor: found.length > opts.limit && last ? encodeCursor({ id: last.id }) : null,
  };
}

interface PreparedVariant {
  row: {
    workspaceId: string;
    id: string;
    productId: string;
    sku: string;
    barcode: string | null;
    title: string;
    options: Record<string, string>;
    price: number;
    currency: string;
  };
  prices: { workspaceId: string; variantId: string; channelId: string; price: number }[];
}

/** Same SKU or barcode twice in one request → 409 naming it. */
function checkDistinctCodes(list: VariantInput[]): void {
  const skus = new Set<string>();
  const barcodes = new Set<string>();
  for (const v of list) {
    if (skus.has(v.sku)) throw new AppError('duplicate_sku', `SKU "${v.sku}" appears twice in this request`, { field: 'sku', sku: v.sku });
    skus.add(v.sku);
    if (v.barcode !== undefined) {
      if (barcodes.has(v.barcode)) throw duplicateBarcode(v.barcode, v.sku);
      barcodes.add(v.barcode);
    }
  }
}

/** SKUs and barcodes already in the workspace → 409 (the unique indexes remain the final guard). */
async function checkCodesFree(ex: Executor, workspaceId: string, list: { sku?: string; barcode?: string | null }[], exceptId?: string): Promise<void> {
  const skus = list.flatMap((v) => (v.sku !== undefined ? [v.sku] : []));
  const barcodes = list.flatMap((v) => (v.barcode ? [v.barcode] : []));
  const taken = await repo.selectTakenCodes(ex, workspaceId, { skus, barcodes, exceptId });
  const takenSkus = new Set(taken.map((t) => t.sku));
  const takenBarcodes = new Set(taken.map((t) => t.barcode));
  for (const v of list) {
    if (v.sku !== undefined && takenSkus.has(v.sku)) throw duplicateSku(v.sku);
    if (v.barcode && takenBarcodes.has(v.barcode)) throw duplicateBarcode(v.barcode, v.sku);
  }
}

/** Validate channels and currencies of new variants; rows ready to insert. */
async function prepareVariants(
  ex: Executor,
  opts: { workspaceId: string; productId: string; defaultCurrency: string; list: VariantInput[] },
): Promise<PreparedVariant[]> {
  const { workspaceId } = opts;
  const channelIds = [...new Set(opts.list.flatMap((v) => Object.keys(v.channelPrices ?? {})))];
  const currencies = await repo.selectChannelCurrencies(ex, workspaceId, channelIds);
  return opts.list.map((v) => {
    const id = newId('var');
    const currency = v.currency ?? opts.defaultCurrency;
    const prices = Object.entries(v.channelPrices ?? {}).map(([channelId, price]) => {
      const channelCurrency = currencies.get(channelId);
      if (channelCurrency === undefined) {
        throw new AppError('channel_not_found', `Channel ${channelId} not found`, { field: 'channelPrices', channelId });
      }
      if (channelCurrency !== currency) throw currencyMismatch({ channelId, channelCurrency, variantCurrency: currency, sku: v.sku });
      return { workspaceId, variantId: id, channelId, price };
    });
    return {
      row: {
        workspaceId,
        id,
        productId: opts.productId,
        sku: v.sku,
        barcode: v.barcode ?? null,
        title: v.title ?? '',
        options: v.options ?? {},
        price: v.price,
        currency,
      },
      prices,
    };
  });
}

async function checkCategories(ex: Executor, workspaceId: string, ids: string[]): Promise<void> {
  const found = await repo.lockCategoriesShared(ex, workspaceId, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw new AppError('category_not_found', `Category ${missing} not found`, { field: 'categoryIds', categoryId: missing });
}

export async function createProduct(ex: Executor, workspaceId: string, input: CreateProductInput): Promise<Product> {
  checkDistinctCodes(input.variants);
  const defaultCurrency = (await getWorkspace(ex, workspaceId)).currency;
  const id = newId('prod');
  const categoryIds = input.categoryIds ?? [];
  const single = input.variants.length === 1 ? input.variants[0] : undefined;
  return guardUnique(
    () =>
      ex.transaction(async (tx) => {
        await checkCategories(tx, workspaceId, categoryIds);
        const prepared = await prepareVariants(tx, { workspaceId, productId: id, defaultCurrency, list: input.variants });
        await checkCodesFree(tx, workspaceId, input.variants);
        await repo.insertProduct(tx, {
          workspaceId,
          id,
          title: input.title,
          description: input.description ?? '',
          status: input.status ?? 'active',
          searchText: searchTextOf(input.title, input.variants.map((v) => v.sku)),
        });
        await repo.replaceProductCategories(tx, workspaceId, id, categoryIds);
        await repo.insertVariants(tx, prepared.map((p) => p.row));
        await repo.upsertChannelPrices(tx, prepared.flatMap((p) => p.prices));
        return getProduct(tx, workspaceId, id);
      }),
    { sku: single?.sku, barcode: single?.barcode },
  );
}

export async function updateProduct(ex: Executor, workspaceId: string, id: string, patch: UpdateProductInput): Promise<Product> {
  const product = await ex.transaction(async (tx) => {
    const locked = await repo.lockProduct(tx, workspaceId, id);
    if (!locked) throw new AppError('product_not_found', `Product ${id} not found`);
    if (patch.categoryIds) {
      await checkCategories(tx, workspaceId, patch.categoryIds);
      await repo.replaceProductCategories(tx, workspaceId, id, patch.categoryIds);
    }
    const searchText =
      patch.title !== undefined ? searchTextOf(patch.title, await repo.selectSkusOfProduct(tx, workspaceId, id)) : undefined;
    await repo.updateProductRow(tx, workspaceId, id, {
      ...(patch.title !== undefined ? { title: patch.title, searchText } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
    });
    return getProduct(tx, workspaceId, id);
  });
  // A variant as others see it carries its product's title, status and categories.
  forgetVariants(workspaceId, product.variants.map((v) => v.sku));
  return product;
}

/** Archive a product: it leaves the default list; its variants stay resolvable for orders. */
export async function archiveProduct(ex: Executor, workspaceId: string, id: string): Promise<Product> {
  return updateProduct(ex, workspaceId, id, { status: 'archived' });
}

export async function getVariant(ex: Executor, workspaceId: string, id: string): Promise<Variant> {
  const r = await repo.selectVariant(ex, workspaceId, id);
  if (!r) throw new AppError('variant_not_found', `Variant ${id} not found`);
  return toVariant(r);
}

export async function addVariant(ex: Executor, workspaceId: string, productId: string, input: VariantInput): Promise<Variant> {
  const defaultCurrency = (await getWorkspace(ex, workspaceId)).currency;
  return guardUnique(
    () =>
      ex.transaction(async (tx) => {
        const locked = await repo.lockProduct(tx, workspaceId, productId);
        if (!locked) throw new AppError('product_not_found', `Product ${productId} not found`);
        const [prepared] = await prepareVariants(tx, { workspaceId, productId, defaultCurrency, list: [input] });
        await checkCodesFree(tx, workspaceId, [input]);
        await repo.insertVariants(tx, [prepared!.row]);
        await repo.upsertChannelPrices(tx, prepared!.prices);
        const skus = await repo.selectSkusOfProduct(tx, workspaceId, productId);
        await repo.updateProductRow(tx, workspaceId, productId, { searchText: searchTextOf(locked.title, skus) });
        return getVariant(tx, workspaceId, prepared!.row.id);
      }),
    { sku: input.sku, barcode: input.barcode },
  );
}

export async function updateVariant(ex: Executor, workspaceId: string, id: string, patch: UpdateVariantInput): Promise<Variant> {
  const variant = await guardUnique(
    () =>
      ex.transaction(async (tx) => {
        const locked = await repo.lockVariant(tx, workspaceId, id);
        if (!locked) throw new AppError('variant_not_found', `Variant ${id} not found`);
        if (patch.barcode) await checkCodesFree(tx, workspaceId, [{ barcode: patch.barcode }], id);
        await repo.updateVariantRow(tx, workspaceId, id, {
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.barcode !== undefined ? { barcode: patch.barcode } : {}),
          ...(patch.options !== undefined ? { options: patch.options } : {}),
          ...(patch.price !== undefined ? { price: patch.price } : {}),
        });
        return getVariant(tx, workspaceId, id);
      }),
    { barcode: patch.barcode ?? undefined },
  );
  forgetVariants(workspaceId, [variant.sku]);
  return variant;
}

/** Set a channel's own price for a variant; the channel sells in the variant's currency. */
export async function setChannelPrice(
  ex: Executor,
  workspaceId: string,
  input: { variantId: string; channelId: string; price: number; currency?: string },
): Promise<Variant> {
  const changed = await ex.transaction(async (tx) => {
    const variant = await repo.lockVariant(tx, workspaceId, input.variantId);
    if (!variant) throw new AppError('variant_not_found', `Variant ${input.variantId} not found`);
    const channelCurrency = (await repo.selectChannelCurrencies(tx, workspaceId, [input.channelId])).get(input.channelId);
    if (channelCurrency === undefined) throw new AppError('channel_not_found', `Channel ${input.channelId} not found`);
    if (input.currency !== undefined && input.currency !== channelCurrency) {
      throw currencyMismatch({ channelId: input.channelId, channelCurrency, variantCurrency: input.currency });
    }
    if (variant.currency !== channelCurrency) {
      throw currencyMismatch({ channelId: input.channelId, channelCurrency, variantCurrency: variant.currency, sku: variant.sku });
    }
    await repo.upsertChannelPrices(tx, [{ workspaceId, variantId: input.variantId, channelId: input.channelId, price: input.price }]);
    return getVariant(tx, workspaceId, input.variantId);
  });
  forgetVariants(workspaceId, [changed.sku]);
  return changed;
}

/** Remove a channel's own price: the variant's price applies there again. */
export async function removeChannelPrice(ex: Executor, workspaceId: string, input: { variantId: string; channelId: string }): Promise<Variant> {
  const changed = await ex.transaction(async (tx) => {
    if (!(await repo.lockVariant(tx, workspaceId, input.variantId))) {
      throw new AppError('variant_not_found', `Variant ${input.variantId} not found`);
    }
    if ((await repo.selectChannelCurrencies(tx, workspaceId, [input.channelId])).size === 0) {
      throw new AppError('channel_not_found', `Channel ${input.channelId} not found`);
    }
    await repo.deleteChannelPrice(tx, workspaceId, input.variantId, input.channelId);
    return getVariant(tx, workspaceId, input.variantId);
  });
  forgetVariants(workspaceId, [changed.sku]);
  return changed;
}

/** Variants by SKU and/or barcode (admin lookup, e.g. a scanner); unknown codes are left out. */
export async function lookupVariants(ex: Executor, workspaceId: string, opts: { skus?: string[]; barcodes?: string[] }): Promise<CatalogVariant[]> {
  const skus = opts.skus ?? [];
  const barcodes = opts.barcodes ?? [];
  if (skus.length === 0 && barcodes.length === 0) {
    throw new AppError('validation_failed', 'querystring: give sku or barcode (repeat for several)', { field: 'sku' });
  }
  const [bySku, byBarcode] = await Promise.all([
    skus.length > 0 ? repo.selectCatalogVariants(ex, workspaceId, { skus }) : [],
    barcodes.length > 0 ? repo.selectCatalogVariants(ex, workspaceId, { barcodes }) : [],
  ]);
  const out = new Map<string, CatalogVariant>();
  for (const r of [...bySku, ...byBarcode]) out.set(r.id, toCatalogVariant(r));
  return [...out.values()];
}

/** Variants keyed by SKU, in one statement for any number of SKUs; unknown SKUs are absent. */
export async function findVariantsBySku(ex: Executor, workspaceId: string, skus: string[]): Promise<Map<string, CatalogVariant>> {
  const list = [...new Set(skus)];
  if (list.length === 0) return new Map();
  const found = await repo.selectCatalogVariants(ex, workspaceId, { skus: list });
  return new Map(found.map((r) => [r.sku, toCatalogVariant(r)]));
}

/**
 * findVariantsBySku through the catalog cache (channel-cache.ts): the SKUs not kept are read in
 * one statement, each then shared with whoever asks for it meanwhile (a burst of orders).
 */
export async function findVariantsBySkuCached(ex: Executor, workspaceId: string, skus: string[]): Promise<Map<string, CatalogVariant>> {
  const found = await variantsBySku.getMany(
    skus.map((sku) => cacheKey(workspaceId, sku)),
    async (missing) => {
      const bySku = await findVariantsBySku(ex, workspaceId, missing.map((key) => key.slice(workspaceId.length + 1)));
      return new Map([...bySku].map(([sku, v]) => [cacheKey(workspaceId, sku), v]));
    },
  );
  return new Map([...found.values()].map((v) => [v.sku, v]));
}

/** Variants keyed by id, in one statement; unknown ids are absent. */
export async function getVariantsByIds(ex: Executor, workspaceId: string, ids: string[]): Promise<Map<string, CatalogVariant>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const found = await repo.selectCatalogVariants(ex, workspaceId, { ids: list });
  return new Map(found.map((r) => [r.id, toCatalogVariant(r)]));
}

/** The price of a variant in a channel: the channel's own price, else the variant's. */
export function priceFor(variant: Pick<CatalogVariant, 'price' | 'channelPrices'>, channelId: string): number {
  return Object.hasOwn(variant.channelPrices, channelId) ? variant.channelPrices[channelId]! : variant.price;
}

// Bulk upsert by SKU (catalog import)

/** A variant to create or update, found by SKU. An absent optional field leaves an existing variant's value as it is. */
export interface UpsertVariantInput {
  sku: string;
  /** A new variant's title is '' when absent. */
  title?: string;
  /** A new variant has none when absent. */
  barcode?: string;
  price: number;
  /** Absent: the existing variant's currency, else the workspace's. An existing variant's currency cannot change. */
  currency?: string;
  /** Channel id → that channel's own price; channels not named keep theirs. */
  channelPrices?: Record<string, number>;
}

export interface UpsertProductInput {
  title: string;
  /** The product new variants join when none of `variants` exists yet (e.g. one an earlier call created). */
  productId?: string;
  /** Added to the product's categories when missing; its other categories are kept. */
  categoryIds?: string[];
  variants: UpsertVariantInput[];
}

/** What happened to one variant; a refused one names the field (`channelPrices` with its channel). */
export type UpsertVariantOutcome =
  | { sku: string; status: 'created' | 'updated' | 'unchanged'; variantId: string; productId: string }
  | { sku: string; status: 'failed'; field: 'barcode' | 'currency' | 'channelPrices' | 'categoryIds'; channelId?: string; message: string };

export interface UpsertProductsResult {
  /** Per input product: the product its variants are in, undefined when none of them could be written. */
  productIds: (string | undefined)[];
  /** Per input product: its variants' outcomes, in input order. */
  outcomes: UpsertVariantOutcome[][];
  productsCreated: number;
}

const INSERT_CHUNK = 2000;

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Create or update many products and variants in one transaction, with a fixed number of
 * statements for the variants, their prices and the lookups whatever their count (plus one or
 * two per product created or changed). Variants are found by SKU and never move between
 * products: new variants join the product of the first existing SKU in their input, else
 * `productId`, else a new product. An existing product takes the input's title and gains its
 * categories. Nothing is written for what is unchanged, so repeating a call changes nothing.
 *
 * Expected refusals (a barcode another SKU holds, an unknown channel, a currency that differs
 * from the variant's or the channel's) are outcomes; the rest of the input is written.
 * The same SKU or barcode twice in the input is a 409, as in createProduct.
 */
export async function upsertProductsBySku(ex: Executor, workspaceId: string, list: UpsertProductInput[]): Promise<UpsertProductsResult> {
  const all = list.flatMap((p) => p.variants);
  checkDistinctCodes(all);
  if (all.length === 0) return { productIds: list.map(() => undefined), outcomes: list.map(() => []), productsCreated: 0 };
  const result = await guardUnique(
    () =>
      ex.transaction(async (tx) => {
        const existing = new Map((await repo.selectCatalogVariants(tx, workspaceId, { skus: all.map((v) => v.sku) })).map((r) => [r.sku, r]));
        const barcodes = [...new Set(all.flatMap((v) => (v.barcode !== undefined ? [v.barcode] : [])))];
        const barcodeHolders = new Map(
          barcodes.length > 0 ? (await repo.selectCatalogVariants(tx, workspaceId, { barcodes })).map((r) => [r.barcode ?? '', r.sku]) : [],
        );
        const channelIds = [...new Set(all.flatMap((v) => Object.keys(v.channelPrices ?? {})))];
        const channelCurrencies = await repo.selectChannelCurrencies(tx, workspaceId, channelIds);
        const foundCategories = await repo.lockCategoriesShared(tx, workspaceId, [...new Set(list.flatMap((p) => p.categoryIds ?? []))]);
        const defaultCurrency = all.some((v) => v.currency === undefined && !existing.has(v.sku)) ? (await getWorkspace(tx, workspaceId)).currency : '';

        const targets = list.map((p) => p.variants.map((v) => existing.get(v.sku)?.product_id).find((id) => id !== undefined) ?? p.productId);
        const known = new Map(
          (await repo.selectProducts(tx, workspaceId, [...new Set(targets.flatMap((t) => (t !== undefined ? [t] : [])))])).map((r) => [r.id, r]),
        );

        const newProducts: { id: string; title: string; categoryIds: string[]; skus: string[] }[] = [];
        const inserts: PreparedVariant['row'][] = [];
        const patches: { id: string; patch: Parameters<typeof repo.updateVariantRow>[3] }[] = [];
        const prices: PreparedVariant['prices'] = [];
        /** Existing products to change: new title, categories after the import, whether SKUs joined. */
        const changed = new Map<string, { title?: string; categoryIds?: string[]; hasNewSkus: boolean }>();
        const productIds: (string | undefined)[] = [];
        const outcomes: UpsertVariantOutcome[][] = [];

        list.forEach((p, i) => {
          const target = targets[i] !== undefined && known.has(targets[i]) ? targets[i] : undefined;
          const productId = target ?? newId('prod');
          const missingCategory = (p.categoryIds ?? []).find((id) => !foundCategories.has(id));
          const results: UpsertVariantOutcome[] = p.variants.map((v) => {
            if (missingCategory !== undefined) {
              return { sku: v.sku, status: 'failed', field: 'categoryIds', message: `Category ${missingCategory} not found` };
            }
            const current = existing.get(v.sku);
            const currency = current?.currency ?? v.currency ?? defaultCurrency;
            if (current && v.currency !== undefined && v.currency !== current.currency) {
              return { sku: v.sku, status: 'failed', field: 'currency', message: `SKU "${v.sku}" is priced in ${current.currency}; a variant's currency cannot change to ${v.currency}` };
            }
            const holder = v.barcode !== undefined ? barcodeHolders.get(v.barcode) : undefined;
            if (holder !== undefined && holder !== v.sku) {
              return { sku: v.sku, status: 'failed', field: 'barcode', message: `Barcode "${v.barcode}" is already used by SKU "${holder}"` };
            }
            const currentPrices = current ? numbers(current.channel_prices) : {};
            const variantId = current?.id ?? newId('var');
            const changedPrices: PreparedVariant['prices'] = [];
            for (const [channelId, price] of Object.entries(v.channelPrices ?? {})) {
              const channelCurrency = channelCurrencies.get(channelId);
              if (channelCurrency === undefined) {
                return { sku: v.sku, status: 'failed', field: 'channelPrices', channelId, message: `Channel ${channelId} not found` };
              }
              if (channelCurrency !== currency) {
                return { sku: v.sku, status: 'failed', field: 'channelPrices', channelId, message: currencyMismatch({ channelId, channelCurrency, variantCurrency: currency, sku: v.sku }).message };
              }
              if (currentPrices[channelId] !== price) changedPrices.push({ workspaceId, variantId, channelId, price });
            }
            prices.push(...changedPrices);
            if (!current) {
              inserts.push({ workspaceId, id: variantId, productId, sku: v.sku, barcode: v.barcode ?? null, title: v.title ?? '', options: {}, price: v.price, currency });
              return { sku: v.sku, status: 'created', variantId, productId };
            }
            const patch = {
              ...(v.title !== undefined && v.title !== current.title ? { title: v.title } : {}),
              ...(v.barcode !== undefined && v.barcode !== current.barcode ? { barcode: v.barcode } : {}),
              ...(v.price !== Number(current.price) ? { price: v.price } : {}),
            };
            if (Object.keys(patch).length > 0) patches.push({ id: current.id, patch });
            const isChanged = Object.keys(patch).length > 0 || changedPrices.length > 0;
            return { sku: v.sku, status: isChanged ? 'updated' : 'unchanged', variantId: current.id, productId: current.product_id };
          });
          const created = results.flatMap((r) => (r.status === 'created' ? [r.sku] : []));
          if (target === undefined) {
            outcomes.push(results);
            productIds.push(created.length > 0 ? productId : undefined);
            if (created.length > 0) newProducts.push({ id: productId, title: p.title, categoryIds: p.categoryIds ?? [], skus: created });
            return;
          }
          productIds.push(target);
          const row = known.get(target)!;
          const state = changed.get(target) ?? { hasNewSkus: false };
          const categoryIds = state.categoryIds ?? row.category_ids;
          const addCategories = results.some((r) => r.status !== 'failed') ? (p.categoryIds ?? []).filter((id) => !categoryIds.includes(id)) : [];
          const isRenamed = results.some((r) => r.status !== 'failed') && (state.title ?? row.title) !== p.title;
          if (isRenamed) state.title = p.title;
          if (addCategories.length > 0) state.categoryIds = [...categoryIds, ...addCategories].sort();
          state.hasNewSkus ||= created.length > 0;
          if (isRenamed || addCategories.length > 0 || state.hasNewSkus) changed.set(target, state);
          // A row that renames its product or files it under a new category changed something.
          const isProductChanged = isRenamed || addCategories.length > 0;
          outcomes.push(isProductChanged ? results.map((r) => (r.status === 'unchanged' ? { ...r, status: 'updated' } : r)) : results);
        });

        for (const np of newProducts) {
          await repo.insertProduct(tx, { workspaceId, id: np.id, title: np.title, description: '', status: 'active', searchText: searchTextOf(np.title, np.skus) });
          if (np.categoryIds.length > 0) await repo.replaceProductCategories(tx, workspaceId, np.id, np.categoryIds);
        }
        for (const part of chunks(inserts, INSERT_CHUNK)) await repo.insertVariants(tx, part);
        for (const { id, patch } of patches) await repo.updateVariantRow(tx, workspaceId, id, patch);
        for (const part of chunks(prices, INSERT_CHUNK)) await repo.upsertChannelPrices(tx, part);
        for (const [id, state] of changed) {
          const title = state.title ?? known.get(id)!.title;
          if (state.title !== undefined || state.hasNewSkus) {
            await repo.updateProductRow(tx, workspaceId, id, {
              ...(state.title !== undefined ? { title } : {}),
              searchText: searchTextOf(title, await repo.selectSkusOfProduct(tx, workspaceId, id)),
            });
          }
          if (state.categoryIds) await repo.replaceProductCategories(tx, workspaceId, id, state.categoryIds);
        }
        return { productIds, outcomes, productsCreated: newProducts.length };
      }),
    all.length === 1 ? { sku: all[0]!.sku, barcode: all[0]!.barcode } : {},
  );
  // A renamed product changes its other variants too: the whole workspace's are dropped.
  forgetVariants(workspaceId);
  return result;
}

/**
 * Check references held elsewhere (a promotion's products, categories, variants, channels):
 * throws 400 naming the first unknown id and what it should have been.
 */
export async function assertCatalogIdsExist(
  ex: Executor,
  workspaceId: string,
  ids: { productIds: string[]; categoryIds: string[]; variantIds: string[]; channelIds: string[] },
): Promise<void> {
  const total = ids.productIds.length + ids.categoryIds.length + ids.variantIds.length + ids.channelIds.length;
  if (total === 0) return;
  const found = new Set((await repo.selectExistingIds(ex, workspaceId, ids)).map((r) => `${r.kind}:${r.id}`));
  const kinds = [
    ['product', ids.productIds],
    ['category', ids.categoryIds],
    ['variant', ids.variantIds],
    ['channel', ids.channelIds],
  ] as const;
  for (const [kind, list] of kinds) {
    const missing = list.find((id) => !found.has(`${kind}:${id}`));
    if (missing !== undefined) throw new AppError('validation_failed', `Unknown ${kind} ${missing}`, { field: `${kind}Id`, [`${kind}Id`]: missing });
  }
}
