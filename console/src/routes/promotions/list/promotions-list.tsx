/** Every promotion of the workspace: status, kind, window, uses and budget; filter by status. */
import { useMemo, useState } from 'react';
import { Badge, Button, Group, Paper, Progress, ScrollArea, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDiscount, IconPlus, IconSearch, IconTicket } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router-dom';
import { PROMOTION_STATUSES, usePromotions, type Promotion, type PromotionStatus } from '../../../hooks/api/promotions';
import { useCan } from '../../../hooks/api/session';
import { EmptyState, ErrorBlock, Loading, PageHeader } from '../../../components/page';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { KindIcon, rewardSummary, StatusBadge } from '../shared/look';

type Filter = 'all' | PromotionStatus;

export function PromotionsList() {
  const t = useT(promotionsMessages);
  const can = useCan();
  const navigate = useNavigate();
  const list = usePromotions();
  const [filter, setFilter] = useState<Filter>('all');
  const [q, setQ] = useState('');

  const counts = useMemo(() => {
    const c: Record<Filter, number> = { all: 0, draft: 0, scheduled: 0, active: 0, paused: 0, ended: 0 };
    for (const p of list.data ?? []) {
      c.all++;
      c[p.status]++;
    }
    return c;
  }, [list.data]);

  const shown = useMemo(() => {
    const needle = q.trim().toLocaleLowerCase();
    return (list.data ?? []).filter((p) => (filter === 'all' || p.status === filter) && (!needle || p.name.toLocaleLowerCase().includes(needle)));
  }, [list.data, filter, q]);

  const newButton = can.promotions && (
    <Button component={Link} to="/promotions/new" leftSection={<IconPlus size={16} />} data-testid="new-promotion">
      {t('newPromotion')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('title')} description={t('subtitle')} actions={newButton} />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBlock error={list.error} />
      ) : list.data.length === 0 ? (
        <EmptyState icon={<IconDiscount size={26} />} title={t('emptyTitle')} description={can.promotions ? t('emptyHint') : t('emptyHintReadOnly')} action={newButton} />
      ) : (
        <Stack gap="md">
          <Group justify="space-between" wrap="wrap">
            <SegmentedControl
              value={filter}
              onChange={(v) => setFilter(v as Filter)}
              data-testid="promotion-status-filter"
              data={(['all', ...PROMOTION_STATUSES] as Filter[]).map((s) => ({ value: s, label: `${s === 'all' ? t('filterAll') : t(`status_${s}`)} (${counts[s]})` }))}
            />
            <TextInput leftSection={<IconSearch size={16} />} placeholder={t('searchPlaceholder')} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={260} />
          </Group>
          <Paper withBorder radius="md">
            <ScrollArea>
              <Table highlightOnHover verticalSpacing="sm" horizontalSpacing="md" data-testid="promotions-table" miw={960}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('colName')}</Table.Th>
                    <Table.Th>{t('colKind')}</Table.Th>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('colStatus')}</Table.Th>
                    <Table.Th>{t('colSchedule')}</Table.Th>
                    <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('colUses')}</Table.Th>
                    <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('colDiscount')}</Table.Th>
                    <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('colPriority')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={7}>
                        <Text c="dimmed" size="sm" ta="center" py="md">
                          {t('noneMatch')}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                  {shown.map((p) => (
                    <Row key={p.id} p={p} onOpen={() => navigate(`/promotions/${p.id}`)} />
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          </Paper>
        </Stack>
      )}
    </>
  );
}

function Row({ p, onOpen }: { p: Promotion; onOpen: () => void }) {
  const t = useT(promotionsMessages);
  const f = useFormat();
  const budgetUsed = p.budget ? Math.min(p.discountGiven / p.budget, 1) : null;
  return (
    <Table.Tr data-testid="promotion-row" data-id={p.id} style={{ cursor: 'pointer' }} onClick={onOpen}>
      <Table.Td>
        <Stack gap={2}>
          <Text fw={600} size="sm" component={Link} to={`/promotions/${p.id}`} onClick={(e) => e.stopPropagation()} c="inherit" td="none">
            {p.name}
          </Text>
          <Group gap={6}>
            {p.requiresCode ? (
              <Badge size="xs" variant="outline" color="violet" leftSection={<IconTicket size={10} />}>
                {t('withCode')}
              </Badge>
            ) : (
              <Badge size="xs" variant="outline" color="gray">
                {t('automatic')}
              </Badge>
            )}
            {p.stacking === 'exclusive' && (
              <Badge size="xs" variant="outline" color="orange">
                {t('exclusive')}
              </Badge>
            )}
          </Group>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <KindIcon type={p.reward.type} size={26} />
          <Stack gap={0}>
            <Text size="sm">{t(`kind_${p.reward.type}`)}</Text>
            <Text size="xs" c="dimmed">
              {rewardSummary(p.reward, t, f)}
            </Text>
          </Stack>
        </Group>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <StatusBadge status={p.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>{p.startsAt || p.endsAt ? `${p.startsAt ? f.date(p.startsAt) : t('now')} → ${p.endsAt ? f.date(p.endsAt) : t('noEnd')}` : t('always')}</Text>
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
          {f.number(p.uses)}
          {p.usageLimit !== null && <Text span c="dimmed" size="sm">{` / ${f.number(p.usageLimit)}`}</Text>}
        </Text>
      </Table.Td>
      <Table.Td ta="right">
        <Stack gap={4} align="flex-end">
          <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
            {f.money(p.discountGiven)}
            {p.budget !== null && <Text span c="dimmed" size="sm">{` / ${f.money(p.budget)}`}</Text>}
          </Text>
          {budgetUsed !== null && <Progress value={budgetUsed * 100} w={120} size="sm" color={budgetUsed > 0.9 ? 'red' : 'blue'} />}
        </Stack>
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm">{p.priority}</Text>
      </Table.Td>
    </Table.Tr>
  );
}
