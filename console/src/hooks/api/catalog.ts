/** Products, variants, categories, sales channels and stock locations. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post, put } from '../../lib/api';

export type ProductStatus = 'active' | 'draft' | 'archived';
export type AllocationMode = 'none' | 'safety_stock' | 'percentage';

export interface Variant {
  id: string;
  productId: string;
  sku: string;
  barcode: string | null;
  title: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  /** Channel id → that channel's own price. */
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

export interface Category {
  id: string;
  name: string;
  slug: string;
  parentId: string | null;
  createdAt: string;
}

export interface SalesChannel {
  id: string;
  name: string;
  type: string;
  platform: string | null;
  currency: string;
  sourceId: string | null;
  allocation: { mode: AllocationMode; value: number };
  locations: { id: string; name: string; kind: 'store' | 'warehouse'; priority: number }[];
  createdAt: string;
  archivedAt: string | null;
}

export interface StockLocation {
  id: string;
  name: string;
  kind: 'store' | 'warehouse';
  address: string | null;
  city: string | null;
  createdAt: string;
}

export interface VariantInput {
  sku: string;
  title?: string;
  barcode?: string;
  options?: Record<string, string>;
  price: number;
  channelPrices?: Record<string, number>;
}

export interface ProductInput {
  title: string;
  description?: string;
  status?: ProductStatus;
  categoryIds?: string[];
}

export const catalogKeys = {
  products: ['catalog', 'products'] as const,
  product: (id: string) => ['catalog', 'product', id] as const,
  categories: ['catalog', 'categories'] as const,
  channels: ['catalog', 'channels'] as const,
  locations: ['catalog', 'locations'] as const,
};

export function useProducts(filter: { q?: string; categoryId?: string | null; status?: ProductStatus | null }) {
  return useInfiniteQuery({
    queryKey: [...catalogKeys.products, filter],
    queryFn: ({ pageParam }) =>
      get<{ data: Product[]; nextCursor: string | null }>('/api/v1/products', { q: filter.q, categoryId: filter.categoryId, status: filter.status, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: string | undefined) {
  return useQuery({ queryKey: catalogKeys.product(id ?? ''), queryFn: () => get<Product>(`/api/v1/products/${encodeURIComponent(id!)}`), enabled: !!id });
}

export function useCategories() {
  return useQuery({ queryKey: catalogKeys.categories, queryFn: async () => (await get<{ data: Category[] }>('/api/v1/categories')).data, staleTime: 60_000 });
}

/** Every channel, archived ones too (old orders name them). */
export function useChannels() {
  return useQuery({ queryKey: catalogKeys.channels, queryFn: async () => (await get<{ data: SalesChannel[] }>('/api/v1/channels', { archived: true })).data, staleTime: 60_000 });
}

export function useLocations() {
  return useQuery({ queryKey: catalogKeys.locations, queryFn: async () => (await get<{ data: StockLocation[] }>('/api/v1/locations')).data, staleTime: 60_000 });
}

/** After any product change: lists, the product, and stock rows (titles, new SKUs). */
function useInvalidateCatalog() {
  const qc = useQueryClient();
  return (productId?: string) => {
    void qc.invalidateQueries({ queryKey: catalogKeys.products });
    void qc.invalidateQueries({ queryKey: ['inventory'] });
    if (productId) void qc.invalidateQueries({ queryKey: catalogKeys.product(productId) });
  };
}

export function useCreateProduct() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (body: ProductInput & { variants: VariantInput[] }) => post<Product>('/api/v1/products', body),
    onSuccess: (p) => invalidate(p.id),
  });
}

export function useUpdateProduct(id: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({ mutationFn: (body: Partial<ProductInput>) => patch<Product>(`/api/v1/products/${encodeURIComponent(id)}`, body), onSuccess: () => invalidate(id) });
}

export function useArchiveProduct(id: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({ mutationFn: () => del<Product>(`/api/v1/products/${encodeURIComponent(id)}`), onSuccess: () => invalidate(id) });
}

export function useAddVariant(productId: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({ mutationFn: (body: VariantInput) => post<Variant>(`/api/v1/products/${encodeURIComponent(productId)}/variants`, body), onSuccess: () => invalidate(productId) });
}

/** Change a variant, then set or remove its channel prices (null removes). */
export function useUpdateVariant(productId: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (input: { id: string; body: { title?: string; barcode?: string | null; price?: number; options?: Record<string, string> }; channelPrices?: Record<string, number | null> }) => {
      const path = `/api/v1/variants/${encodeURIComponent(input.id)}`;
      let v = await patch<Variant>(path, input.body);
      for (const [channelId, price] of Object.entries(input.channelPrices ?? {})) {
        v = price === null ? await del<Variant>(`${path}/prices/${encodeURIComponent(channelId)}`) : await put<Variant>(`${path}/prices/${encodeURIComponent(channelId)}`, { price });
      }
      return v;
    },
    onSettled: () => invalidate(productId),
  });
}

export function useCreateCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; parentId?: string }) => post<Category>('/api/v1/categories', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: catalogKeys.categories }),
  });
}

export function useUpdateCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; name?: string; parentId?: string | null }) =>
      patch<Category>(`/api/v1/categories/${encodeURIComponent(input.id)}`, { name: input.name, parentId: input.parentId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: catalogKeys.categories }),
  });
}

export function useDeleteCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<Category>(`/api/v1/categories/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: catalogKeys.categories }),
  });
}
