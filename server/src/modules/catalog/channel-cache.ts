/**
 * The catalog's one per-process cache of what every order, quote and store API call reads and
 * what changes rarely: sales channels by id, the channel a source sells on, variants by SKU.
 * The cached lookups (`getChannelCached`, `findChannelOfSourceCached`, `findVariantsBySkuCached`)
 * sit beside their uncached forms in catalog.service.ts; this file holds the mechanism.
 *
 * - An entry is kept for CATALOG_CACHE_TTL_MS (5 s) after its load started; callers asking for
 *   the same key while a load runs share it (a burst of orders for one channel reads it once).
 * - "Not found" (an unknown channel, an unlinked source, an unknown SKU) is never kept: what was
 *   created a moment ago is seen at once.
 * - Keys are scoped by workspace (`workspaceId/id`).
 * - Staleness: when this process's catalog changes a channel, a variant, a price or a product,
 *   it drops the affected entries here after writing, so this process reads the change on its
 *   next call. Other processes (another server, a worker) are not told: they keep what
 *   they read for up to 5 s, so a change made there reaches orders, quotes and the store API here
 *   within that time.
 * - Read with the pool executor, never inside a transaction: a shared load answers callers that
 *   did not start it, so it must not see uncommitted rows (nor wait for the one PGlite connection
 *   that a waiting caller's transaction holds).
 */
import { TtlCache } from '../../platform/ttl-cache';
import type { CatalogVariant, SalesChannel } from './catalog.service';

const CATALOG_CACHE_TTL_MS = 5_000;

export const channelsById = new TtlCache<string, SalesChannel>({ ttlMs: CATALOG_CACHE_TTL_MS });
/** Source id → the (unarchived) channel that names it; undefined (no such channel) is not kept. */
export const channelsBySource = new TtlCache<string, SalesChannel | undefined>({ ttlMs: CATALOG_CACHE_TTL_MS });
export const variantsBySku = new TtlCache<string, CatalogVariant>({ ttlMs: CATALOG_CACHE_TTL_MS });

export function cacheKey(workspaceId: string, id: string): string {
  return `${workspaceId}/${id}`;
}

const inWorkspace = (workspaceId: string) => (key: string) => key.startsWith(`${workspaceId}/`);

/** A channel was created, changed or archived here: drop it and the workspace's source → channel answers. */
export function forgetChannel(workspaceId: string, channelId: string): void {
  channelsById.delete(cacheKey(workspaceId, channelId));
  channelsBySource.deleteWhere(inWorkspace(workspaceId));
}

/** Variants (or their prices, product or categories) changed here: drop these SKUs, or all of the workspace's. */
export function forgetVariants(workspaceId: string, skus?: string[]): void {
  if (skus === undefined) variantsBySku.deleteWhere(inWorkspace(workspaceId));
  else for (const sku of skus) variantsBySku.delete(cacheKey(workspaceId, sku));
}
