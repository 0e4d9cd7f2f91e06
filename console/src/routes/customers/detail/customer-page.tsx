/**
 * Customer 360: who the customer is (identifiers, traits, tier), where they show up (channels,
 * a timeline across channels), what they bought (orders from every channel), what is in their
 * cart right now (live) and what they can get (offers) — plus merge history, export and erase.
 */
import { Anchor, Button, Grid, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconArrowLeft, IconUserOff } from '@tabler/icons-react';
import { Link, useParams } from 'react-router-dom';
import { EmptyState, ErrorBlock, Loading } from '../../../components/page';
import { useProfile, useProfileCommerce } from '../../../hooks/api/customers';
import { ApiError } from '../../../lib/api';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { customersMessages } from '../../../i18n/customers';
import { ProfileHeader } from './profile-header';
import { ChannelsCard, IdentifiersCard, MergesCard, TraitsCard } from './profile-cards';
import { TimelineCard } from './timeline-card';
import { OrdersCard } from './orders-card';
import { CartCard } from './cart-card';
import { OffersCard } from './offers-card';

export function CustomerPage() {
  const { id = '' } = useParams();
  const t = useT(customersMessages);
  const profile = useProfile(id);

  const back = (
    <Anchor component={Link} to="/customers" size="sm" c="dimmed" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
      <IconArrowLeft size={14} /> {t('back')}
    </Anchor>
  );

  if (profile.isPending) return <Loading />;
  if (profile.isError) {
    if (profile.error instanceof ApiError && profile.error.status === 404) {
      return (
        <>
          {back}
          <EmptyState
            icon={<IconUserOff size={24} />}
            title={t('notFoundTitle')}
            description={t('notFoundBody')}
            action={
              <Button component={Link} to="/customers" variant="light">
                {t('backToList')}
              </Button>
            }
          />
        </>
      );
    }
    return (
      <>
        {back}
        <ErrorBlock error={profile.error} />
      </>
    );
  }
  const p = profile.data;

  return (
    <Stack gap="lg">
      <div>
        {back}
        <ProfileHeader profile={p} />
      </div>
      <CommerceStats id={p.id} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="lg">
            <CartCard id={p.id} />
            <OrdersCard id={p.id} />
            <TimelineCard profile={p} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="lg">
            <ChannelsCard profile={p} />
            <OffersCard id={p.id} />
            <IdentifiersCard profile={p} />
            <TraitsCard profile={p} />
            <MergesCard id={p.id} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function CommerceStats({ id }: { id: string }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const facts = useProfileCommerce(id);
  const c = facts.data;
  const stats = [
    { label: t('totalSpent'), value: c ? f.money(c.totalSpent, c.currency) : '…' },
    { label: t('orderCount'), value: c ? f.number(c.orderCount) : '…' },
    { label: t('avgOrder'), value: c ? (c.orderCount > 0 ? f.money(Math.round(c.totalSpent / c.orderCount), c.currency) : '—') : '…' },
    { label: t('lastOrder'), value: c ? (c.lastOrderAt ? f.relative(c.lastOrderAt) : t('never')) : '…', title: c?.lastOrderAt ? f.dateTime(c.lastOrderAt) : undefined },
  ];
  if (facts.isError) return <ErrorBlock error={facts.error} />;
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md">
      {stats.map((s) => (
        <Paper key={s.label} withBorder radius="md" p="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {s.label}
          </Text>
          <Group gap={6} mt={4}>
            <Text fw={700} size="xl" title={s.title} style={{ fontVariantNumeric: 'tabular-nums' }}>
              {s.value}
            </Text>
          </Group>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
