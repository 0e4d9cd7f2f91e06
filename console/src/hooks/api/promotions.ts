/**
 * Promotions: definitions, lifecycle, audit, codes and reports (server/src/modules/promotions),
 * plus the catalog lists the promotion form picks from. Money is integer minor units.
 */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, patch, post } from '../../lib/api';
import type { Body, Item, Json } from '../../api/types';
import type { Category, Product, SalesChannel, StockLocation, Variant } from './catalog';

/**
 * The machine-readable form of a promotion reason (server: PromotionNeed in
 * server/src/modules/promotions/promotions.types.ts). Fields depend on `code`; unknown codes
 * may come from a newer server, so clients fall back to the English message.
 */
export interface PromotionNeed extends Omit<GeneratedNeed, 'code' | 'items'> {
  /** Wider than the server's list on purpose: a newer server may send codes this console does not know. */
  code: string;
  /** The generated type stops recursing after a few levels; groups nest freely. */
  items?: PromotionNeed[];
}
type GeneratedNeed = Item<Json<'/api/v1/profiles/{id}/offers'>['data'][number]['needs']>;

export type PromotionStatus = Promotion['status'];
export const PROMOTION_STATUSES: PromotionStatus[] = ['draft', 'scheduled', 'active', 'paused', 'ended'];

export type Target = { scope: 'order' } | { scope: 'products'; productIds: string[] } | { scope: 'categories'; categoryIds: string[] };
export type ItemSet = { scope: 'products'; productIds: string[] } | { scope: 'categories'; categoryIds: string[] } | { scope: 'variants'; variantIds: string[] };

export type Reward =
  | { type: 'percentage'; percent: number; target: Target; maxDiscount?: number }
  | { type: 'fixed'; amount: number; target: Target }
  | { type: 'buy_x_get_y'; buy: { items: ItemSet; quantity: number }; get: { items: ItemSet; quantity: number; percent: number }; maxApplications?: number }
  | { type: 'tiered_spend'; tiers: { minSpend: number; amountOff?: number; percentOff?: number }[]; target?: Target }
  | { type: 'free_shipping'; maxAmount?: number }
  | { type: 'gift'; variantId: string; quantity: number; giftValue?: number };

export type RewardType = Reward['type'];
export const REWARD_TYPES: RewardType[] = ['percentage', 'fixed', 'buy_x_get_y', 'tiered_spend', 'free_shipping', 'gift'];

export type TraitOp = 'eq' | 'neq' | 'in' | 'not_in' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'contains';
export const TRAIT_OPS: TraitOp[] = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists', 'contains'];

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { channel: { in: string[] } }
  | { channelType: { in: string[] } }
  | { schedule: { daysOfWeek?: number[]; fromHour?: number; toHour?: number } }
  | { tier: { in: string[] } }
  | { firstOrder: true }
  | { birthdayMonth: true }
  | { boughtCategory: { categoryIds: string[]; withinDays: number } }
  | { totalSpent: { gte: number } }
  | { orderCount: { gte: number } }
  | { lastStore: { in: string[] } }
  | { cartSubtotal: { gte: number } }
  | { trait: { key: string; op: TraitOp; value?: unknown } };

/**
 * A promotion (GET /api/v1/promotions/{id}). The server declares `reward` and `conditions` as
 * open JSON objects (validated by its own code), so their shapes are refined by hand above.
 */
export type Promotion = Omit<Json<'/api/v1/promotions/{id}'>, 'reward' | 'conditions'> & { reward: Reward; conditions: Condition | null };

/** The create body (POST /api/v1/promotions), with `reward` and `conditions` refined as in Promotion. */
export type PromotionInput = Omit<Body<'/api/v1/promotions', 'post'>, 'reward' | 'conditions'> & { reward: Reward; conditions?: Condition | null };

export type AuditEntry = Item<Json<'/api/v1/promotions/{id}/audit'>['data']>;
/** A code as listed (JSON): unused codes of unique batches come masked unless the user may export codes. */
export type PromotionCode = Item<Exclude<Json<'/api/v1/promotions/{id}/codes'>, string>['data']>;
export type CodesInput = Body<'/api/v1/promotions/{id}/codes', 'post'>;
export type CodesCreated = Json<'/api/v1/promotions/{id}/codes', 'post', 201>;
export type PromotionReport = Json<'/api/v1/promotions/{id}/report'>;

const keys = {
  all: ['promotions'] as const,
  list: (status?: PromotionStatus) => ['promotions', 'list', status ?? 'all'] as const,
  one: (id: string) => ['promotions', 'one', id] as const,
  audit: (id: string) => ['promotions', 'audit', id] as const,
  codes: (id: string) => ['promotions', 'codes', id] as const,
  report: (id: string) => ['promotions', 'report', id] as const,
};

export function usePromotions(status?: PromotionStatus) {
  return useQuery({
    queryKey: keys.list(status),
    queryFn: async () => (await get<{ data: Promotion[] }>('/api/v1/promotions', { status })).data,
  });
}

export function usePromotion(id: string | undefined) {
  return useQuery({ queryKey: keys.one(id ?? ''), queryFn: () => get<Promotion>(`/api/v1/promotions/${encodeURIComponent(id!)}`), enabled: !!id });
}

export function useCreatePromotion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PromotionInput) => post<Promotion>('/api/v1/promotions', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.all }),
  });
}

export function useUpdatePromotion(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<PromotionInput>) => patch<Promotion>(`/api/v1/promotions/${encodeURIComponent(id)}`, body),
    onSuccess: (p) => {
      qc.setQueryData(keys.one(id), p);
      return qc.invalidateQueries({ queryKey: keys.all });
    },
  });
}

export type StatusChange = 'active' | 'paused' | 'ended' | 'draft';

export function useSetPromotionStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: StatusChange }) => post<Promotion>(`/api/v1/promotions/${encodeURIComponent(id)}/status`, { status }),
    onSuccess: (p) => {
      qc.setQueryData(keys.one(p.id), p);
      return qc.invalidateQueries({ queryKey: keys.all });
    },
  });
}

export function usePromotionAudit(id: string) {
  return useQuery({ queryKey: keys.audit(id), queryFn: async () => (await get<{ data: AuditEntry[] }>(`/api/v1/promotions/${encodeURIComponent(id)}/audit`)).data });
}

export function usePromotionCodes(id: string) {
  return useQuery({ queryKey: keys.codes(id), queryFn: async () => (await get<{ data: PromotionCode[] }>(`/api/v1/promotions/${encodeURIComponent(id)}/codes`)).data });
}

export function useCreateCodes(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CodesInput) => post<CodesCreated>(`/api/v1/promotions/${encodeURIComponent(id)}/codes`, body),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.codes(id) }), qc.invalidateQueries({ queryKey: keys.audit(id) })]),
  });
}

/** The CSV download of a promotion's codes (the server sends it as an attachment). */
export function codesCsvUrl(id: string, batchId?: string | null): string {
  const q = new URLSearchParams({ format: 'csv' });
  if (batchId) q.set('batchId', batchId);
  return `/api/v1/promotions/${encodeURIComponent(id)}/codes?${q.toString()}`;
}

export function usePromotionReport(id: string) {
  return useQuery({ queryKey: keys.report(id), queryFn: () => get<PromotionReport>(`/api/v1/promotions/${encodeURIComponent(id)}/report`) });
}

// What the form picks from: products, variants, categories, channels and stores.

export type PickerVariant = Pick<Variant, 'id' | 'productId' | 'sku' | 'title' | 'price'>;
export type PickerProduct = Pick<Product, 'id' | 'title' | 'status' | 'categoryIds'> & { variants: PickerVariant[] };
export type PickerCategory = Pick<Category, 'id' | 'name' | 'parentId'>;
export type PickerChannel = Pick<SalesChannel, 'id' | 'name' | 'type'>;
export type PickerLocation = Pick<StockLocation, 'id' | 'name' | 'kind' | 'city'>;

/** Up to 200 products (newest first) with their variants; products outside it are fetched by id. */
export function usePickerProducts() {
  return useQuery({
    queryKey: ['promotions', 'picker', 'products'],
    queryFn: async () => (await get<{ data: PickerProduct[] }>('/api/v1/products', { limit: 200 })).data,
    staleTime: 60_000,
  });
}

/** Products a promotion refers to that the first page of the list did not include. */
export function useProductsById(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ['promotions', 'picker', 'product', id],
      queryFn: () => get<PickerProduct>(`/api/v1/products/${encodeURIComponent(id)}`),
      staleTime: 60_000,
      retry: false,
    })),
  });
}

export function usePickerCategories() {
  return useQuery({
    queryKey: ['promotions', 'picker', 'categories'],
    queryFn: async () => (await get<{ data: PickerCategory[] }>('/api/v1/categories')).data,
    staleTime: 60_000,
  });
}

export function usePickerChannels() {
  return useQuery({
    queryKey: ['promotions', 'picker', 'channels'],
    queryFn: async () => (await get<{ data: PickerChannel[] }>('/api/v1/channels')).data,
    staleTime: 60_000,
  });
}

export function usePickerLocations() {
  return useQuery({
    queryKey: ['promotions', 'picker', 'locations'],
    queryFn: async () => (await get<{ data: PickerLocation[] }>('/api/v1/locations')).data,
    staleTime: 60_000,
  });
}
