/** The counter's panels: the customer, the products with this store's stock, the basket, the receipt. */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  ActionIcon,
  Alert,
  Anchor,
  Avatar,
  Badge,
  Button,
  Card,
  Divider,
  Group,
  Loader,
  Modal,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconBarcode, IconCheck, IconPhone, IconPlus, IconReceipt, IconSearch, IconTrash, IconUser, IconUserPlus, IconX } from '@tabler/icons-react';
import { useDebouncedValue } from '@mantine/hooks';
import { useT } from '../../lib/i18n';
import { useFormat } from '../../lib/format';
import { useDescribeNeeds } from '../../lib/promotion-needs';
import { posMessages } from '../../i18n/pos';
import { ErrorBlock } from '../../components/page';
import { useCommerceFacts, useStoreStock, type PosOrder, type PosProfile, type Quote, type StockRow } from '../../hooks/api/pos';

export interface BasketLine {
  sku: string;
  title: string;
  quantity: number;
  /** Units this store can sell now. */
  available: number;
  price: number;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
export const identifierOf = (p: PosProfile, type: string) => p.identifiers.find((i) => i.type === type)?.value;

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (parts.length > 1 ? `${parts[parts.length - 2]![0]}${parts[parts.length - 1]![0]}` : name.slice(0, 2)).toUpperCase();
}

const TIER_COLOR: Record<string, string> = { gold: 'yellow', silver: 'gray', member: 'blue' };

/** Phone lookup, the customer found (or a new or walk-in one). */
export function CustomerPanel(props: {
  phoneInput: string;
  onPhoneInput: (v: string) => void;
  onLookup: () => void;
  looked: string | undefined;
  lookup: { isFetching: boolean; isError: boolean; error: unknown; data: PosProfile | null | undefined };
  newName: string;
  onNewName: (v: string) => void;
  onClear: () => void;
}) {
  const t = useT(posMessages);
  const f = useFormat();
  const profile = props.lookup.data ?? undefined;
  const facts = useCommerceFacts(profile?.id);
  const name = profile ? (text(profile.traits.name) ?? identifierOf(profile, 'email') ?? identifierOf(profile, 'phone') ?? profile.id) : '';
  const tier = profile ? text(profile.traits.tier) : undefined;
  const tierKey = tier === 'gold' || tier === 'silver' || tier === 'member' ? (`tier_${tier}` as const) : undefined;

  return (
    <Card withBorder padding="md" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={5}>{t('customer')}</Title>
        {props.looked && (
          <Button size="compact-xs" variant="subtle" color="gray" leftSection={<IconX size={12} />} onClick={props.onClear}>
            {t('clear')}
          </Button>
        )}
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onLookup();
        }}
      >
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            label={t('phone')}
            placeholder={t('phonePlaceholder')}
            leftSection={<IconPhone size={16} />}
            value={props.phoneInput}
            onChange={(e) => props.onPhoneInput(e.currentTarget.value)}
            inputMode="tel"
            data-testid="pos-phone"
          />
          <Button type="submit" variant="light" loading={props.lookup.isFetching} disabled={!props.phoneInput.trim()} data-testid="pos-lookup">
            {t('lookup')}
          </Button>
        </Group>
      </form>

      <Stack mt="md" gap="xs">
        {!props.looked && (
          <Paper bg="gray.0" p="sm" radius="md">
            <Group gap="sm" wrap="nowrap">
              <Avatar color="gray" radius="xl">
                <IconUser size={18} />
              </Avatar>
              <div>
                <Text fw={600} size="sm">
                  {t('walkIn')}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('walkInText')}
                </Text>
              </div>
            </Group>
          </Paper>
        )}
        {props.looked && props.lookup.isError && <ErrorBlock error={props.lookup.error} />}
        {props.looked && props.lookup.data === null && !props.lookup.isFetching && (
          <Paper bg="orange.0" p="sm" radius="md" data-testid="pos-customer-new">
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <Avatar color="orange" radius="xl">
                <IconUserPlus size={18} />
              </Avatar>
              <Stack gap={6} style={{ flex: 1 }}>
                <Text fw={600} size="sm">
                  {t('notFound', { phone: props.looked })}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('notFoundHint')}
                </Text>
                <TextInput size="xs" placeholder={t('newCustomerName')} value={props.newName} onChange={(e) => props.onNewName(e.currentTarget.value)} />
              </Stack>
            </Group>
          </Paper>
        )}
        {profile && (
          <Paper withBorder p="sm" radius="md" data-testid="pos-customer">
            <Group gap="sm" wrap="nowrap">
              <Avatar color="orange" radius="xl">
                {initials(name)}
              </Avatar>
              <div style={{ flex: 1, minWidth: 0 }}>
                <Group gap={6}>
                  <Text fw={700} data-testid="pos-customer-name">
                    {name}
                  </Text>
                  {tierKey && (
                    <Badge size="sm" variant="light" color={TIER_COLOR[tier!]}>
                      {t(tierKey)}
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed" truncate>
                  {[identifierOf(profile, 'phone'), identifierOf(profile, 'email')].filter(Boolean).join(' · ')}
                </Text>
              </div>
              <Anchor component={Link} to={`/customers/${profile.id}`} size="sm">
                {t('openProfile')}
              </Anchor>
            </Group>
            <SimpleGrid cols={3} mt="sm" spacing="xs">
              <Stat label={t('orders')} value={facts.data ? f.number(facts.data.orderCount) : undefined} testId="pos-customer-orders" />
              <Stat label={t('spent')} value={facts.data ? f.money(facts.data.totalSpent, facts.data.currency) : undefined} />
              <Stat label={t('lastOrder')} value={facts.data ? (facts.data.lastOrderAt ? f.relative(facts.data.lastOrderAt) : t('never')) : undefined} />
            </SimpleGrid>
          </Paper>
        )}
      </Stack>
    </Card>
  );
}

function Stat({ label, value, testId }: { label: string; value: string | undefined; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {value === undefined ? <Loader size="xs" /> : <Text fw={600} size="sm" data-testid={testId}>{value}</Text>}
    </div>
  );
}

/** Stock this store can sell: the channel's figure when given, else the shelf's. */
export function storeAvailable(row: StockRow, channelId: string, locationId: string): number {
  const sellable = row.channels.find((c) => c.channelId === channelId)?.sellable;
  const shelf = row.levels.find((l) => l.locationId === locationId)?.available ?? 0;
  return sellable ?? shelf;
}

/** Search the catalog with each product's stock in this store; add to the basket. */
export function ProductsPanel(props: { channelId: string; locationId: string; canSell: boolean; inBasket: (sku: string) => number; onAdd: (row: StockRow, available: number) => void }) {
  const t = useT(posMessages);
  const f = useFormat();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const stock = useStoreStock(debounced, props.locationId);
  const rows = stock.data?.data ?? [];

  const addExact = () => {
    const exact = rows.find((r) => r.sku.toLowerCase() === q.trim().toLowerCase());
    if (!exact || !props.canSell) return;
    const available = storeAvailable(exact, props.channelId, props.locationId);
    if (available - props.inBasket(exact.sku) > 0) {
      props.onAdd(exact, available);
      setQ('');
    }
  };

  return (
    <Card withBorder padding="md" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={5}>{t('products')}</Title>
        {stock.isFetching && <Loader size="xs" />}
      </Group>
      <TextInput
        placeholder={t('searchPlaceholder')}
        leftSection={<IconSearch size={16} />}
        rightSection={<IconBarcode size={16} />}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            addExact();
          }
        }}
        data-testid="pos-product-search"
      />
      {stock.isError && <ErrorBlock error={stock.error} />}
      {stock.isPending && !stock.isError && (
        <Group justify="center" py="lg">
          <Loader size="sm" />
        </Group>
      )}
      {stock.isSuccess && rows.length === 0 && (
        <Text c="dimmed" size="sm" ta="center" py="lg">
          {t('noProducts')}
        </Text>
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={520} mt="sm">
          <Table verticalSpacing={6} highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('product')}</Table.Th>
                <Table.Th>{t('sku')}</Table.Th>
                <Table.Th ta="right">{t('price')}</Table.Th>
                <Table.Th ta="right">{t('stockHere')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => {
                const available = storeAvailable(row, props.channelId, props.locationId);
                const left = available - props.inBasket(row.sku);
                return (
                  <Table.Tr key={row.sku} data-testid="pos-product" data-sku={row.sku}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {row.productTitle}
                      </Text>
                      {row.title && row.title !== row.productTitle && (
                        <Text size="xs" c="dimmed">
                          {row.title}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {row.sku}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">{f.money(row.price, row.currency)}</Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Badge variant="light" color={available <= 0 ? 'red' : available <= 5 ? 'orange' : 'green'} data-testid="pos-stock">
                        {f.number(available)}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="compact-sm"
                        variant="light"
                        leftSection={<IconPlus size={14} />}
                        disabled={!props.canSell || left <= 0}
                        title={available <= 0 ? t('outOfStock') : left <= 0 ? t('maxReached') : undefined}
                        onClick={() => props.onAdd(row, available)}
                        data-testid="pos-add"
                        data-sku={row.sku}
                      >
                        {t('add')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

/** The basket, priced by the promotion engine for this customer at this store. */
export function BasketPanel(props: {
  lines: BasketLine[];
  quote: { data: Quote | undefined; isFetching: boolean; isError: boolean; error: unknown };
  canSell: boolean;
  selling: boolean;
  codes: string[];
  onQuantity: (sku: string, quantity: number) => void;
  onRemove: (sku: string) => void;
  onAddCode: (code: string) => void;
  onRemoveCode: (code: string) => void;
  onSell: () => void;
}) {
  const t = useT(posMessages);
  const f = useFormat();
  const say = useDescribeNeeds();
  const [code, setCode] = useState('');
  const quote = props.quote.data;
  const priced = new Map((quote?.lines ?? []).map((l) => [l.sku, l]));
  const statusOf = new Map((quote?.codes ?? []).map((c) => [c.code.toUpperCase(), c]));

  return (
    <Card withBorder padding="md" radius="md" style={{ position: 'sticky', top: 16 }}>
      <Group justify="space-between" mb="sm">
        <Title order={5}>{t('basket')}</Title>
        {props.quote.isFetching && (
          <Group gap={6}>
            <Loader size="xs" />
            <Text size="xs" c="dimmed">
              {t('pricing')}
            </Text>
          </Group>
        )}
      </Group>
      {props.lines.length === 0 ? (
        <Text c="dimmed" size="sm" ta="center" py="xl">
          {t('emptyBasket')}
        </Text>
      ) : (
        <Stack gap={0}>
          {props.lines.map((line) => {
            const p = priced.get(line.sku);
            return (
              <Group key={line.sku} py={8} wrap="nowrap" align="center" style={{ borderBottom: '1px dashed var(--mantine-color-gray-3)' }} data-testid="pos-line" data-sku={line.sku}>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Text size="sm" fw={600} truncate>
                    {line.title}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {line.sku} · {f.money(p?.unitPrice ?? line.price)}
                  </Text>
                  {p && p.discount > 0 && (
                    <Text size="xs" c="green">
                      −{f.money(p.discount)}
                    </Text>
                  )}
                </div>
                <NumberInput
                  w={72}
                  size="xs"
                  min={1}
                  max={Math.max(1, line.available)}
                  clampBehavior="strict"
                  allowDecimal={false}
                  aria-label={t('qty')}
                  value={line.quantity}
                  disabled={!props.canSell}
                  onChange={(v) => typeof v === 'number' && v >= 1 && props.onQuantity(line.sku, v)}
                  data-testid="pos-qty"
                />
                <Text size="sm" fw={600} w={100} ta="right">
                  {f.money(p?.total ?? line.price * line.quantity)}
                </Text>
                <ActionIcon variant="subtle" color="red" aria-label={t('remove')} disabled={!props.canSell} onClick={() => props.onRemove(line.sku)}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            );
          })}
        </Stack>
      )}

      <form
        onSubmit={(e) => {
          e.preventDefault();
          const c = code.trim().toUpperCase();
          if (c) props.onAddCode(c);
          setCode('');
        }}
      >
        <Group gap="xs" mt="md" wrap="nowrap">
          <TextInput size="xs" style={{ flex: 1 }} placeholder={t('code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} disabled={!props.canSell} />
          <Button size="xs" variant="default" type="submit" disabled={!props.canSell || !code.trim()}>
            {t('applyCode')}
          </Button>
        </Group>
      </form>
      {props.codes.length > 0 && (
        <Group gap={6} mt="xs">
          {props.codes.map((c) => {
            const s = statusOf.get(c);
            const key = s?.status === 'applied' || s?.status === 'denied' || s?.status === 'not_applied' ? (`codeStatus_${s.status}` as const) : undefined;
            return (
              <Badge
                key={c}
                variant="light"
                color={s?.status === 'applied' ? 'green' : s?.status === 'denied' ? 'red' : 'yellow'}
                title={say(s?.needs, s?.message).join('; ') || undefined}
                rightSection={
                  <ActionIcon size="xs" variant="transparent" color="gray" aria-label={t('remove')} onClick={() => props.onRemoveCode(c)}>
                    <IconX size={10} />
                  </ActionIcon>
                }
              >
                {c}
                {key ? ` · ${t(key)}` : ''}
              </Badge>
            );
          })}
        </Group>
      )}

      {props.quote.isError && <ErrorBlock error={props.quote.error} />}
      {quote && props.lines.length > 0 && (
        <Stack gap={4} mt="md">
          <Row label={t('subtotal')} value={f.money(quote.subtotal, quote.currency)} />
          {quote.promotions.map((p) => (
            <Row key={p.promotionId} label={p.name + (p.code ? ` (${p.code})` : '')} value={`−${f.money(p.amount, quote.currency)}`} color="green" testId="pos-promotion" />
          ))}
          <Divider my={4} />
          <Group justify="space-between">
            <Text fw={700}>{t('total')}</Text>
            <Text fw={800} size="xl" data-testid="pos-total">
              {f.money(quote.total, quote.currency)}
            </Text>
          </Group>
        </Stack>
      )}
      <Button
        mt="md"
        size="md"
        fullWidth
        color="orange"
        leftSection={<IconCheck size={18} />}
        disabled={!props.canSell || props.lines.length === 0 || !quote || props.quote.isError}
        loading={props.selling}
        onClick={props.onSell}
        data-testid="pos-sell"
      >
        {t('sell')}
      </Button>
    </Card>
  );
}

function Row({ label, value, color, testId }: { label: string; value: string; color?: string; testId?: string }) {
  return (
    <Group justify="space-between" wrap="nowrap" data-testid={testId}>
      <Text size="sm" c={color ?? 'dimmed'}>
        {label}
      </Text>
      <Text size="sm" c={color} ta="right">
        {value}
      </Text>
    </Group>
  );
}

/** The sale's receipt: order id, lines, totals, the customer's profile. */
export function ReceiptModal({ order, storeName, customerName, onClose }: { order: PosOrder | null; storeName: string; customerName: string | undefined; onClose: () => void }) {
  const t = useT(posMessages);
  const f = useFormat();
  return (
    <Modal
      opened={!!order}
      onClose={onClose}
      title={
        <Group gap="xs">
          <IconReceipt size={20} />
          <Text fw={700}>{t('receipt')}</Text>
        </Group>
      }
      centered
    >
      {order && (
        <Stack gap="sm" data-testid="pos-receipt">
          <Alert color="green" icon={<IconCheck size={18} />} title={t('soldTitle')}>
            {storeName}
          </Alert>
          <div>
            <Text size="xs" c="dimmed">
              {t('orderId')}
            </Text>
            <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="pos-receipt-order-id">
              {order.id}
            </Text>
          </div>
          <SimpleGrid cols={2} spacing="xs">
            <div>
              <Text size="xs" c="dimmed">
                {t('receiptNo')}
              </Text>
              <Text size="sm" ff="monospace">
                {order.externalId}
              </Text>
            </div>
            <div>
              <Text size="xs" c="dimmed">
                {t('paidAt')}
              </Text>
              <Text size="sm">{f.dateTime(order.placedAt)}</Text>
            </div>
            <div>
              <Text size="xs" c="dimmed">
                {t('customerOnReceipt')}
              </Text>
              {order.profileId ? (
                <Anchor component={Link} to={`/customers/${order.profileId}`} size="sm" data-testid="pos-receipt-customer" onClick={onClose}>
                  {customerName ?? t('openProfile')}
                </Anchor>
              ) : (
                <Text size="sm">{t('walkIn')}</Text>
              )}
            </div>
          </SimpleGrid>
          <Table verticalSpacing={4}>
            <Table.Tbody>
              {order.lines.map((l) => (
                <Table.Tr key={l.lineNo}>
                  <Table.Td>
                    <Text size="sm">{l.title}</Text>
                    <Text size="xs" c="dimmed">
                      {f.number(l.quantity)} × {f.money(l.unitPrice, order.currency)}
                      {l.discount > 0 ? ` − ${f.money(l.discount, order.currency)}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{f.money(l.total, order.currency)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {order.discountTotal > 0 && <Row label={t('discount')} value={`−${f.money(order.discountTotal, order.currency)}`} color="green" />}
          <Group justify="space-between">
            <Text fw={700}>{t('total')}</Text>
            <Text fw={800} size="lg">
              {f.money(order.total, order.currency)}
            </Text>
          </Group>
          <Button onClick={onClose} data-testid="pos-new-sale">
            {t('newSale')}
          </Button>
        </Stack>
      )}
    </Modal>
  );
}
