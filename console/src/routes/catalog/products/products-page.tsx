/** Products: search (accents optional), category and status filters, "load more" pages. */
import { Badge, Button, Card, Group, Select, Stack, Table, Text } from '@mantine/core';
import { IconBox, IconPlus, IconSearch } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router-dom';
import { LoadMore, SearchInput } from '../../../components/list-tools';
import { EmptyState, ErrorBlock, Loading } from '../../../components/page';
import { useCategories, useProducts, type Product, type ProductStatus } from '../../../hooks/api/catalog';
import { useCan } from '../../../hooks/api/session';
import { useSearchText, useUrlFilters } from '../../../hooks/url-filters';
import { catalogMessages } from '../../../i18n/catalog';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';

export const STATUS_COLORS: Record<ProductStatus, string> = { active: 'teal', draft: 'gray', archived: 'red' };

export function ProductsPage() {
  const t = useT(catalogMessages);
  const f = useFormat();
  const can = useCan();
  const navigate = useNavigate();
  const { params, setParam, clearParams } = useUrlFilters();
  const q = params.get('q') ?? '';
  const categoryId = params.get('category');
  const status = (params.get('status') as ProductStatus | null) ?? null;
  const [text, setText] = useSearchText(q, (v) => setParam('q', v));

  const products = useProducts({ q: q || undefined, categoryId, status });
  const categories = useCategories();
  const categoryName = (id: string) => categories.data?.find((c) => c.id === id)?.name ?? id;
  const rows = products.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = !!q || !!categoryId || !!status;

  const priceRange = (p: Product) => {
    const prices = p.variants.map((v) => v.price);
    if (prices.length === 0) return '—';
    const lo = Math.min(...prices);
    const hi = Math.max(...prices);
    const currency = p.variants[0]?.currency;
    return lo === hi ? f.money(lo, currency) : `${f.money(lo, currency)} – ${f.money(hi, currency)}`;
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="wrap">
          <SearchInput w={300} placeholder={t('searchProducts')} value={text} onChange={setText} clearLabel={t('clearFilters')} />
          <Select w={220} placeholder={t('allCategories')} clearable data={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={categoryId} onChange={(v) => setParam('category', v)} />
          <Select
            w={200}
            placeholder={t('allStatuses')}
            clearable
            data={(['active', 'draft', 'archived'] as const).map((s) => ({ value: s, label: t(`status_${s}`) }))}
            value={status}
            onChange={(v) => setParam('status', v)}
          />
        </Group>
        {can.catalog && (
          <Button component={Link} to="/catalog/products/new" leftSection={<IconPlus size={16} />}>
            {t('newProduct')}
          </Button>
        )}
      </Group>

      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <ErrorBlock error={products.error} />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState icon={<IconSearch size={26} />} title={t('noMatchTitle')} description={t('noMatchText')} action={<Button variant="light" onClick={clearParams}>{t('clearFilters')}</Button>} />
        ) : (
          <EmptyState
            icon={<IconBox size={26} />}
            title={t('noProductsTitle')}
            description={t('noProductsText')}
            action={can.catalog ? <Button component={Link} to="/catalog/products/new" leftSection={<IconPlus size={16} />}>{t('newProduct')}</Button> : undefined}
          />
        )
      ) : (
        <Card withBorder padding={0} radius="md">
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="products-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('colProduct')}</Table.Th>
                  <Table.Th>{t('colCategories')}</Table.Th>
                  <Table.Th>{t('colVariants')}</Table.Th>
                  <Table.Th ta="right">{t('colPrice')}</Table.Th>
                  <Table.Th>{t('colStatus')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((p) => (
                  <Table.Tr key={p.id} style={{ cursor: 'pointer' }} onClick={() => navigate(`/catalog/products/${p.id}`)} data-testid="product-row">
                    <Table.Td>
                      <Text size="sm" fw={500} component={Link} to={`/catalog/products/${p.id}`} onClick={(e) => e.stopPropagation()} c="inherit" style={{ textDecoration: 'none' }}>
                        {p.title}
                      </Text>
                      <Text size="xs" c="dimmed" ff="monospace" lineClamp={1}>
                        {p.variants.map((v) => v.sku).join(', ')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {p.categoryIds.length === 0 ? (
                          <Text size="sm" c="dimmed">—</Text>
                        ) : (
                          p.categoryIds.map((id) => (
                            <Badge key={id} variant="outline" color="gray" radius="sm" tt="none" fw={500}>
                              {categoryName(id)}
                            </Badge>
                          ))
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t('variantsN', { n: p.variants.length })}</Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">{priceRange(p)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={STATUS_COLORS[p.status]} radius="sm" tt="none">
                        {t(`status_${p.status}`)}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore query={products} label={t('loadMore')} />
        </Card>
      )}
    </Stack>
  );
}
