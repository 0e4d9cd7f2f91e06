/**
 * The stock list: every SKU with its stock per location and what each sales channel may sell
 * now (after its allocation rule). A fixed number of queries per page, whatever its size:
 * products (or low-stock variants), channels, locations and the page's levels.
 */
import type { Executor } from '../../db/client';
import { decodeCursor, encodeCursor } from '../../platform/cursor';
import { getVariantsByIds, listChannels, listLocations, listProducts, type CatalogVariant, type SalesChannel, type StockLocation } from '../catalog';
import { foldForSearch } from '../profiles';
import * as repo from './inventory.repo';
import { availableForChannel, getLevels, type Level } from './inventory.service';

/** At most this many low-stock SKUs are considered for one listing. */
const LOW_STOCK_SCAN = 5000;

export interface StockRow {
  sku: string;
  variantId: string;
  productId: string;
  productTitle: string;
  title: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  onHand: number;
  reserved: number;
  available: number;
  isLowStock: boolean;
  levels: (Omit<Level, 'variantId'> & { isLowStock: boolean })[];
  channels: { channelId: string; sellable: number }[];
}

export interface StockList {
  locations: Pick<StockLocation, 'id' | 'name' | 'kind'>[];
  channels: Pick<SalesChannel, 'id' | 'name' | 'type' | 'allocation'>[];
  data: StockRow[];
  nextCursor: string | null;
}

export interface ListStockOptions {
  workspaceId: string;
  q?: string;
  locationId?: string;
  lowStock?: boolean;
  /** Low stock for levels without their own threshold: available at or below this. */
  threshold: number;
  limit: number;
  cursor?: string;
}

/** The variants of one page: by product (newest first) or, for low stock only, by product title and SKU. */
async function pageVariants(ex: Executor, o: ListStockOptions): Promise<{ variants: CatalogVariant[]; nextCursor: string | null }> {
  if (!o.lowStock) {
    const page = await listProducts(ex, o.workspaceId, { q: o.q, limit: o.limit, cursor: o.cursor });
    const ids = page.data.flatMap((p) => p.variants.map((v) => v.id));
    const byId = await getVariantsByIds(ex, o.workspaceId, ids);
    return { variants: ids.flatMap((id) => byId.get(id) ?? []), nextCursor: page.nextCursor };
  }
  const offset = o.cursor ? decodeCursor(o.cursor, { low: 'offset' }).low : 0;
  const ids = await repo.selectLowStockVariantIds(ex, { workspaceId: o.workspaceId, locationId: o.locationId, defaultThreshold: o.threshold, limit: LOW_STOCK_SCAN });
  const terms = foldForSearch(o.q ?? '').split(' ').filter(Boolean);
  const all = [...(await getVariantsByIds(ex, o.workspaceId, ids)).values()]
    .filter((v) => v.productStatus !== 'archived')
    .filter((v) => {
      const text = foldForSearch(`${v.productTitle} ${v.title} ${v.sku} ${v.barcode ?? ''}`);
      return terms.every((t) => text.includes(t));
    })
    .sort((a, b) => a.productTitle.localeCompare(b.productTitle) || a.sku.localeCompare(b.sku));
  const variants = all.slice(offset, offset + o.limit);
  return { variants, nextCursor: offset + o.limit < all.length ? encodeCursor({ low: offset + o.limit }) : null };
}

export async function listStock(ex: Executor, o: ListStockOptions): Promise<StockList> {
  const [{ variants, nextCursor }, channels, locations] = await Promise.all([
    pageVariants(ex, o),
    listChannels(ex, o.workspaceId),
    listLocations(ex, o.workspaceId),
  ]);
  const levels = await getLevels(ex, o.workspaceId, variants.map((v) => v.id));
  const isLow = (l: Pick<Level, 'available' | 'lowStockThreshold'>) => l.available <= (l.lowStockThreshold ?? o.threshold);
  const data = variants.map((v): StockRow => {
    const own = levels.filter((l) => l.variantId === v.id);
    const shown = o.locationId ? own.filter((l) => l.locationId === o.locationId) : own;
    const sum = (f: (l: Level) => number) => shown.reduce((n, l) => n + f(l), 0);
    return {
      sku: v.sku,
      variantId: v.id,
      productId: v.productId,
      productTitle: v.productTitle,
      title: v.title,
      options: v.options,
      price: v.price,
      currency: v.currency,
      onHand: sum((l) => l.onHand),
      reserved: sum((l) => l.reserved),
      available: sum((l) => l.available),
      // Nothing stocked anywhere counts as low too: it cannot be sold.
      isLowStock: shown.length === 0 ? !o.locationId : shown.some(isLow),
      levels: shown.map(({ variantId: _v, ...l }) => ({ ...l, isLowStock: isLow(l) })),
      channels: channels.map((c) => ({ channelId: c.id, sellable: availableForChannel(c, own, v.id) })),
    };
  });
  return {
    locations: locations.map((l) => ({ id: l.id, name: l.name, kind: l.kind })),
    channels: channels.map((c) => ({ id: c.id, name: c.name, type: c.type, allocation: c.allocation })),
    data,
    nextCursor,
  };
}
