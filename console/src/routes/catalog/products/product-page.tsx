/**
 * One product: its name, description, status and categories, and its variants with their
 * channel prices. /catalog/products/new creates one with its first variants. Roles without
 * catalog rights see it read-only.
 */
import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Anchor, Badge, Button, Card, Group, MultiSelect, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArchive, IconArrowLeft, IconLock, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ChannelBadge } from '../../../components/channels';
import { ConfirmModal } from '../../../components/confirm-button';
import { ErrorBlock, Loading, errorMessage } from '../../../components/page';
import { useArchiveProduct, useCategories, useChannels, useCreateProduct, useProduct, useUpdateProduct, type Product, type ProductStatus, type Variant } from '../../../hooks/api/catalog';
import { useCan } from '../../../hooks/api/session';
import { catalogMessages } from '../../../i18n/catalog';
import { toMinor, useFormat } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { channelKey } from '../stock/stock-page';
import { STATUS_COLORS } from './products-page';
import { useMoneyInput, VariantModal } from './variant-modal';

interface Fields {
  title: string;
  description: string;
  status: ProductStatus;
  categoryIds: string[];
}

function ProductFields({ value, onChange, readOnly, titleError }: { value: Fields; onChange: (v: Fields) => void; readOnly: boolean; titleError?: string }) {
  const t = useT(catalogMessages);
  const categories = useCategories();
  return (
    <Stack gap="sm">
      <TextInput label={t('productTitle')} value={value.title} onChange={(e) => onChange({ ...value, title: e.currentTarget.value })} required disabled={readOnly} error={titleError} />
      <Textarea label={t('productDescription')} value={value.description} onChange={(e) => onChange({ ...value, description: e.currentTarget.value })} autosize minRows={3} maxRows={10} disabled={readOnly} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <Select
          label={t('status')}
          data={(['active', 'draft', 'archived'] as const).map((s) => ({ value: s, label: t(`status_${s}`) }))}
          value={value.status}
          onChange={(v) => onChange({ ...value, status: (v as ProductStatus | null) ?? 'active' })}
          allowDeselect={false}
          disabled={readOnly}
        />
        <MultiSelect
          label={t('categories')}
          placeholder={value.categoryIds.length ? undefined : t('pickCategories')}
          data={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={value.categoryIds}
          onChange={(v) => onChange({ ...value, categoryIds: v })}
          searchable
          disabled={readOnly}
        />
      </SimpleGrid>
    </Stack>
  );
}

interface DraftVariant {
  key: number;
  sku: string;
  title: string;
  price: number | string;
}

function NewProduct() {
  const t = useT(catalogMessages);
  const f = useFormat();
  const navigate = useNavigate();
  const create = useCreateProduct();
  const money = useMoneyInput(f.currency);
  const [fields, setFields] = useState<Fields>({ title: '', description: '', status: 'active', categoryIds: [] });
  const [variants, setVariants] = useState<DraftVariant[]>([{ key: 1, sku: '', title: '', price: '' }]);
  const [touched, setTouched] = useState(false);
  const setVariant = (key: number, patch: Partial<DraftVariant>) => setVariants((list) => list.map((v) => (v.key === key ? { ...v, ...patch } : v)));
  const valid = fields.title.trim() && variants.every((v) => v.sku.trim() && typeof v.price === 'number');

  const submit = () => {
    setTouched(true);
    if (!valid) return;
    create.mutate(
      {
        title: fields.title.trim(),
        description: fields.description,
        status: fields.status,
        categoryIds: fields.categoryIds,
        variants: variants.map((v) => ({ sku: v.sku.trim(), title: v.title.trim() || undefined, price: toMinor(Number(v.price), f.currency) })),
      },
      {
        onSuccess: (p) => {
          notifications.show({ color: 'teal', message: t('productCreated', { title: p.title }) });
          navigate(`/catalog/products/${p.id}`, { replace: true });
        },
      },
    );
  };

  return (
    <Stack gap="md" maw={960}>
      <BackToProducts />
      <Title order={3}>{t('newProduct')}</Title>
      <Card withBorder radius="md">
        <ProductFields value={fields} onChange={setFields} readOnly={false} titleError={touched && !fields.title.trim() ? t('titleRequired') : undefined} />
      </Card>
      <Card withBorder radius="md">
        <Text fw={600} mb="sm">
          {t('variants')}
        </Text>
        <Stack gap="xs">
          {variants.map((v) => (
            <Group key={v.key} align="flex-start" gap="sm" wrap="nowrap">
              <TextInput label={t('sku')} value={v.sku} onChange={(e) => setVariant(v.key, { sku: e.currentTarget.value })} required w={180} ff="monospace" error={touched && !v.sku.trim() ? t('skuRequired') : undefined} />
              <TextInput label={t('variantTitle')} placeholder={t('variantTitlePlaceholder')} value={v.title} onChange={(e) => setVariant(v.key, { title: e.currentTarget.value })} style={{ flex: 1 }} />
              <NumberInput label={t('price')} value={v.price} onChange={(p) => setVariant(v.key, { price: p })} required w={180} error={touched && typeof v.price !== 'number' ? t('priceRequired') : undefined} {...money} />
              <Tooltip label={t('removeVariant')} withArrow>
                <ActionIcon variant="subtle" color="red" mt={28} disabled={variants.length === 1} onClick={() => setVariants((list) => list.filter((x) => x.key !== v.key))} aria-label={t('removeVariant')}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
          ))}
          <Button variant="subtle" leftSection={<IconPlus size={16} />} w="fit-content" onClick={() => setVariants((list) => [...list, { key: Math.max(...list.map((x) => x.key)) + 1, sku: '', title: '', price: '' }])}>
            {t('addVariant')}
          </Button>
        </Stack>
      </Card>
      {create.isError && (
        <Alert color="red" title={t('saveFailed')}>
          {errorMessage(create.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" component={Link} to="/catalog/products">
          {t('cancel')}
        </Button>
        <Button onClick={submit} loading={create.isPending}>
          {t('createProduct')}
        </Button>
      </Group>
    </Stack>
  );
}

function EditProduct({ product }: { product: Product }) {
  const t = useT(catalogMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const channels = useChannels().data ?? [];
  const categories = useCategories().data ?? [];
  const update = useUpdateProduct(product.id);
  const archive = useArchiveProduct(product.id);
  const readOnly = !can.catalog;
  const initial: Fields = { title: product.title, description: product.description, status: product.status, categoryIds: product.categoryIds };
  const [fields, setFields] = useState<Fields>(initial);
  useEffect(() => setFields(initial), [product.updatedAt]); // the saved product wins after a save
  const dirty = JSON.stringify(fields) !== JSON.stringify(initial);
  const [editing, setEditing] = useState<Variant | null>(null);
  const [adding, setAdding] = useState(false);
  const [confirmArchive, setConfirmArchive] = useState(false);
  const channelOf = (id: string) => channels.find((c) => c.id === id);

  const save = () =>
    update.mutate(
      { title: fields.title.trim(), description: fields.description, status: fields.status, categoryIds: fields.categoryIds },
      {
        onSuccess: () => notifications.show({ color: 'teal', message: t('productSaved') }),
        onError: (e) => notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) }),
      },
    );

  return (
    <Stack gap="md">
      <BackToProducts />
      <Group justify="space-between" align="flex-end">
        <div>
          <Group gap="sm">
            <Title order={3}>{product.title}</Title>
            <Badge variant="light" color={STATUS_COLORS[product.status]} radius="sm" tt="none">
              {t(`status_${product.status}`)}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed">
            {t('created', { at: f.dateTime(product.createdAt) })} · {t('updated', { at: f.relative(product.updatedAt) })}
            {product.categoryIds.length > 0 && ` · ${product.categoryIds.map((id) => categories.find((c) => c.id === id)?.name ?? id).join(', ')}`}
          </Text>
        </div>
        {can.catalog && product.status !== 'archived' && (
          <Button variant="subtle" color="red" leftSection={<IconArchive size={16} />} onClick={() => setConfirmArchive(true)}>
            {t('archive')}
          </Button>
        )}
      </Group>
      {readOnly && (
        <Alert color="gray" icon={<IconLock size={16} />}>
          {t('readOnly')}
        </Alert>
      )}
      <Card withBorder radius="md">
        <ProductFields value={fields} onChange={setFields} readOnly={readOnly} titleError={!fields.title.trim() ? t('titleRequired') : undefined} />
        {can.catalog && (
          <Group justify="flex-end" mt="md">
            <Button onClick={save} disabled={!dirty || !fields.title.trim()} loading={update.isPending}>
              {t('saveProduct')}
            </Button>
          </Group>
        )}
      </Card>
      <Card withBorder radius="md" padding={0}>
        <Group justify="space-between" p="md" pb="xs">
          <Text fw={600}>{t('variants')}</Text>
          {can.catalog && (
            <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
              {t('addVariant')}
            </Button>
          )}
        </Group>
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sku')}</Table.Th>
                <Table.Th>{t('variantTitle')}</Table.Th>
                <Table.Th>{t('barcode')}</Table.Th>
                <Table.Th ta="right">{t('price')}</Table.Th>
                <Table.Th>{t('channelPrices')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {product.variants.map((v) => (
                <Table.Tr key={v.id}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {v.sku}
                    </Text>
                  </Table.Td>
                  <Table.Td>{v.title || <Text c="dimmed" span>—</Text>}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={v.barcode ? undefined : 'dimmed'} ff="monospace">
                      {v.barcode ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" fw={500}>
                      {f.money(v.price, v.currency)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6}>
                      {Object.entries(v.channelPrices).length === 0 ? (
                        <Text size="sm" c="dimmed">—</Text>
                      ) : (
                        Object.entries(v.channelPrices).map(([channelId, price]) => {
                          const c = channelOf(channelId);
                          return (
                            <Group key={channelId} gap={4} wrap="nowrap">
                              <ChannelBadge type={c ? channelKey(c) : undefined} name={c?.name ?? channelId} lang={lang} />
                              <Text size="sm">{f.money(price, v.currency)}</Text>
                            </Group>
                          );
                        })
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="compact-xs" variant="subtle" component={Link} to={`/catalog?q=${encodeURIComponent(v.sku)}`}>
                        {t('stockOfVariant')}
                      </Button>
                      {can.catalog && (
                        <Tooltip label={t('editVariant')} withArrow>
                          <ActionIcon variant="subtle" onClick={() => setEditing(v)} aria-label={t('editVariant')}>
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>

      <VariantModal productId={product.id} variant={editing} opened={!!editing || adding} onClose={() => (setEditing(null), setAdding(false))} />
      <ConfirmModal
        opened={confirmArchive}
        onClose={() => setConfirmArchive(false)}
        title={t('archiveTitle')}
        message={t('archiveText')}
        confirmLabel={t('archive')}
        loading={archive.isPending}
        error={archive.error}
        onConfirm={() =>
          archive.mutate(undefined, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: t('archived') });
              navigate('/catalog/products');
            },
          })
        }
      />
    </Stack>
  );
}

function BackToProducts() {
  const t = useT(catalogMessages);
  return (
    <Anchor component={Link} to="/catalog/products" size="sm">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('backToProducts')}
      </Group>
    </Anchor>
  );
}

export function ProductPage() {
  const t = useT(catalogMessages);
  const { id } = useParams();
  const isNew = !id;
  const product = useProduct(id);
  if (isNew) return <NewProduct />;
  if (product.isPending) return <Loading />;
  if (product.isError) return <ErrorBlock error={product.error.message ? product.error : new Error(t('productNotFound'))} />;
  return <EditProduct product={product.data} />;
}
