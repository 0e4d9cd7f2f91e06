/** One order: lines, discounts, shipping, status history and the status changes allowed now (with confirmation). */
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Divider, Drawer, Group, Modal, SimpleGrid, Stack, Text, Textarea, Timeline } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowBackUp, IconCash, IconCircleCheck, IconLock, IconPackage, IconShoppingCart, IconX } from '@tabler/icons-react';
import { useParams } from 'react-router-dom';
import { OrderLinesTable } from '../../components/order-lines';
import { ErrorBlock, Loading, errorMessage } from '../../components/page';
import { useLocations } from '../../hooks/api/catalog';
import { NEXT_STATUS, useOrder, useTransitionOrder, type Order, type OrderStatus } from '../../hooks/api/orders';
import { useCan } from '../../hooks/api/session';
import { ordersMessages } from '../../i18n/orders';
import { useFormat } from '../../lib/format';
import { useT } from '../../lib/i18n';
import { CustomerLink, OrderChannel, STATUS_COLORS, StatusBadge } from './order-bits';

const STATUS_ICONS: Record<OrderStatus, typeof IconCash> = { placed: IconShoppingCart, paid: IconCash, fulfilled: IconPackage, cancelled: IconX, returned: IconArrowBackUp };

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}

function Transitions({ order }: { order: Order }) {
  const t = useT(ordersMessages);
  const can = useCan();
  const transition = useTransitionOrder(order.id);
  const [to, setTo] = useState<OrderStatus | null>(null);
  const [note, setNote] = useState('');
  const [restock, setRestock] = useState(true);
  const next = NEXT_STATUS[order.status];
  const open = (s: OrderStatus) => {
    setTo(s);
    setNote('');
    setRestock(true);
    transition.reset();
  };
  const submit = () =>
    to &&
    transition.mutate(
      { to, ...(note.trim() ? { note: note.trim() } : {}), ...(to === 'returned' ? { restock } : {}) },
      {
        onSuccess: (o) => {
          notifications.show({ color: 'teal', message: t('transitioned', { id: o.externalId ?? o.id, status: t(`status_${o.status}`) }) });
          setTo(null);
        },
      },
    );

  return (
    <Card withBorder radius="md">
      <Text fw={600} mb="xs">
        {t('actions')}
      </Text>
      {next.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('noActions')}
        </Text>
      ) : !can.serve ? (
        <Alert color="gray" icon={<IconLock size={16} />}>
          {t('serveOnly')}
        </Alert>
      ) : (
        <Group gap="sm">
          {next.map((s) => (
            <Button
              key={s}
              data-testid={`order-transition-${s}`}
              variant={s === 'cancelled' ? 'light' : 'filled'}
              color={s === 'cancelled' ? 'red' : STATUS_COLORS[s]}
              leftSection={(() => {
                const I = STATUS_ICONS[s];
                return <I size={16} />;
              })()}
              onClick={() => open(s)}
            >
              {t(`to_${s}`)}
            </Button>
          ))}
        </Group>
      )}
      <Modal opened={!!to} onClose={() => setTo(null)} title={<Text fw={600}>{to ? t('confirmTitle', { action: t(`to_${to}`) }) : ''}</Text>} centered>
        {to && (
          <Stack gap="sm">
            <Text size="sm">{t(`confirm_${to}`)}</Text>
            {to === 'returned' && <Checkbox label={t('restock')} checked={restock} onChange={(e) => setRestock(e.currentTarget.checked)} />}
            <Textarea label={t('note')} placeholder={t('notePlaceholder')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} maxLength={2000} />
            {transition.isError && (
              <Alert color="red" title={t('transitionFailed')}>
                {errorMessage(transition.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setTo(null)}>
                {t('cancel')}
              </Button>
              <Button data-testid="order-transition-confirm" color={to === 'cancelled' ? 'red' : STATUS_COLORS[to]} loading={transition.isPending} onClick={submit}>
                {t('confirm')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Card>
  );
}

function OrderBody({ order }: { order: Order }) {
  const t = useT(ordersMessages);
  const f = useFormat();
  const locations = useLocations().data ?? [];
  const locationName = (id: string | null) => (id ? (locations.find((l) => l.id === id)?.name ?? id) : '—');
  const actor = (a: string) => {
    const [kind] = a.split(':');
    return kind === 'system' ? t('actorSystem') : kind === 'user' ? t('actorUser') : kind === 'token' ? t('actorToken') : kind === 'channel' ? t('actorChannel') : a;
  };
  const transitions = order.transitions ?? [];

  return (
    <Stack gap="md">
      <Group gap="sm">
        <StatusBadge status={order.status} />
        <OrderChannel channelId={order.channelId} channelType={order.channelType} />
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
        <Field label={t('customer')}>
          <CustomerLink profileId={order.profileId} />
        </Field>
        <Field label={t('placedAt')}>
          <Text size="sm">{f.dateTime(order.placedAt)}</Text>
        </Field>
        <Field label={t('externalId')}>
          <Text size="sm" ff="monospace">
            {order.externalId ?? '—'}
          </Text>
        </Field>
        <Field label={t('store')}>
          <Text size="sm">{locationName(order.storeLocationId)}</Text>
        </Field>
        <Field label={t('payment')}>
          <Text size="sm" data-testid="order-payment">
            {t(`payment_${order.paymentStatus}`)}
            {order.paymentMethod && order.paymentMethod !== 'cod' ? ` · ${order.paymentMethod}` : ''}
            {order.paidAt ? ` · ${f.dateTime(order.paidAt)}` : ''}
          </Text>
        </Field>
      </SimpleGrid>

      <Card withBorder radius="md" padding={0}>
        <Text fw={600} p="md" pb={0}>
          {t('lines')}
        </Text>
        <OrderLinesTable lines={order.lines} currency={order.currency} from={locationName} />
        <Divider />
        <Stack gap={4} p="md" align="flex-end">
          {[
            [t('subtotal'), f.money(order.subtotal, order.currency)],
            [t('discount'), order.discountTotal > 0 ? `−${f.money(order.discountTotal, order.currency)}` : '—'],
            [t('shipping'), order.shippingTotal > 0 ? f.money(order.shippingTotal, order.currency) : t('freeShipping')],
          ].map(([label, value]) => (
            <Group key={label} gap="xl" justify="space-between" w={300}>
              <Text size="sm" c="dimmed">
                {label}
              </Text>
              <Text size="sm">{value}</Text>
            </Group>
          ))}
          <Group gap="xl" justify="space-between" w={300}>
            <Text fw={600}>{t('total')}</Text>
            <Text fw={700} size="lg">
              {f.money(order.total, order.currency)}
            </Text>
          </Group>
        </Stack>
      </Card>

      <Transitions order={order} />

      <Card withBorder radius="md">
        <Text fw={600} mb="sm">
          {t('history')}
        </Text>
        <Timeline bulletSize={24} lineWidth={2} active={transitions.length - 1}>
          {transitions.map((tr, i) => {
            const s = tr.to as OrderStatus;
            const I = STATUS_ICONS[s] ?? IconCircleCheck;
            return (
              <Timeline.Item key={i} bullet={<I size={14} />} color={STATUS_COLORS[s] ?? 'gray'} title={<Text size="sm" fw={500}>{t(`status_${s}`)}</Text>}>
                <Text size="xs" c="dimmed">
                  {f.dateTime(tr.at)} · {t('by', { actor: actor(tr.actor) })}
                  {tr.restocked ? ` · ${t('restocked')}` : ''}
                </Text>
                {tr.note && <Text size="sm">{tr.note}</Text>}
              </Timeline.Item>
            );
          })}
        </Timeline>
      </Card>
    </Stack>
  );
}

export function OrderDrawer({ onClose }: { onClose: () => void }) {
  const t = useT(ordersMessages);
  const { id } = useParams();
  const order = useOrder(id);
  return (
    <Drawer
      opened
      onClose={onClose}
      position="right"
      size="xl"
      data-testid="order-drawer"
      title={<Text fw={700} size="lg">{t('orderTitle', { id: order.data?.externalId ?? id ?? '' })}</Text>}
      closeButtonProps={{ 'aria-label': t('close') }}
    >
      {order.isPending ? <Loading /> : order.isError ? <ErrorBlock error={order.error} /> : <OrderBody order={order.data} />}
    </Drawer>
  );
}
