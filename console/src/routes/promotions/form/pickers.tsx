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

type Option = { value: string; label: string };

/** The options plus each selected id they lack (deleted since, or not on the first page), shown by its id so it can still be removed. */
function withSelected(options: Option[], selected: string[]): Option[] {
  const data = [...options];
  for (const id of selected) if (!data.some((d) => d.value === id)) data.push({ value: id, label: id });
  return data;
}

/** What the catalog pickers share: type to search, clear all, "loading…" until the list is in, "nothing found", error and test id. */
function searchable(t: (key: 'loading' | 'nothingFound') => string, { placeholder, loading, error, testId }: { placeholder: string; loading: boolean; error?: string; testId?: string }) {
  return {
    placeholder: loading ? t('loading') : placeholder,
    searchable: true,
    clearable: true,
    nothingFoundMessage: t('nothingFound'),
    error,
    'data-testid': testId,
  };
}

/** A channel option: the channel type's icon, then the label. */
function channelOption(type: string | undefined, label: string) {
  return (
    <Group gap="xs" wrap="nowrap">
      <ChannelIcon type={type} size={20} />
      <Text size="sm">{label}</Text>
    </Group>
  );
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
  const data = withSelected(products.map((p) => ({ value: p.id, label: p.title })), value);
  return (
    <MultiSelect
      {...searchable(t, { placeholder: t('searchProducts'), loading, error, testId })}
      label={label ?? t('pickProducts')}
      data={data}
      value={value}
      onChange={onChange}
      maxDropdownHeight={260}
    />
  );
}

export function CategoryMultiSelect({ value, onChange, label, error, testId }: MultiProps) {
  const t = useT(promotionsMessages);
  const cats = usePickerCategories();
  const byId = new Map((cats.data ?? []).map((c) => [c.id, c]));
  const data = withSelected(
    (cats.data ?? []).map((c) => ({ value: c.id, label: c.parentId && byId.get(c.parentId) ? `${byId.get(c.parentId)!.name} › ${c.name}` : c.name })),
    value,
  );
  return (
    <MultiSelect
      {...searchable(t, { placeholder: t('searchCategories'), loading: cats.isPending, error, testId })}
      label={label ?? t('pickCategories')}
      data={data}
      value={value}
      onChange={onChange}
    />
  );
}

function useVariantOptions(selectedVariantIds: string[]) {
  const f = useFormat();
  const { products, loading } = useProductsWith([]);
  const data = withSelected(
    products.flatMap((p) => p.variants.map((v) => ({ value: v.id, label: `${p.title}${v.title ? ` — ${v.title}` : ''} · ${v.sku} · ${f.money(v.price)}` }))),
    selectedVariantIds,
  );
  return { data, loading };
}

export function VariantMultiSelect({ value, onChange, label, error, testId }: MultiProps) {
  const t = useT(promotionsMessages);
  const { data, loading } = useVariantOptions(value);
  return (
    <MultiSelect
      {...searchable(t, { placeholder: t('searchVariants'), loading, error, testId })}
      label={label ?? t('pickVariants')}
      data={data}
      value={value}
      onChange={onChange}
      maxDropdownHeight={260}
    />
  );
}

export function VariantSelect({ value, onChange, label, error, testId }: { value: string | null; onChange: (id: string | null) => void; label?: string; error?: string; testId?: string }) {
  const t = useT(promotionsMessages);
  const { data, loading } = useVariantOptions(value ? [value] : []);
  return (
    <Select
      {...searchable(t, { placeholder: t('searchVariants'), loading, error, testId })}
      label={label ?? t('pickVariant')}
      data={data}
      value={value}
      onChange={onChange}
      maxDropdownHeight={260}
    />
  );
}

export function ChannelMultiSelect({ value, onChange, label, error }: MultiProps) {
  const t = useT(promotionsMessages);
  const channels = usePickerChannels();
  const types = new Map((channels.data ?? []).map((c) => [c.id, c.type]));
  const data = withSelected((channels.data ?? []).map((c) => ({ value: c.id, label: c.name })), value);
  return (
    <MultiSelect
      label={label}
      placeholder={t('pickChannels')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      error={error}
      renderOption={({ option }) => channelOption(types.get(option.value), option.label)}
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
      renderOption={({ option }) => channelOption(option.value, option.label)}
    />
  );
}

export function StoreMultiSelect({ value, onChange, label, error }: MultiProps) {
  const t = useT(promotionsMessages);
  const locations = usePickerLocations();
  const data = withSelected(
    (locations.data ?? []).filter((l) => l.kind === 'store' || value.includes(l.id)).map((l) => ({ value: l.id, label: l.city ? `${l.name} (${l.city})` : l.name })),
    value,
  );
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
