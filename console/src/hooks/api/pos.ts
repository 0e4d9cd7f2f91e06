/** The store counter (POS demo): stores, customer lookup, stock at the store, quotes and sales. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post } from '../../lib/api';
import type { PromotionNeed } from './promotions';

export interface PosChannel {
  id: string;
  name: string;
  type: string;
  currency: string;
  archivedAt: string | null;
  locations: { id: string; name: string; kind: string; priority: number }[];
}

export interface PosProfile {
  id: string;
  traits: Record<string, unknown>;
  identifiers: { type: string; value: string }[];
}

export interface CommerceFacts {
  profileId: string;
  currency: string;
  totalSpent: number;
  orderCount: number;
  lastOrderAt: string | null;
}

export interface StockRow {
  sku: string;
  variantId: string;
  productId: string;
  productTitle: string;
  title: string;
  price: number;
  currency: string;
  onHand: number;
  available: number;
  levels: { locationId: string; onHand: number; reserved: number; available: number }[];
  channels: { channelId: string; sellable: number }[];
}

export interface Quote {
  currency: string;
  subtotal: number;
  discountTotal: number;
  total: number;
  lines: { sku: string; quantity: number; unitPrice: number; discount: number; total: number }[];
  promotions: { promotionId: string; name: string; amount: number; code: string | null; description: string }[];
  codes: { code: string; status: string; message: string | null; needs?: PromotionNeed[] }[];
}

export interface PosOrder {
  id: string;
  channelId: string;
  externalId: string | null;
  profileId: string | null;
  status: string;
  currency: string;
  subtotal: number;
  discountTotal: number;
  total: number;
  placedAt: string;
  lines: { lineNo: number; sku: string; title: string; quantity: number; unitPrice: number; discount: number; total: number }[];
}

export interface SaleInput {
  channelId: string;
  externalId: string;
  customer?: { userId?: string; phone?: string; email?: string; name?: string };
  lines: { sku: string; quantity: number }[];
  codes?: string[];
  status: 'paid';
}

/** The workspace's store channels (type pos), not archived. */
export function usePosChannels() {
  return useQuery({
    queryKey: ['channels', 'pos'],
    queryFn: async () => (await get<{ data: PosChannel[] }>('/api/v1/channels')).data.filter((c) => c.type === 'pos' && !c.archivedAt),
    staleTime: 60_000,
  });
}

/** The customer with this phone (normalised by the server like events), or null when none has it. */
export function usePhoneLookup(phone: string | undefined) {
  return useQuery({
    queryKey: ['profiles', 'lookup', 'phone', phone],
    queryFn: async (): Promise<PosProfile | null> => {
      try {
        return await get<PosProfile>('/api/v1/profiles/lookup', { type: 'phone', value: phone });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
    enabled: !!phone,
    retry: false,
  });
}

export function useCommerceFacts(profileId: string | undefined) {
  return useQuery({
    queryKey: ['profiles', profileId, 'commerce'],
    queryFn: () => get<CommerceFacts>(`/api/v1/profiles/${encodeURIComponent(profileId!)}/commerce`),
    enabled: !!profileId,
  });
}

/** Products matching `q` with their stock at `locationId` (the store's shelf). */
export function useStoreStock(q: string, locationId: string | undefined) {
  return useQuery({
    queryKey: ['inventory', 'pos', locationId, q],
    queryFn: () => get<{ data: StockRow[] }>('/api/v1/inventory', { q: q || undefined, locationId, limit: 20 }),
    enabled: !!locationId,
    placeholderData: keepPreviousData,
  });
}

/** The price of the basket for this customer at this store, with every promotion. */
export function useQuote(input: { channelId: string | undefined; profileId: string | undefined; lines: { sku: string; quantity: number }[]; codes: string[] }) {
  return useQuery({
    queryKey: ['pricing', 'quote', input],
    queryFn: () =>
      post<Quote>('/api/v1/pricing/quote', {
        channelId: input.channelId,
        lines: input.lines,
        ...(input.profileId ? { profileId: input.profileId } : {}),
        ...(input.codes.length ? { codes: input.codes } : {}),
      }),
    enabled: !!input.channelId && input.lines.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useSell() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SaleInput) => post<PosOrder>('/api/v1/orders', body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['inventory'] });
      void qc.invalidateQueries({ queryKey: ['orders'] });
      void qc.invalidateQueries({ queryKey: ['profiles'] });
    },
  });
}
