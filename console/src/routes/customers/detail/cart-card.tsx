/**
 * The customer's cart right now, live over SSE: lines, promotions, totals, and where checkout
 * got to (with payment failures) — what a support agent needs when the customer calls.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Badge, Card, Divider, Group, Stack, Stepper, Text, Timeline, Title } from '@mantine/core';
import { IconAlertTriangle, IconGift, IconShoppingCart, IconTicket } from '@tabler/icons-react';
import { ChannelIcon } from '../../../components/channels';
import { ErrorBlock, Loading } from '../../../components/page';
import { useLiveCart, useSalesChannels, type Cart, type LiveState, type SalesChannel } from '../../../hooks/api/customers';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { useDescribeNeeds } from '../../../lib/promotion-needs';
import { customersMessages } from '../../../i18n/customers';
import { useChannelName } from '../customer-bits';
import { Totals } from './orders-card';

/** True for `ms` after `at` changes (to light up a card that just changed). */
function useRecently(at: number | null, ms = 3000): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    if (at === null) return;
    setOn(true);
    const timer = setTimeout(() => setOn(false), ms);
    return () => clearTimeout(timer);
  }, [at, ms]);
  return on;
}

function LiveBadge({ state }: { state: LiveState }) {
  const t = useT(customersMessages);
  const look = { live: { color: 'teal', label: t('cartLive') }, connecting: { color: 'yellow', label: t('cartConnecting') }, reconnecting: { color: 'red', label: t('cartReconnecting') } }[state];
  return (
    <Badge variant="dot" color={look.color} radius="sm" tt="none" data-testid="live-cart-state" data-state={state}>
      {look.label}
    </Badge>
  );
}

export function CartCard({ id }: { id: string }) {
  const t = useT(customersMessages);
  const cart = useLiveCart(id);
  const channels = useSalesChannels();
  const byId = useMemo(() => new Map((channels.data?.data ?? []).map((c) => [c.id, c])), [channels.data]);
  const flash = useRecently(cart.updatedAt);

  return (
    <Card
      withBorder
      radius="md"
      p="lg"
      data-testid="live-cart"
      style={{ transition: 'box-shadow 300ms, border-color 300ms', ...(flash ? { borderColor: 'var(--mantine-color-teal-5)', boxShadow: '0 0 0 3px var(--mantine-color-teal-1)' } : {}) }}
    >
      <Group justify="space-between" mb="md" wrap="wrap" gap="sm">
        <Group gap="sm">
          <IconShoppingCart size={20} />
          <Title order={4} fw={600}>
            {t('cartTitle')}
          </Title>
          {flash && (
            <Badge color="teal" variant="light" size="sm" radius="sm" tt="none">
              {t('cartUpdated')}
            </Badge>
          )}
        </Group>
        <LiveBadge state={cart.live} />
      </Group>
      {cart.isPending ? <Loading /> : cart.isError ? <ErrorBlock error={cart.error} /> : <CartBody cart={cart.data} channels={byId} />}
    </Card>
  );
}

function CartBody({ cart, channels }: { cart: Cart; channels: Map<string, SalesChannel> }) {
  const t = useT(customersMessages);
  const say = useDescribeNeeds();
  const f = useFormat();
  const channelName = useChannelName();
  const c = cart.currency;
  const money = (n: number) => f.money(n, c);
  const nameOf = (channelId: string | null) => {
    if (!channelId) return undefined;
    const ch = channels.get(channelId);
    return ch ? ch.name : channelId;
  };
  const typeOf = (channelId: string | null) => (channelId ? channels.get(channelId)?.type : undefined);

  if (cart.lines.length === 0 && cart.checkout.step === 'none') {
    return (
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          {cart.status === 'ordered' && cart.orderId ? t('cartOrdered', { id: cart.orderId }) : t('cartEmpty')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('cartEmptyBody')}
        </Text>
      </Stack>
    );
  }

  const lastFailure = cart.checkout.paymentFailures[cart.checkout.paymentFailures.length - 1];
  return (
    <Stack gap="md">
      {cart.channelId && (
        <Group gap={6}>
          <ChannelIcon type={typeOf(cart.channelId)} size={20} label={nameOf(cart.channelId)} />
          <Text size="xs" c="dimmed">
            {t('cartLastChannel', { channel: nameOf(cart.channelId) ?? '' })}
            {cart.updatedAt ? ` · ${f.relative(cart.updatedAt)}` : ''}
          </Text>
        </Group>
      )}

      <Stack gap={0}>
        {cart.lines.map((l) => (
          <Group key={l.variantId} justify="space-between" wrap="nowrap" py="xs" gap="md" data-testid="cart-line" style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}>
            <div style={{ minWidth: 0 }}>
              <Text size="sm" fw={600}>
                {l.title}
              </Text>
              <Group gap={6} wrap="wrap">
                <Text size="xs" c="dimmed" ff="monospace">
                  {l.sku}
                </Text>
                {l.addedOnChannelId && (
                  <Text size="xs" c="dimmed">
                    · {t('cartAddedOn', { channel: nameOf(l.addedOnChannelId) ?? channelName(typeOf(l.addedOnChannelId) ?? '') })}
                  </Text>
                )}
                {l.available < l.quantity && (
                  <Badge size="xs" color={l.available <= 0 ? 'red' : 'orange'} variant="light" radius="sm" tt="none">
                    {l.available <= 0 ? t('cartOutOfStock') : t('cartAvailable', { n: l.available })}
                  </Badge>
                )}
              </Group>
            </div>
            <div style={{ textAlign: 'right', flexShrink: 0 }}>
              <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                {money(l.total)}
              </Text>
              <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                {f.number(l.quantity)} × {money(l.unitPrice)}
                {l.discount > 0 ? ` − ${money(l.discount)}` : ''}
              </Text>
            </div>
          </Group>
        ))}
      </Stack>

      {cart.gifts.length > 0 && (
        <Group gap="xs" wrap="wrap">
          <IconGift size={16} color="var(--mantine-color-pink-6)" />
          <Text size="xs" c="dimmed">
            {t('cartGifts')}:
          </Text>
          {cart.gifts.map((g) => (
            <Badge key={g.variantId} size="sm" color="pink" variant="light" radius="sm" tt="none">
              {g.title} × {g.quantity}
            </Badge>
          ))}
        </Group>
      )}

      {(cart.promotions.length > 0 || cart.codes.length > 0) && (
        <Stack gap={6}>
          {cart.promotions.length > 0 && (
            <Text size="xs" c="dimmed" fw={600} tt="uppercase">
              {t('cartPromotions')}
            </Text>
          )}
          {cart.promotions.map((p) => (
            <Group key={p.promotionId} justify="space-between" wrap="nowrap" gap="md" data-testid="cart-promotion">
              <div style={{ minWidth: 0 }}>
                <Text size="sm">
                  {p.name}
                  {p.code && (
                    <Badge ml={6} size="xs" variant="outline" radius="sm" tt="none">
                      {p.code}
                    </Badge>
                  )}
                </Text>
                {p.description && (
                  <Text size="xs" c="dimmed">
                    {p.description}
                  </Text>
                )}
              </div>
              <Text size="sm" c="teal" fw={600} style={{ whiteSpace: 'nowrap' }}>
                −{money(p.amount)}
              </Text>
            </Group>
          ))}
          {cart.codes.length > 0 && (
            <Group gap="xs" wrap="wrap">
              <IconTicket size={16} />
              <Text size="xs" c="dimmed">
                {t('cartCodes')}:
              </Text>
              {cart.codes.map((code) => (
                <Badge
                  key={code.code}
                  size="sm"
                  radius="sm"
                  tt="none"
                  variant="light"
                  color={code.status === 'applied' ? 'teal' : code.status === 'denied' ? 'red' : 'yellow'}
                  title={say(code.needs, code.message).join('; ') || undefined}
                >
                  {code.code} · {t(`code_${code.status}`)}
                </Badge>
              ))}
            </Group>
          )}
        </Stack>
      )}

      <Stack gap={2} align="flex-end">
        <Totals label={t('subtotal')} value={money(cart.subtotal)} />
        {cart.discountTotal > 0 && <Totals label={t('discount')} value={`−${money(cart.discountTotal)}`} />}
        {cart.shippingTotal > 0 && <Totals label={t('shipping')} value={money(cart.shippingTotal)} />}
        {cart.shippingDiscount > 0 && <Totals label={t('shippingDiscount')} value={`−${money(cart.shippingDiscount)}`} />}
        <Totals label={t('total')} value={money(cart.total)} strong />
      </Stack>

      <Divider />
      <CheckoutProgress cart={cart} nameOf={nameOf} typeOf={typeOf} />
      {lastFailure && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="cart-payment-failed">
          <Text size="sm">{t('paymentFailed', { provider: lastFailure.provider, reason: lastFailure.reason })}</Text>
          <Text size="xs" c="dimmed">
            {lastFailure.code ? `${lastFailure.code} · ` : ''}
            {nameOf(lastFailure.channelId)} · {f.dateTime(lastFailure.at)}
          </Text>
        </Alert>
      )}
    </Stack>
  );
}

const STEPS = ['started', 'shipping', 'payment', 'ordered'] as const;

function CheckoutProgress({ cart, nameOf, typeOf }: { cart: Cart; nameOf: (id: string | null) => string | undefined; typeOf: (id: string | null) => string | undefined }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const co = cart.checkout;
  const failed = co.step === 'payment_failed';
  // Steps completed so far: the stepper's active index is the one in progress.
  const active = cart.status === 'ordered' ? 4 : { none: 0, started: 1, shipping: 2, payment: 3, payment_failed: 2 }[co.step];
  return (
    <Stack gap="sm" data-testid="checkout-progress" data-step={co.step}>
      <Group justify="space-between">
        <Text size="xs" c="dimmed" fw={600} tt="uppercase">
          {t('checkoutProgress')}
        </Text>
        {co.step === 'none' ? (
          <Text size="xs" c="dimmed">
            {t('step_none')}
          </Text>
        ) : (
          co.reservedUntil && (
            <Text size="xs" c="dimmed">
              {t('reservedUntil', { when: f.dateTime(co.reservedUntil) })}
            </Text>
          )
        )}
      </Group>
      <Stepper active={active} size="xs" color="teal" allowNextStepsSelect={false}>
        {STEPS.map((s, i) => (
          <Stepper.Step
            key={s}
            label={failed && s === 'payment' ? t('step_payment_failed') : t(`step_${s}`)}
            color={failed && i === 2 ? 'red' : undefined}
            description={
              s === 'shipping' && co.shipping
                ? t('shippingVia', { method: co.shipping.name, fee: f.money(cart.shippingTotal, cart.currency) })
                : s === 'payment' && co.payment
                  ? t('paymentVia', { provider: co.payment.provider, method: co.payment.method })
                  : s === 'ordered' && cart.orderId
                    ? cart.orderId.slice(-10)
                    : undefined
            }
          />
        ))}
      </Stepper>
      {co.history.length > 0 && (
        <>
          <Text size="xs" c="dimmed" fw={600} tt="uppercase" mt="xs">
            {t('checkoutHistory')}
          </Text>
          <Timeline active={co.history.length - 1} bulletSize={22} lineWidth={2}>
            {co.history.map((h, i) => (
              <Timeline.Item
                key={`${h.at}-${i}`}
                bullet={<ChannelIcon type={typeOf(h.channelId)} size={20} label={nameOf(h.channelId)} />}
                title={<Text size="sm">{isStep(h.step) ? t(`step_${h.step}`) : h.step}</Text>}
              >
                <Text size="xs" c="dimmed">
                  {nameOf(h.channelId)} · {f.dateTime(h.at)}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </>
      )}
    </Stack>
  );
}

const HISTORY_STEPS = ['none', 'started', 'shipping', 'payment', 'payment_failed', 'cancelled', 'ordered'] as const;
function isStep(s: string): s is (typeof HISTORY_STEPS)[number] {
  return (HISTORY_STEPS as readonly string[]).includes(s);
}
