/**
 * Customers: the list (search + filters), the profile 360 (identifiers, traits, channels,
 * timeline, orders, live cart, offers, merges) and the privacy actions (export, erase).
 */
import { useEffect, useState } from 'react';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, del, get } from '../../lib/api';
import type { PromotionNeed } from './promotions';
import type { Item, Json } from '../../api/types';

/** The channel keys a profile's `channels` and events use (the server's channel types). */
export const PROFILE_CHANNELS = ['web', 'app', 'pos', 'marketplace', 'social', 'zalo', 'messenger', 'email', 'sms', 'chat', 'chatbot', 'phone', 'salesperson', 'server', 'other'] as const;

/** A profile (GET /api/v1/profiles/{id}): identifiers, traits, channels, merged profiles. */
export type Profile = Json<'/api/v1/profiles/{id}'>;
export type ChannelUse = Profile['channels'][string];

/** A row of the customer list (GET /api/v1/profiles): the profile and its commerce summary. */
export type CustomerRow = Item<Json<'/api/v1/profiles'>['data']>;
export type CommerceSummary = CustomerRow['commerce'];

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface CustomerFilters {
  q?: string;
  channel?: string;
  hasOrders?: boolean;
}

export type CommerceFacts = Json<'/api/v1/profiles/{id}/commerce'>;
export type TimelineEvent = Item<Json<'/api/v1/profiles/{id}/events'>['data']>;

/** An order as the profile's order list gives it (GET /api/v1/profiles/{id}/orders). */
export type Order = Item<Json<'/api/v1/profiles/{id}/orders'>['data']>;
export type OrderLine = Item<Order['lines']>;
export type OrderStatus = Order['status'];

type GeneratedCart = Json<'/api/v1/profiles/{id}/cart'>;
/** The live cart (GET /api/v1/profiles/{id}/cart); code `needs` refined to the recursive PromotionNeed. */
export type Cart = Omit<GeneratedCart, 'codes'> & { codes: (Omit<Item<GeneratedCart['codes']>, 'needs'> & { needs?: PromotionNeed[] })[] };
export type CheckoutStep = Cart['checkout']['step'];

type GeneratedOffers = Json<'/api/v1/profiles/{id}/offers'>;
/** What one promotion offers the customer now; `met` / `needs` refined to the recursive PromotionNeed. */
export type Offer = Omit<Item<GeneratedOffers['data']>, 'met' | 'needs'> & { met: PromotionNeed[]; needs: PromotionNeed[] };
export type Offers = Omit<GeneratedOffers, 'data'> & { data: Offer[] };

export type Merge = Item<Json<'/api/v1/profiles/{id}/merges'>['data']>;
export type SalesChannel = Item<Json<'/api/v1/channels'>['data']>;

const key = {
  list: (f: CustomerFilters) => ['customers', 'list', f] as const,
  profile: (id: string) => ['customers', id] as const,
  sub: (id: string, what: string, ...rest: unknown[]) => ['customers', id, what, ...rest] as const,
};

/** The customer list, a page at a time ("load more"). */
export function useCustomers(filters: CustomerFilters) {
  return useInfiniteQuery({
    queryKey: key.list(filters),
    queryFn: ({ pageParam }) => get<Page<CustomerRow>>('/api/v1/profiles', { ...filters, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/**
 * Display names of many customers (e.g. a page of orders) in one request per 100 ids: a map from
 * each asked id — merged-away ones included — to the customer's name.
 */
export function useCustomerNames(ids: (string | null)[]) {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))].sort();
  return useQuery({
    queryKey: ['customers', 'names', wanted],
    enabled: wanted.length > 0,
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const names = new Map<string, string>();
      for (let i = 0; i < wanted.length; i += 100) {
        const chunk = wanted.slice(i, i + 100);
        const page = await get<Page<CustomerRow>>('/api/v1/profiles', { ids: chunk.join(','), limit: 200 });
        for (const p of page.data) for (const id of [p.id, ...p.mergedProfileIds]) names.set(id, displayName(p));
      }
      return names;
    },
  });
}

export function useProfile(id: string) {
  return useQuery({
    queryKey: key.profile(id),
    queryFn: () => get<Profile>(`/api/v1/profiles/${encodeURIComponent(id)}`),
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
  });
}

export function useProfileCommerce(id: string) {
  return useQuery({ queryKey: key.sub(id, 'commerce'), queryFn: () => get<CommerceFacts>(`/api/v1/profiles/${encodeURIComponent(id)}/commerce`) });
}

export function useTimeline(id: string, channel: string | undefined) {
  return useInfiniteQuery({
    queryKey: key.sub(id, 'events', channel ?? ''),
    queryFn: ({ pageParam }) => get<Page<TimelineEvent>>(`/api/v1/profiles/${encodeURIComponent(id)}/events`, { limit: 30, channel, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useProfileOrders(id: string) {
  return useInfiniteQuery({
    queryKey: key.sub(id, 'orders'),
    queryFn: ({ pageParam }) => get<Page<Order>>(`/api/v1/profiles/${encodeURIComponent(id)}/orders`, { limit: 20, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useMerges(id: string) {
  return useQuery({ queryKey: key.sub(id, 'merges'), queryFn: () => get<Json<'/api/v1/profiles/{id}/merges'>>(`/api/v1/profiles/${encodeURIComponent(id)}/merges`) });
}

/** Offers speak of the current cart, so a new cart version asks again. */
export function useOffers(id: string, channelId: string | null, cartVersion: number | undefined) {
  return useQuery({
    queryKey: key.sub(id, 'offers', channelId, cartVersion ?? 0),
    placeholderData: keepPreviousData,
    queryFn: () => get<Offers>(`/api/v1/profiles/${encodeURIComponent(id)}/offers`, { channel: channelId }),
    enabled: !!channelId,
  });
}

export function useSalesChannels() {
  return useQuery({ queryKey: ['channels'], queryFn: () => get<Json<'/api/v1/channels'>>('/api/v1/channels'), staleTime: 60_000 });
}

/** The cart as last read or streamed (shares the live cart's cache entry; opens no stream). */
export function useCart(id: string) {
  return useQuery({ queryKey: key.sub(id, 'cart'), queryFn: () => get<Cart>(`/api/v1/profiles/${encodeURIComponent(id)}/cart`) });
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * The customer's cart, kept live: read once, then every `event: cart` of the SSE stream
 * (GET /api/v1/profiles/:id/cart/stream, session cookie, same origin) replaces it.
 */
export function useLiveCart(id: string) {
  const qc = useQueryClient();
  const query = useCart(id);
  const [live, setLive] = useState<LiveState>('connecting');
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/v1/profiles/${encodeURIComponent(id)}/cart/stream`, { withCredentials: true });
    const onCart = (e: MessageEvent<string>) => {
      try {
        const cart = JSON.parse(e.data) as Cart;
        const prev = qc.getQueryData<Cart>(['customers', id, 'cart']);
        qc.setQueryData(['customers', id, 'cart'], cart);
        // The first frame repeats what was read; later ones are changes (any device, any channel).
        if (prev && (prev.id !== cart.id || prev.version !== cart.version)) setUpdatedAt(Date.now());
      } catch {
        /* a malformed frame: keep the last cart */
      }
    };
    source.addEventListener('cart', onCart as EventListener);
    source.onopen = () => setLive('live');
    source.onerror = () => setLive('reconnecting'); // EventSource retries by itself (retry: 2000)
    return () => {
      source.removeEventListener('cart', onCart as EventListener);
      source.close();
    };
  }, [id, qc]);
  return { ...query, live, updatedAt };
}

/** Everything held about the person, saved as a JSON file. */
export function useExportProfile() {
  return useMutation({
    mutationFn: async ({ id, filename }: { id: string; filename: string }) => {
      const data = await get<unknown>(`/api/v1/profiles/${encodeURIComponent(id)}/export`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  });
}

/** Erase a person (admin): profile, identifiers, events; later events with their identifiers are dropped. */
export function useDeleteProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<Json<'/api/v1/profiles/{id}', 'delete'>>(`/api/v1/profiles/${encodeURIComponent(id)}`),
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: key.profile(id) });
      void qc.invalidateQueries({ queryKey: ['customers', 'list'] });
    },
  });
}

/** The name to show for a profile: traits name, first + last, email, phone or the id. */
export function displayName(p: Pick<Profile, 'traits' | 'identifiers' | 'id'>): string {
  const s = (k: string) => (typeof p.traits[k] === 'string' ? (p.traits[k] as string).trim() : '');
  const name = s('name') || s('full_name') || s('fullName') || [s('first_name') || s('firstName'), s('last_name') || s('lastName')].filter(Boolean).join(' ');
  if (name) return name;
  const id = (type: string) => p.identifiers.find((i) => i.type === type)?.value;
  return s('email') || id('email') || s('phone') || id('phone') || id('user_id') || p.id;
}
