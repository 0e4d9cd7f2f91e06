/** Stock: the list of every SKU per location and channel, one SKU's availability, adjustments, and live changes. */
import { useEffect, useState } from 'react';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../lib/api';
import type { Body, Item, Json } from '../../api/types';

/** One page of the stock list (GET /api/v1/inventory): every SKU per location and channel. */
export type StockList = Json<'/api/v1/inventory'>;
export type StockRow = Item<StockList['data']>;
export type StockLevel = Item<StockRow['levels']>;
/** One SKU's stock per location and channel (GET /api/v1/inventory/{sku}). */
export type Availability = Json<'/api/v1/inventory/{sku}'>;
export type Adjustment = Item<Json<'/api/v1/inventory/{sku}/adjustments'>['data']>;
export type AdjustInput = Body<'/api/v1/inventory/adjustments', 'post'>;

/** Reasons an operator may give; the server also records sale, reservation, release, expiry, cancellation. */
export const ADJUST_REASONS = ['received', 'stock_take', 'correction', 'damaged', 'lost', 'return', 'transfer'] as const;

export const inventoryKeys = {
  all: ['inventory'] as const,
  list: (filter: StockFilter) => ['inventory', 'list', filter] as const,
  sku: (sku: string) => ['inventory', 'sku', sku] as const,
  history: (sku: string) => ['inventory', 'history', sku] as const,
};

export interface StockFilter {
  q?: string;
  locationId?: string | null;
  lowStock?: boolean;
  threshold?: number;
}

export type LiveState = 'connecting' | 'live' | 'offline';

/** Stock of every SKU; polls every 3 s while the live stream is down. */
export function useStockList(filter: StockFilter, live: LiveState) {
  return useInfiniteQuery({
    queryKey: inventoryKeys.list(filter),
    queryFn: ({ pageParam }) =>
      get<StockList>('/api/v1/inventory', {
        q: filter.q,
        locationId: filter.locationId,
        lowStock: filter.lowStock || undefined,
        threshold: filter.threshold,
        limit: 30,
        cursor: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: live === 'live' ? false : 3000,
  });
}

export function useAvailability(sku: string | undefined) {
  return useQuery({ queryKey: inventoryKeys.sku(sku ?? ''), queryFn: () => get<Availability>(`/api/v1/inventory/${encodeURIComponent(sku!)}`), enabled: !!sku });
}

export function useAdjustments(sku: string | undefined) {
  return useInfiniteQuery({
    queryKey: inventoryKeys.history(sku ?? ''),
    queryFn: ({ pageParam }) =>
      get<Json<'/api/v1/inventory/{sku}/adjustments'>>(`/api/v1/inventory/${encodeURIComponent(sku!)}/adjustments`, { limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: !!sku,
  });
}

export function useAdjustStock() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AdjustInput) => post<Availability>('/api/v1/inventory/adjustments', body),
    onSuccess: (a) => {
      qc.setQueryData(inventoryKeys.sku(a.sku), a);
      void qc.invalidateQueries({ queryKey: inventoryKeys.all });
    },
  });
}

/**
 * Live stock: listens to the server's stream (`event: stock` names the SKUs that changed, from
 * an order on any channel, a POS sale, a reservation or an adjustment) and refreshes the stock
 * queries. Returns the connection state; lists poll while it is not live.
 */
export function useLiveStock(): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setState('offline');
      return;
    }
    const es = new EventSource('/api/v1/inventory/stream');
    es.addEventListener('ready', () => setState('live'));
    es.addEventListener('stock', () => {
      setState('live');
      void qc.invalidateQueries({ queryKey: inventoryKeys.all });
    });
    es.onerror = () => setState(es.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => es.close();
  }, [qc]);
  return state;
}
