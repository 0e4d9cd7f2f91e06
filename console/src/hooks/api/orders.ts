/** Orders from every channel: the list, one order, and status changes. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../lib/api';
import type { Body, Item, Json } from '../../api/types';

/** One order with its lines and status history (GET /api/v1/orders/{id}). */
export type Order = Json<'/api/v1/orders/{id}'>;
export type OrderLine = Item<Order['lines']>;
export type OrderTransition = Item<NonNullable<Order['transitions']>>;
export type OrderStatus = Order['status'];
export const ORDER_STATUSES: OrderStatus[] = ['placed', 'paid', 'fulfilled', 'cancelled', 'returned'];

/** Mirrors the server's lifecycle (orders.service NEXT_STATUS). */
export const NEXT_STATUS: Record<OrderStatus, OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: ['returned'],
  cancelled: [],
  returned: [],
};

export interface OrderFilter {
  channelId?: string | null;
  status?: OrderStatus | null;
  /** Days placed, YYYY-MM-DD in the workspace time zone, inclusive. */
  from?: string | null;
  to?: string | null;
}

export const orderKeys = {
  all: ['orders'] as const,
  list: (f: OrderFilter) => ['orders', 'list', f] as const,
  one: (id: string) => ['orders', 'one', id] as const,
};

export function useOrders(filter: OrderFilter) {
  return useInfiniteQuery({
    queryKey: orderKeys.list(filter),
    queryFn: ({ pageParam }) =>
      get<Json<'/api/v1/orders'>>('/api/v1/orders', { channelId: filter.channelId, status: filter.status, from: filter.from, to: filter.to, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

export function useOrder(id: string | undefined) {
  return useQuery({ queryKey: orderKeys.one(id ?? ''), queryFn: () => get<Order>(`/api/v1/orders/${encodeURIComponent(id!)}`), enabled: !!id });
}

export function useTransitionOrder(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Body<'/api/v1/orders/{id}/transitions', 'post'>) => post<Json<'/api/v1/orders/{id}/transitions', 'post'>>(`/api/v1/orders/${encodeURIComponent(id)}/transitions`, body),
    onSuccess: (o) => {
      qc.setQueryData(orderKeys.one(id), o);
      void qc.invalidateQueries({ queryKey: orderKeys.all });
      void qc.invalidateQueries({ queryKey: ['inventory'] });
    },
  });
}
