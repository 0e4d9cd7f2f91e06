/** The store counter (POS demo): stores, customer lookup, stock at the store, quotes and sales. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post } from '../../lib/api';
import type { PromotionNeed } from './promotions';
import type { Item, Json } from '../../api/types';

/** A sales channel as GET /api/v1/channels gives it (the store counter keeps the type pos ones). */
export type PosChannel = Item<Json<'/api/v1/channels'>['data']>;
/** A profile found by phone (GET /api/v1/profiles/lookup). */
export type PosProfile = Json<'/api/v1/profiles/lookup'>;
export type CommerceFacts = Json<'/api/v1/profiles/{id}/commerce'>;
export type StockRow = Item<Json<'/api/v1/inventory'>['data']>;

type GeneratedQuote = Json<'/api/v1/pricing/quote', 'post'>;
/** A price quote (POST /api/v1/pricing/quote); code `needs` refined to the recursive PromotionNeed. */
export type Quote = Omit<GeneratedQuote, 'codes'> & { codes: (Omit<Item<GeneratedQuote['codes']>, 'needs'> & { needs?: PromotionNeed[] })[] };

/** The order a sale makes (POST /api/v1/orders). */
export type PosOrder = Json<'/api/v1/orders', 'post', 201>;

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
    queryFn: async () => (await get<Json<'/api/v1/channels'>>('/api/v1/channels')).data.filter((c) => c.type === 'pos' && !c.archivedAt),
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
    queryFn: () => get<Json<'/api/v1/inventory'>>('/api/v1/inventory', { q: q || undefined, locationId, limit: 20 }),
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
