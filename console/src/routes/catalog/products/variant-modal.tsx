/** Add a variant to a product, or change one: name, SKU (new only), barcode, price and per-channel prices. */
import { useEffect, useState } from 'react';
import { Alert, Button, Divider, Group, Modal, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ChannelIcon } from '../../../components/channels';
import { errorMessage } from '../../../components/page';
import { useAddVariant, useChannels, useUpdateVariant, type Variant } from '../../../hooks/api/catalog';
import { catalogMessages } from '../../../i18n/catalog';
import { toMajor, toMinor, useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { channelKey } from '../stock/stock-page';

/** Money input props for the current locale (whole đồng for VND). */
export function useMoneyInput(currency: string) {
  const f = useFormat();
  const vi = f.locale.startsWith('vi');
  return { thousandSeparator: vi ? '.' : ',', decimalSeparator: vi ? ',' : '.', decimalScale: currency === 'VND' ? 0 : 2, min: 0, suffix: currency === 'VND' ? ' ₫' : undefined, prefix: currency === 'VND' ? undefined : `${currency} ` };
}

export function VariantModal({ productId, variant, opened, onClose }: { productId: string; variant: Variant | null; opened: boolean; onClose: () => void }) {
  const t = useT(catalogMessages);
  const f = useFormat();
  const channels = (useChannels().data ?? []).filter((c) => !c.archivedAt);
  const add = useAddVariant(productId);
  const update = useUpdateVariant(productId);
  const currency = variant?.currency ?? f.currency;
  const money = useMoneyInput(currency);
  const [sku, setSku] = useState('');
  const [title, setTitle] = useState('');
  const [barcode, setBarcode] = useState('');
  const [price, setPrice] = useState<number | string>('');
  const [prices, setPrices] = useState<Record<string, number | string>>({});
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setSku(variant?.sku ?? '');
    setTitle(variant?.title ?? '');
    setBarcode(variant?.barcode ?? '');
    setPrice(variant ? toMajor(variant.price, currency) : '');
    setPrices(Object.fromEntries(Object.entries(variant?.channelPrices ?? {}).map(([k, v]) => [k, toMajor(v, currency)])));
    setTouched(false);
    add.reset();
    update.reset();
  }, [opened, variant]); // a fresh form each time it opens

  const priceMinor = typeof price === 'number' ? toMinor(price, currency) : undefined;
  const channelPrices = Object.fromEntries(
    channels.flatMap((c) => {
      const v = prices[c.id];
      const before = variant?.channelPrices[c.id];
      const now = typeof v === 'number' ? toMinor(v, currency) : null;
      if (variant) return now === (before ?? null) ? [] : [[c.id, now] as const];
      return now === null ? [] : [[c.id, now] as const];
    }),
  );
  const error = add.error ?? update.error;
  const skuError = touched && !variant && !sku.trim() ? t('skuRequired') : undefined;
  const priceError = touched && priceMinor === undefined ? t('priceRequired') : undefined;

  const submit = () => {
    setTouched(true);
    if (priceMinor === undefined || (!variant && !sku.trim())) return;
    if (variant) {
      update.mutate(
        { id: variant.id, body: { title: title.trim(), barcode: barcode.trim() || null, price: priceMinor }, channelPrices },
        {
          onSuccess: () => {
            notifications.show({ color: 'teal', message: t('variantSaved', { sku: variant.sku }) });
            onClose();
          },
        },
      );
    } else {
      const own = Object.fromEntries(Object.entries(channelPrices).filter((e): e is [string, number] => e[1] !== null));
      add.mutate(
        { sku: sku.trim(), title: title.trim() || undefined, barcode: barcode.trim() || undefined, price: priceMinor, ...(Object.keys(own).length ? { channelPrices: own } : {}) },
        {
          onSuccess: (v) => {
            notifications.show({ color: 'teal', message: t('variantAdded', { sku: v.sku }) });
            onClose();
          },
        },
      );
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>{variant ? `${t('editVariant')} · ${variant.sku}` : t('addVariant')}</Text>} size="lg" centered>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label={t('sku')} value={sku} onChange={(e) => setSku(e.currentTarget.value)} disabled={!!variant} required={!variant} error={skuError} ff="monospace" />
          <TextInput label={t('barcode')} value={barcode} onChange={(e) => setBarcode(e.currentTarget.value)} />
          <TextInput label={t('variantTitle')} placeholder={t('variantTitlePlaceholder')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} />
          <NumberInput label={t('price')} value={price} onChange={setPrice} required error={priceError} {...money} />
        </SimpleGrid>
        {channels.length > 0 && (
          <>
            <Divider label={t('channelPrices')} labelPosition="left" mt="xs" />
            <Text size="xs" c="dimmed" mt={-6}>
              {t('channelPricesHint')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
              {channels.map((c) => (
                <NumberInput
                  key={c.id}
                  label={
                    <Group gap={6} wrap="nowrap">
                      <ChannelIcon type={channelKey(c)} size={18} label={c.name} />
                      <span>{c.name}</span>
                    </Group>
                  }
                  placeholder={priceMinor !== undefined ? f.money(priceMinor, currency) : undefined}
                  value={prices[c.id] ?? ''}
                  onChange={(v) => setPrices((p) => ({ ...p, [c.id]: v }))}
                  {...money}
                />
              ))}
            </SimpleGrid>
          </>
        )}
        {error && (
          <Alert color="red" title={t('saveFailed')}>
            {errorMessage(error)}
          </Alert>
        )}
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button onClick={submit} loading={add.isPending || update.isPending}>
            {variant ? t('save2') : t('addVariant')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
