/** Every change to a promotion: who, when, and which fields moved from what to what. */
import { Badge, Code, Group, Paper, Stack, Table, Text, Timeline } from '@mantine/core';
import { IconEdit, IconPlus, IconTicket, IconToggleRight } from '@tabler/icons-react';
import { usePromotionAudit, type AuditEntry, type Promotion } from '../../../hooks/api/promotions';
import { useUsers } from '../../../hooks/api/settings';
import { ErrorBlock, Loading } from '../../../components/page';
import { useFormat, type Formatters } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import type { PromotionsT } from '../shared/look';

const SKIP = new Set(['updatedAt', 'uses', 'discountGiven', 'createdAt']);

function changes(e: AuditEntry): { field: string; before: unknown; after: unknown }[] {
  const b = (e.before ?? {}) as Record<string, unknown>;
  const a = (e.after ?? {}) as Record<string, unknown>;
  if (!e.before) return [];
  return Object.keys({ ...b, ...a })
    .filter((k) => !SKIP.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, before: b[k], after: a[k] }));
}

const FIELD_LABEL: Record<string, 'name' | 'description' | 'priority' | 'stacking' | 'redemption' | 'rewardSection' | 'conditionsSection' | 'startsAt' | 'endsAt' | 'usageLimit' | 'perCustomerLimit' | 'budget' | 'colStatus'> = {
  name: 'name',
  description: 'description',
  priority: 'priority',
  stacking: 'stacking',
  requiresCode: 'redemption',
  reward: 'rewardSection',
  conditions: 'conditionsSection',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
  usageLimit: 'usageLimit',
  perCustomerLimit: 'perCustomerLimit',
  budget: 'budget',
  status: 'colStatus',
};

function show(field: string, v: unknown, t: PromotionsT, f: Formatters): string {
  if (v === null || v === undefined) return '—';
  if (field === 'budget' && typeof v === 'number') return f.money(v);
  if ((field === 'startsAt' || field === 'endsAt') && typeof v === 'string') return f.dateTime(v);
  if (field === 'requiresCode') return v ? t('withCode') : t('automatic');
  if (field === 'stacking') return v === 'exclusive' ? t('exclusive') : t('combinable');
  if (field === 'status' && typeof v === 'string') return t(`status_${v}` as 'status_active');
  if (typeof v === 'number') return f.number(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function actionLabel(action: string, t: PromotionsT): string {
  if (action === 'created') return t('audit_created');
  if (action === 'updated') return t('audit_updated');
  if (action === 'codes') return t('audit_codes');
  if (action.startsWith('status:')) return t('audit_status', { status: t(`status_${action.slice(7)}` as 'status_active') });
  return action;
}

function actionIcon(action: string) {
  if (action === 'created') return <IconPlus size={12} />;
  if (action === 'codes') return <IconTicket size={12} />;
  if (action.startsWith('status:')) return <IconToggleRight size={12} />;
  return <IconEdit size={12} />;
}

export function AuditPanel({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const f = useFormat();
  const audit = usePromotionAudit(p.id);
  const users = useUsers();
  const who = (actor: string) => {
    const [kind, id] = actor.split(':');
    if (kind === 'user') {
      const u = users.data?.find((x) => x.id === id);
      return u ? `${u.name} (${u.email})` : actor;
    }
    if (kind === 'token') return t('actorToken', { id: id ?? '' });
    return actor;
  };
  if (audit.isPending) return <Loading />;
  if (audit.isError) return <ErrorBlock error={audit.error} />;
  const entries = [...audit.data].sort((a, b) => (a.at < b.at ? 1 : -1));
  return (
    <Paper withBorder radius="md" p="lg">
      <Timeline bulletSize={22} lineWidth={2} data-testid="promotion-audit">
        {entries.map((e) => {
          const diff = changes(e);
          const after = e.after as { count?: number } | null;
          return (
            <Timeline.Item key={e.id} bullet={actionIcon(e.action)} title={<Group gap="xs"><Text fw={600} size="sm">{actionLabel(e.action, t)}</Text>{e.action === 'codes' && after?.count !== undefined && <Badge size="sm" variant="light">{f.number(after.count)}</Badge>}</Group>}>
              <Text size="xs" c="dimmed">
                {who(e.actor)} · {f.dateTime(e.at)} ({f.relative(e.at)})
              </Text>
              {diff.length > 0 && (
                <Stack gap={4} mt="xs">
                  <Table withTableBorder={false} verticalSpacing={2} fz="xs">
                    <Table.Tbody>
                      {diff.map((d) => (
                        <Table.Tr key={d.field}>
                          <Table.Td w={140}>
                            <Text size="xs" fw={600}>{FIELD_LABEL[d.field] ? t(FIELD_LABEL[d.field]!) : d.field}</Text>
                          </Table.Td>
                          <Table.Td>
                            <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} c="red.8">{show(d.field, d.before, t, f)}</Code>
                          </Table.Td>
                          <Table.Td w={20}>→</Table.Td>
                          <Table.Td>
                            <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} c="green.8">{show(d.field, d.after, t, f)}</Code>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Stack>
              )}
            </Timeline.Item>
          );
        })}
      </Timeline>
    </Paper>
  );
}
