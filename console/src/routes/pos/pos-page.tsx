/**
 * The store counter (demo): a salesperson at one of the shop's stores looks the customer up by
 * phone, adds products with the stock of that store, sees the price with the customer's
 * promotions (the same engine as the website cart) and sells: the order comes in on the store's
 * POS channel, takes the stock from the store's shelf and lands on the customer's profile.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Grid, Group, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBuildingStore, IconLock, IconSettings } from '@tabler/icons-react';
import { useT } from '../../lib/i18n';
import { posMessages } from '../../i18n/pos';
import { EmptyState, ErrorBlock, Loading, PageHeader, errorMessage } from '../../components/page';
import { ChannelIcon } from '../../components/channels';
import { useCan } from '../../hooks/api/session';
import { usePhoneLookup, usePosChannels, useQuote, useSell, type PosOrder, type StockRow } from '../../hooks/api/pos';
import { BasketPanel, CustomerPanel, ProductsPanel, ReceiptModal, identifierOf, type BasketLine } from './pos-parts';

const STORE_KEY = 'omni.pos.channel';

function readStore(): string | null {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null;
  }
}

/** A receipt number for the channel's external id: kept until the sale succeeds, so a retried click sells once. */
const newReceiptNo = () => `POS-${Date.now().toString(36).toUpperCase()}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;

export function PosPage() {
  const t = useT(posMessages);
  const can = useCan();
  const channels = usePosChannels();
  const [chosen, setChosen] = useState<string | null>(readStore);
  const channel = channels.data?.find((c) => c.id === chosen) ?? channels.data?.[0];
  const locationId = channel?.locations[0]?.id;

  const [phoneInput, setPhoneInput] = useState('');
  const [looked, setLooked] = useState<string | undefined>();
  const lookup = usePhoneLookup(looked);
  const profile = lookup.data ?? undefined;
  const [newName, setNewName] = useState('');

  const [basket, setBasket] = useState<BasketLine[]>([]);
  const [codes, setCodes] = useState<string[]>([]);
  const lines = useMemo(() => basket.map((l) => ({ sku: l.sku, quantity: l.quantity })), [basket]);
  const quote = useQuote({ channelId: channel?.id, profileId: profile?.id, lines, codes });

  const sell = useSell();
  const receiptNo = useRef(newReceiptNo());
  const [receipt, setReceipt] = useState<{ order: PosOrder; customerName: string | undefined } | null>(null);

  // Another store: its shelf, its prices — start the basket over.
  useEffect(() => {
    setBasket([]);
  }, [channel?.id]);

  if (channels.isPending) return <Loading />;
  if (channels.isError) return <ErrorBlock error={channels.error} />;

  const chooseStore = (id: string | null) => {
    if (!id) return;
    setChosen(id);
    try {
      localStorage.setItem(STORE_KEY, id);
    } catch {
      /* private mode: the choice lasts this page */
    }
  };

  const header = (
    <PageHeader
      title={t('title')}
      description={t('description')}
      actions={
        channels.data.length > 0 && (
          <Select
            w={340}
            label={t('store')}
            placeholder={t('pickStore')}
            data={channels.data.map((c) => ({ value: c.id, label: c.locations[0] ? `${c.name} — ${c.locations[0].name}` : c.name }))}
            value={channel?.id ?? null}
            onChange={chooseStore}
            allowDeselect={false}
            leftSection={<ChannelIcon type="pos" size={20} />}
            data-testid="pos-store-select"
          />
        )
      }
    />
  );

  if (!channel || !locationId) {
    return (
      <>
        {header}
        <EmptyState
          icon={<IconBuildingStore size={28} />}
          title={t('noStoresTitle')}
          description={t('noStoresText')}
          action={
            <Button component={Link} to="/settings" variant="light" leftSection={<IconSettings size={16} />}>
              {t('openSettings')}
            </Button>
          }
        />
      </>
    );
  }

  const inBasket = (sku: string) => basket.find((l) => l.sku === sku)?.quantity ?? 0;
  const add = (row: StockRow, available: number) => {
    setBasket((prev) => {
      const found = prev.find((l) => l.sku === row.sku);
      if (found) return prev.map((l) => (l.sku === row.sku ? { ...l, quantity: Math.min(l.quantity + 1, available), available } : l));
      const title = row.title && row.title !== row.productTitle ? `${row.productTitle} — ${row.title}` : row.productTitle;
      return [...prev, { sku: row.sku, title, quantity: 1, available, price: row.price }];
    });
  };

  const customerName = profile ? (typeof profile.traits.name === 'string' ? profile.traits.name : undefined) : newName.trim() || undefined;

  const doSell = () => {
    const customer = profile
      ? identifierOf(profile, 'user_id')
        ? { userId: identifierOf(profile, 'user_id') }
        : identifierOf(profile, 'phone')
          ? { phone: identifierOf(profile, 'phone') }
          : { email: identifierOf(profile, 'email') }
      : looked && lookup.data === null
        ? { phone: looked, ...(newName.trim() ? { name: newName.trim() } : {}) }
        : undefined;
    sell.mutate(
      { channelId: channel.id, externalId: receiptNo.current, lines, status: 'paid', ...(customer ? { customer } : {}), ...(codes.length ? { codes } : {}) },
      {
        onSuccess: (order) => {
          receiptNo.current = newReceiptNo();
          setReceipt({ order, customerName });
          setBasket([]);
          setCodes([]);
        },
        onError: (e) => notifications.show({ color: 'red', title: t('sellFailed'), message: errorMessage(e) }),
      },
    );
  };

  const clearCustomer = () => {
    setLooked(undefined);
    setPhoneInput('');
    setNewName('');
  };

  return (
    <>
      {header}
      {!can.serve && (
        <Alert color="gray" icon={<IconLock size={18} />} title={t('readOnlyTitle')} mb="md" data-testid="pos-read-only">
          {t('readOnlyText')}
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <CustomerPanel
              phoneInput={phoneInput}
              onPhoneInput={setPhoneInput}
              onLookup={() => setLooked(phoneInput.trim() || undefined)}
              looked={looked}
              lookup={lookup}
              newName={newName}
              onNewName={setNewName}
              onClear={clearCustomer}
            />
            <ProductsPanel channelId={channel.id} locationId={locationId} canSell={can.serve} inBasket={inBasket} onAdd={add} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <BasketPanel
            lines={basket}
            quote={quote}
            canSell={can.serve}
            selling={sell.isPending}
            codes={codes}
            onQuantity={(sku, quantity) => setBasket((prev) => prev.map((l) => (l.sku === sku ? { ...l, quantity: Math.min(quantity, l.available) } : l)))}
            onRemove={(sku) => setBasket((prev) => prev.filter((l) => l.sku !== sku))}
            onAddCode={(c) => setCodes((prev) => (prev.includes(c) ? prev : [...prev, c]))}
            onRemoveCode={(c) => setCodes((prev) => prev.filter((x) => x !== c))}
            onSell={doSell}
          />
          <Group justify="center" mt="xs">
            <Text size="xs" c="dimmed">
              {channel.name} · {channel.locations[0]?.name}
            </Text>
          </Group>
        </Grid.Col>
      </Grid>
      <ReceiptModal order={receipt?.order ?? null} storeName={`${channel.name} · ${channel.locations[0]?.name ?? ''}`} customerName={receipt?.customerName} onClose={() => setReceipt(null)} />
    </>
  );
}
