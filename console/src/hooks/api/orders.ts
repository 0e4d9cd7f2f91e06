/** Orders from every channel: the list, one order, and status changes. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../lib/api';

export type OrderStatus = 'placed' | 'paid' | 'fulfilled' | 'cancelled' | 'returned';
export const ORDER_STATUSES: OrderStatus[] = ['placed', 'paid', 'fulfilled', 'cancelled', 'returned'];

/** Mirrors the server's lifecycle (orders.service NEXT_STATUS). */
export const NEXT_STATUS: Record<OrderStatus, OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: ['returned'],
  cancelled: [],
  returned: [],
};

export interface OrderLine {
  lineNo: number;
  variantId: string;
  productId: string;
  sku: string;
  title: string;
  categoryIds: string[];
  quantity: number;
  unitPrice: number;
  discount: number;
  total: number;
  locationId: string;
}

export interface OrderTransition {
  from: string | null;
  to: string;
  actor: string;
  note: string | null;
  restocked: boolean | null;
  at: string;
}

export interface Order {
  id: string;
  channelId: string;
  channelType: string;
  storeLocationId: string | null;
  externalId: string | null;
  profileId: string | null;
  cartId: string | null;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  placedAt: string;
  createdAt: string;
  updatedAt: string;
  lines: OrderLine[];
  transitions?: OrderTransition[];
}

export interface OrderFilter {
  channelId?: string | null;
  status?: OrderStatus | null;
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
      get<{ data: Order[]; nextCursor: string | null }>('/api/v1/orders', { channelId: filter.channelId, status: filter.status, limit: 50, cursor: pageParam }),
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
    mutationFn: (body: { to: OrderStatus; note?: string; restock?: boolean }) => post<Order>(`/api/v1/orders/${encodeURIComponent(id)}/transitions`, body),
    onSuccess: (o) => {
      qc.setQueryData(orderKeys.one(id), o);
      void qc.invalidateQueries({ queryKey: orderKeys.all });
      void qc.invalidateQueries({ queryKey: ['inventory'] });
    },
  });
}
