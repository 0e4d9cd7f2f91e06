/** Products, variants, categories, sales channels and stock locations. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post, put } from '../../lib/api';
import type { Body, Item, Json } from '../../api/types';

/** A product with its variants and their channel prices (GET /api/v1/products/{id}). */
export type Product = Json<'/api/v1/products/{id}'>;
export type ProductStatus = Product['status'];
export type Variant = Item<Product['variants']>;
export type Category = Item<Json<'/api/v1/categories'>['data']>;
export type SalesChannel = Item<Json<'/api/v1/channels'>['data']>;
export type AllocationMode = SalesChannel['allocation']['mode'];
export type StockLocation = Item<Json<'/api/v1/locations'>['data']>;

export type VariantInput = Body<'/api/v1/products/{id}/variants', 'post'>;
export type ProductInput = Omit<Body<'/api/v1/products', 'post'>, 'variants'>;

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
      get<Json<'/api/v1/products'>>('/api/v1/products', { q: filter.q, categoryId: filter.categoryId, status: filter.status, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: string | undefined) {
  return useQuery({ queryKey: catalogKeys.product(id ?? ''), queryFn: () => get<Product>(`/api/v1/products/${encodeURIComponent(id!)}`), enabled: !!id });
}

export function useCategories() {
  return useQuery({ queryKey: catalogKeys.categories, queryFn: async () => (await get<Json<'/api/v1/categories'>>('/api/v1/categories')).data, staleTime: 60_000 });
}

/** Every channel, archived ones too (old orders name them). */
export function useChannels() {
  return useQuery({ queryKey: catalogKeys.channels, queryFn: async () => (await get<Json<'/api/v1/channels'>>('/api/v1/channels', { archived: true })).data, staleTime: 60_000 });
}

export function useLocations() {
  return useQuery({ queryKey: catalogKeys.locations, queryFn: async () => (await get<Json<'/api/v1/locations'>>('/api/v1/locations')).data, staleTime: 60_000 });
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
