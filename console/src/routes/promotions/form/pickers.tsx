/** Inputs the promotion form picks catalog things with, and money in major units. */
import { useMemo } from 'react';
import { Group, MultiSelect, NumberInput, Select, Text, type NumberInputProps } from '@mantine/core';
import {
  usePickerCategories,
  usePickerChannels,
  usePickerLocations,
  usePickerProducts,
  useProductsById,
  type PickerProduct,
} from '../../../hooks/api/promotions';
import { channelLook, ChannelIcon } from '../../../components/channels';
import { currencyDigits, useFormat } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';

interface MultiProps {
  value: string[];
  onChange: (ids: string[]) => void;
  label?: string;
  error?: string;
  testId?: string;
}

/** Products of the list plus any selected one not on its first page. */
function useProductsWith(selectedProductIds: string[]): { products: PickerProduct[]; loading: boolean } {
  const list = usePickerProducts();
  const known = new Set((list.data ?? []).map((p) => p.id));
  const missing = list.data ? selectedProductIds.filter((id) => !known.has(id)) : [];
  const extra = useProductsById(missing);
  const products = useMemo(() => [...(list.data ?? []), ...extra.flatMap((q) => (q.data ? [q.data] : []))], [list.data, extra]);
  return { products, loading: list.isPending };
}

export function ProductMultiSelect({ value, onChange, label, error, testId }: MultiProps) {
  const t = useT(promotionsMessages);
  const { products, loading } = useProductsWith(value);
  const data = products.map((p) => ({ value: p.id, label: p.title }));
  for (const id of value) if (!data.some((d) => d.value === id)) data.push({ value: id, label: id });
  return (
    <MultiSelect
      label={label ?? t('pickProducts')}
      placeholder={loading ? t('loading') : t('searchProducts')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      nothingFoundMessage={t('nothingFound')}
      error={error}
      data-testid={testId}
      maxDropdownHeight={260}
    />
  );
}

export function CategoryMultiSelect({ value, onChange, label, error, testId }: MultiProps) {
  const t = useT(promotionsMessages);
  const cats = usePickerCategories();
  const byId = new Map((cats.data ?? []).map((c) => [c.id, c]));
  const data = (cats.data ?? []).map((c) => ({ value: c.id, label: c.parentId && byId.get(c.parentId) ? `${byId.get(c.parentId)!.name} › ${c.name}` : c.name }));
  for (const id of value) if (!byId.has(id)) data.push({ value: id, label: id });
  return (
    <MultiSelect
      label={label ?? t('pickCategories')}
      placeholder={cats.isPending ? t('loading') : t('searchCategories')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      nothingFoundMessage={t('nothingFound')}
      error={error}
      data-testid={testId}
    />
  );
}

function useVariantOptions(selectedVariantIds: string[]) {
  const f = useFormat();
  const { products, loading } = useProductsWith([]);
  const data = products.flatMap((p) =>
    p.variants.map((v) => ({ value: v.id, label: `${p.title}${v.title ? ` — ${v.title}` : ''} · ${v.sku} · ${f.money(v.price)}` })),
  );
  for (const id of selectedVariantIds) if (!data.some((d) => d.value === id)) data.push({ value: id, label: id });
  return { data, loading };
}

export function VariantMultiSelect({ value, onChange, label, error, testId }: MultiProps) {
  const t = useT(promotionsMessages);
  const { data, loading } = useVariantOptions(value);
  return (
    <MultiSelect
      label={label ?? t('pickVariants')}
      placeholder={loading ? t('loading') : t('searchVariants')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      nothingFoundMessage={t('nothingFound')}
      error={error}
      data-testid={testId}
      maxDropdownHeight={260}
    />
  );
}

export function VariantSelect({ value, onChange, label, error, testId }: { value: string | null; onChange: (id: string | null) => void; label?: string; error?: string; testId?: string }) {
  const t = useT(promotionsMessages);
  const { data, loading } = useVariantOptions(value ? [value] : []);
  return (
    <Select
      label={label ?? t('pickVariant')}
      placeholder={loading ? t('loading') : t('searchVariants')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      nothingFoundMessage={t('nothingFound')}
      error={error}
      data-testid={testId}
      maxDropdownHeight={260}
    />
  );
}

export function ChannelMultiSelect({ value, onChange, label, error }: MultiProps) {
  const t = useT(promotionsMessages);
  const channels = usePickerChannels();
  const data = (channels.data ?? []).map((c) => ({ value: c.id, label: c.name }));
  const types = new Map((channels.data ?? []).map((c) => [c.id, c.type]));
  for (const id of value) if (!types.has(id)) data.push({ value: id, label: id });
  return (
    <MultiSelect
      label={label}
      placeholder={t('pickChannels')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      error={error}
      renderOption={({ option }) => (
        <Group gap="xs" wrap="nowrap">
          <ChannelIcon type={types.get(option.value)} size={20} />
          <Text size="sm">{option.label}</Text>
        </Group>
      )}
    />
  );
}

/** The sales channel types the catalog knows (server: SALES_CHANNEL_TYPES). */
export const SALES_CHANNEL_TYPES = ['web', 'app', 'pos', 'marketplace', 'social', 'phone', 'salesperson'];

export function ChannelTypeMultiSelect({ value, onChange, label, error }: MultiProps) {
  const t = useT(promotionsMessages);
  const { lang } = useI18n();
  const data = SALES_CHANNEL_TYPES.map((type) => ({ value: type, label: channelLook(type).label[lang] }));
  return (
    <MultiSelect
      label={label}
      placeholder={t('pickChannelTypes')}
      data={data}
      value={value}
      onChange={onChange}
      error={error}
      renderOption={({ option }) => (
        <Group gap="xs" wrap="nowrap">
          <ChannelIcon type={option.value} size={20} />
          <Text size="sm">{option.label}</Text>
        </Group>
      )}
    />
  );
}

export function StoreMultiSelect({ value, onChange, label, error }: MultiProps) {
  const t = useT(promotionsMessages);
  const locations = usePickerLocations();
  const data = (locations.data ?? []).filter((l) => l.kind === 'store' || value.includes(l.id)).map((l) => ({ value: l.id, label: l.city ? `${l.name} (${l.city})` : l.name }));
  for (const id of value) if (!data.some((d) => d.value === id)) data.push({ value: id, label: id });
  return <MultiSelect label={label} placeholder={t('pickStores')} data={data} value={value} onChange={onChange} searchable error={error} />;
}

/** Money typed in major units (đồng, dollars) in the workspace currency; the form converts with toMinor. */
export function MoneyInput(props: Omit<NumberInputProps, 'value' | 'onChange'> & { value: number | ''; onChange: (v: number | '') => void }) {
  const f = useFormat();
  const { value, onChange, ...rest } = props;
  const vi = f.locale.startsWith('vi');
  const digits = currencyDigits(f.currency);
  const symbol = f.currency === 'VND' ? '₫' : f.currency;
  return (
    <NumberInput
      {...rest}
      value={value}
      onChange={(v) => onChange(v === '' ? '' : typeof v === 'number' ? v : Number(v))}
      min={0}
      allowNegative={false}
      decimalScale={digits}
      allowDecimal={digits > 0}
      thousandSeparator={vi ? '.' : ','}
      decimalSeparator={vi ? ',' : '.'}
      rightSection={<Text size="xs" c="dimmed">{symbol}</Text>}
      rightSectionWidth={44}
      hideControls
    />
  );
}
